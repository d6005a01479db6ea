import Foundation
import NetAddr
import Testing

@testable import KubeProxy

/// Test-only stand-ins for what the engine computes: parse helpers, a minimal endpoint
/// categorization (ready endpoints, serving-terminating fallback, no topology) and kube-proxy's
/// overall-rules fixture.
enum Fixture {
  /// Parses an address the test wrote itself.
  static func ip(_ text: String) -> IPAddress {
    guard let ip = IPAddress(text) else { preconditionFailure("bad test IP \(text)") }
    return ip
  }

  /// Parses a CIDR the test wrote itself.
  static func cidr(_ text: String) -> CIDR {
    guard let cidr = CIDR(text) else { preconditionFailure("bad test CIDR \(text)") }
    return cidr
  }

  /// `ns/svc:port` TCP.
  static func spn(
    _ ns: String, _ svc: String, _ port: String, _ proto: ProxyProtocol = .tcp
  )
    -> ServicePortName
  {
    ServicePortName(namespace: ns, name: svc, port: port, proto: proto)
  }

  /// A small CategorizeEndpoints for fixtures: cluster = ready (else serving-terminating),
  /// local = the same on `node`, union for reachability; no topology hints.
  static func decide(
    _ port: ProxyServicePort, _ endpoints: [ProxyEndpoint], node: String
  )
    -> ServicePortDecision
  {
    let sorted = endpoints.sorted { $0.description < $1.description }
    func usable(_ eps: [ProxyEndpoint]) -> [ProxyEndpoint] {
      let ready = eps.filter(\.ready)
      return ready.isEmpty ? eps.filter { $0.serving && $0.terminating } : ready
    }
    let cluster = port.usesClusterEndpoints ? usable(sorted) : []
    let local = port.usesLocalEndpoints ? usable(sorted.filter { $0.isLocal(to: node) }) : []
    var hasAny = !cluster.isEmpty
    var reachable = cluster
    if port.usesLocalEndpoints {
      hasAny = sorted.contains { $0.ready || ($0.serving && $0.terminating) }
      let seen = Set(cluster)
      reachable = port.usesClusterEndpoints ? cluster + local.filter { !seen.contains($0) } : local
    }
    return ServicePortDecision(
      servicePort: port, allEndpoints: sorted, clusterEndpoints: cluster, localEndpoints: local,
      allReachableEndpoints: reachable, hasAnyEndpoints: hasAny)
  }

  static let testNodeName = "test-node"
  static let testNodeIP = "192.168.0.2"
  static let testExternalClient = "203.0.113.2"
  static let testExternalClientBlocked = "203.0.113.130"

  /// The node of kube-proxy's iptables tests.
  static let node = ProxyNode(
    name: testNodeName, ips: [ip(testNodeIP)], podCIDR: cidr("10.0.0.0/24"))

  /// kube-proxy's test proxier: ClusterCIDR detector 10.0.0.0/8, localhost NodePorts,
  /// no --random-fully.
  static var config: ProxyConfig {
    var config = ProxyConfig()
    config.clusterCIDR = cidr("10.0.0.0/8")
    config.randomFully = false
    return config
  }

  /// The six services of `TestOverallIPTablesRules` with their endpoints.
  static var overallDecisions: [ServicePortDecision] {
    let ep = { (addr: String, node: String?) in
      ProxyEndpoint(ip: ip(addr), port: 80, nodeName: node)
    }
    let svc1 = ProxyServicePort(
      name: spn("ns1", "svc1", "p80"), type: .clusterIP, family: .v4, clusterIP: ip("172.30.0.41"),
      port: 80)
    let svc2 = ProxyServicePort(
      name: spn("ns2", "svc2", "p80"), type: .loadBalancer, family: .v4,
      clusterIP: ip("172.30.0.42"), port: 80, nodePort: 3001, externalIPs: [ip("192.168.99.22")],
      loadBalancerVIPs: [ip("1.2.3.4")], externalPolicyLocal: true, healthCheckNodePort: 30000)
    let svc3 = ProxyServicePort(
      name: spn("ns3", "svc3", "p80"), type: .nodePort, family: .v4, clusterIP: ip("172.30.0.43"),
      port: 80, nodePort: 3003)
    let svc4 = ProxyServicePort(
      name: spn("ns4", "svc4", "p80"), type: .nodePort, family: .v4, clusterIP: ip("172.30.0.44"),
      port: 80, externalIPs: [ip("192.168.99.33")])
    // healthCheckNodePort is set in the spec but ignored with Cluster policy.
    let svc5 = ProxyServicePort(
      name: spn("ns5", "svc5", "p80"), type: .loadBalancer, family: .v4,
      clusterIP: ip("172.30.0.45"), port: 80, nodePort: 3002, loadBalancerVIPs: [ip("5.6.7.8")],
      loadBalancerSourceRanges: [cidr("203.0.113.0/25")], stickyMaxAgeSeconds: 10800)
    let svc6 = ProxyServicePort(
      name: spn("ns6", "svc6", "p80"), type: .clusterIP, family: .v4, clusterIP: ip("172.30.0.46"),
      port: 80)
    return [
      decide(svc1, [ep("10.180.0.1", nil)], node: testNodeName),
      decide(svc2, [ep("10.180.0.2", nil)], node: testNodeName),
      decide(svc3, [ep("10.180.0.3", nil)], node: testNodeName),
      decide(svc4, [ep("10.180.0.4", nil), ep("10.180.0.5", testNodeName)], node: testNodeName),
      decide(svc5, [ep("10.180.0.3", nil)], node: testNodeName),
      decide(svc6, [], node: testNodeName),
    ]
  }

  /// A golden file from `Snapshots/`.
  static func snapshot(_ name: String) throws -> String {
    let url = try #require(Bundle.module.url(forResource: "Snapshots/\(name)", withExtension: nil))
    return try String(contentsOf: url, encoding: .utf8)
  }
}

@Suite struct RenderFixtureTests {
  @Test func fixtureCategorizationKeepsRemoteEndpointForLocalPolicyExternalTraffic() throws {
    let svc2 = try #require(Fixture.overallDecisions.first { $0.servicePort.name.name == "svc2" })
    #expect(svc2.clusterEndpoints.map(\.description) == ["10.180.0.2:80"])
    #expect(svc2.localEndpoints.isEmpty)
    #expect(svc2.hasAnyEndpoints)
  }
}
