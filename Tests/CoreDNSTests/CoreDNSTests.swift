import Testing
@testable import CoreDNS
