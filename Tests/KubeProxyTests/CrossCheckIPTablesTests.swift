import NetAddr
import Testing

@testable import KubeProxy

/// One packet sent both ways: through `connect` (the packet path's own decisions) and through
/// the iptables rules the renderer writes for the node that handled it (kube-proxy's
/// `packetFlowTest`). Both must reach the same backends with the same verdict and masquerade.
struct CrossCheckCase: CustomTestStringConvertible, Sendable {
  var name: String
  var source: ConnectSource
  /// The packet's source address as the entry node's rules see it.
  var sourceIP: String
  var destination: String
  var port: Int
  var backends: [Int] = [1, 2, 3]
  var eTPLocal = false
  var iTPLocal = false
  var sourceRanges: [String] = []
  /// What the rules must give: DNAT targets (sorted, comma-separated), `DROP`, `REJECT`,
  /// or "" when no Service rule applies.
  var output: String
  var masquerade: Bool
  var testDescription: String { name }
}

@Suite struct CrossCheckIPTablesTests {
  static let client = ConnectSource.pod(PacketFixture.client)
  static let external = ConnectSource.external(ip("203.0.113.5"))
  static let all = "10.0.1.5:8080, 10.0.2.5:8080, 10.0.3.5:8080"

  static let cases: [CrossCheckCase] = [
    .init(
      name: "pod to ClusterIP", source: client, sourceIP: "10.0.1.9",
      destination: "172.30.0.41", port: 80, output: all, masquerade: false),
    .init(
      name: "node to ClusterIP", source: .node("node-1"), sourceIP: "10.1.0.1",
      destination: "172.30.0.41", port: 80, output: all, masquerade: true),
    .init(
      name: "pod to ClusterIP, unknown port", source: client, sourceIP: "10.0.1.9",
      destination: "172.30.0.41", port: 81, output: "", masquerade: false),
    .init(
      name: "pod to ClusterIP without endpoints", source: client, sourceIP: "10.0.1.9",
      destination: "172.30.0.41", port: 80, backends: [], output: "REJECT", masquerade: false),
    .init(
      name: "pod to ClusterIP, iTP Local, endpoints elsewhere", source: client,
      sourceIP: "10.0.1.9", destination: "172.30.0.41", port: 80, backends: [2, 3],
      iTPLocal: true, output: "DROP", masquerade: false),
    .init(
      name: "pod to ClusterIP, iTP Local, a local endpoint", source: client,
      sourceIP: "10.0.1.9", destination: "172.30.0.41", port: 80, iTPLocal: true,
      output: "10.0.1.5:8080", masquerade: false),
    .init(
      name: "hairpin pod to its own ClusterIP",
      source: .pod(.init(namespace: "ns1", name: "web-1")),
      sourceIP: "10.0.1.5", destination: "172.30.0.41", port: 80, backends: [1, 2],
      output: "10.0.1.5:8080, 10.0.2.5:8080", masquerade: true),
    .init(
      name: "external to NodePort", source: external, sourceIP: "203.0.113.5",
      destination: "10.1.0.2", port: 30080, output: all, masquerade: true),
    .init(
      name: "external to NodePort without endpoints", source: external,
      sourceIP: "203.0.113.5", destination: "10.1.0.2", port: 30080, backends: [],
      output: "REJECT", masquerade: false),
    .init(
      name: "external to NodePort, eTP Local, local endpoint", source: external,
      sourceIP: "203.0.113.5", destination: "10.1.0.2", port: 30080, eTPLocal: true,
      output: "10.0.2.5:8080", masquerade: false),
    .init(
      name: "external to NodePort, eTP Local, no local endpoint", source: external,
      sourceIP: "203.0.113.5", destination: "10.1.0.2", port: 30080, backends: [1, 3],
      eTPLocal: true, output: "DROP", masquerade: false),
    .init(
      name: "pod to NodePort, eTP Local, short-circuit", source: client, sourceIP: "10.0.1.9",
      destination: "10.1.0.1", port: 30080, backends: [2], eTPLocal: true,
      output: "10.0.2.5:8080", masquerade: false),
    .init(
      name: "node to localhost NodePort", source: .node("node-1"), sourceIP: "127.0.0.1",
      destination: "127.0.0.1", port: 30080, output: all, masquerade: true),
    .init(
      name: "external to LB IP in source ranges", source: external, sourceIP: "203.0.113.5",
      destination: "1.2.3.4", port: 80, sourceRanges: ["203.0.113.0/25"], output: all,
      masquerade: true),
    .init(
      name: "external to LB IP outside source ranges",
      source: .external(ip("198.51.100.9")), sourceIP: "198.51.100.9", destination: "1.2.3.4",
      port: 80, sourceRanges: ["203.0.113.0/25"], output: "DROP", masquerade: false),
    .init(
      name: "external to LB IP, eTP Local", source: external, sourceIP: "203.0.113.5",
      destination: "1.2.3.4", port: 80, backends: [2], eTPLocal: true,
      output: "10.0.2.5:8080", masquerade: false),
  ]

  /// What `connect` did on one entry node over many attempts.
  struct Observed {
    var outputs: Set<String> = []
    var masquerade = false
  }

  @Test(arguments: cases)
  func connectAgreesWithRules(_ c: CrossCheckCase) throws {
    var fixture = PacketFixture(
      backends: c.backends, eTPLocal: c.eTPLocal, iTPLocal: c.iTPLocal,
      sourceRanges: c.sourceRanges)
    var byEntry: [String: Observed] = [:]
    for _ in 0..<200 {
      let outcome = fixture.connect(c.source, c.destination, c.port)
      let entry = try #require(outcome.trace.first { $0.kind == .entry }?.node)
      var seen = byEntry[entry] ?? Observed()
      switch outcome.result {
      case .success(let connection):
        seen.outputs.insert(connection.podIP.joined(port: connection.port))
      case .failure(let failure):
        seen.outputs.insert(Self.verdict(failure.kind))
      }
      seen.masquerade =
        seen.masquerade
        || outcome.trace.contains { $0.kind == .snat && $0.text.contains("MASQUERADE") }
      byEntry[entry] = seen
    }
    #expect(!byEntry.isEmpty)
    for (entry, seen) in byEntry {
      let node = try #require(fixture.cluster.nodes[entry])
      let rules = renderIPTablesRestore(
        node: node, config: fixture.cluster.config(for: entry),
        decisions: fixture.cluster.decisions(node: entry))
      let traced = try IPTablesTracer(rules: rules, nodeIPs: node.ips)
        .trace(source: ip(c.sourceIP), destination: ip(c.destination), port: c.port)
      let fromRules = traced.outputs.sorted().joined(separator: ", ")
      let fromConnect = seen.outputs.sorted().joined(separator: ", ")
      #expect(fromRules == c.output, "\(entry): rules matched \(traced.matches)")
      #expect(fromConnect == c.output, "\(entry): connect reached \(fromConnect)")
      #expect(traced.masquerade == c.masquerade, "\(entry): rules matched \(traced.matches)")
      #expect(seen.masquerade == c.masquerade, "\(entry): connect masquerade")
    }
  }

  /// The rule verdict a connect failure corresponds to; "" for a packet no Service rule took.
  static func verdict(_ kind: ConnectFailureKind) -> String {
    switch kind {
    case .refused: "REJECT"
    case .dropped: "DROP"
    case .unreachable: ""
    }
  }
}
