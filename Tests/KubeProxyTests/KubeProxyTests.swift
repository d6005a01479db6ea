import Testing
@testable import KubeProxy
