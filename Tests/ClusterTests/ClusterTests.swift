import Testing

@testable import Cluster
