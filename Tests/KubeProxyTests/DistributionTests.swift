import NetAddr
import Testing
@testable import KubeProxy

/// Plans must be invisible: for every scenario, a cluster that compiles plans and one that
/// always walks the rules, fed the same changes and the same random stream, give the same
/// outcomes (connection, failure, every trace line), the same ids and leave the same random
/// state.
struct PlanCase: CustomStringConvertible, Sendable {
  var description: String
  var fixture: @Sendable () -> PacketFixture
  var source: ConnectSource
  var address: String
  var port: Int
  /// Whether the path can be planned (random pick without affinity, netfilter modes).
  var planned: Bool
}

private let client = ConnectSource.pod(PacketFixture.client)

private let planCases: [PlanCase] = [
  PlanCase(description: "iptables ClusterIP from a pod", fixture: { PacketFixture() },
    source: client, address: "172.30.0.41", port: 80, planned: true),
  PlanCase(description: "nftables ClusterIP from a pod", fixture: { PacketFixture(mode: .nftables) },
    source: client, address: "172.30.0.41", port: 80, planned: true),
  PlanCase(description: "internalTrafficPolicy Local", fixture: { PacketFixture(backends: [1, 2], iTPLocal: true) },
    source: client, address: "172.30.0.41", port: 80, planned: true),
  PlanCase(description: "NodePort from another node's process", fixture: { PacketFixture() },
    source: .node("node-2"), address: "10.1.0.2", port: 30080, planned: true),
  PlanCase(description: "NodePort, externalTrafficPolicy Local, from a node",
    fixture: { PacketFixture(eTPLocal: true) },
    source: .node("node-3"), address: "10.1.0.3", port: 30080, planned: true),
  PlanCase(description: "hairpin: a backend reaching itself", fixture: { PacketFixture() },
    source: .pod(NamespacedName(namespace: "ns1", name: "web-1")), address: "172.30.0.41", port: 80,
    planned: true),
  PlanCase(description: "VXLAN pod network", fixture: { PacketFixture(network: .vxlan) },
    source: client, address: "172.30.0.41", port: 80, planned: true),
  PlanCase(description: "a backend that refuses the port", fixture: {
    var f = PacketFixture()
    f.cluster.upsertPod(ProxyPod(namespace: "ns1", name: "web-2", ips: [ip("10.0.2.5")],
      nodeName: "node-2", listening: [ProxyListen(port: 9090, proto: .tcp)]))
    return f
  }, source: client, address: "172.30.0.41", port: 80, planned: true),
  PlanCase(description: "session affinity (kernel state: never planned)",
    fixture: { PacketFixture(affinity: 30) },
    source: client, address: "172.30.0.41", port: 80, planned: false),
  PlanCase(description: "IPVS (scheduler state: never planned)",
    fixture: { PacketFixture(mode: .ipvs, scheduler: "rr") },
    source: client, address: "172.30.0.41", port: 80, planned: false),
  PlanCase(description: "load balancer from outside (random node: never planned)",
    fixture: { PacketFixture() },
    source: .external(ip("203.0.113.7")), address: "1.2.3.4", port: 80, planned: false),
  PlanCase(description: "no endpoints: REJECT, no pick", fixture: { PacketFixture(backends: []) },
    source: client, address: "172.30.0.41", port: 80, planned: false),
]

/// Changes made between rounds of connections: each must make the plans stale.
private let changes: [(String, @Sendable (inout PacketFixture) -> Void)] = [
  ("an endpoint goes away", { f in
    f.cluster.updateEndpointSlice(previous: nil, current: ProxyEndpointSlice(
      namespace: "ns1", name: "web-abc", serviceName: "web", addressType: .v4,
      endpoints: [.init(addresses: [ip("10.0.3.5")], nodeName: "node-3", podName: "ns1/web-3")],
      ports: [.init(name: "p80", port: 8080, proto: .tcp)]))
    f.cluster.sync()
  }),
  ("the pod network changes", { f in f.cluster.podNetwork = .bgp }),
  ("the mode changes", { f in
    var config = f.cluster.config(for: "node-1")
    config.mode = config.mode == .nftables ? .iptables : .nftables
    f.cluster.setProxyConfig(config)
  }),
  ("a backend pod moves its port", { f in
    f.cluster.upsertPod(ProxyPod(namespace: "ns1", name: "web-3", ips: [ip("10.0.3.5")],
      nodeName: "node-3", listening: [ProxyListen(port: 7070, proto: .tcp)]))
  }),
]

@Test(arguments: planCases)
func plansGiveTheWalksOutcomes(_ c: PlanCase) {
  var planned = c.fixture()
  var walked = c.fixture()
  walked.cluster.planning = false
  for (round, change) in ([("start", { @Sendable (_: inout PacketFixture) in })] + changes).enumerated() {
    change.1(&planned)
    change.1(&walked)
    for i in 0..<40 {
      let keep = i % 7 == 3
      let sourcePort = i % 5 == 0 ? 40000 + i : nil
      let a = planned.connect(c.source, c.address, c.port, sourcePort: sourcePort, keep: keep)
      let b = walked.connect(c.source, c.address, c.port, sourcePort: sourcePort, keep: keep)
      #expect(a.result == b.result, "\(c) after \(change.0), connection \(i)")
      #expect(a.trace.map(\.description) == b.trace.map(\.description),
        "\(c) after \(change.0), connection \(i)")
    }
    #expect(planned.rng.next() == walked.rng.next(), "\(c): random stream after round \(round)")
    #expect(planned.cluster.openConnections.keys.sorted() == walked.cluster.openConnections.keys.sorted())
    if round == 0 {
      // The scenario as set up (later changes may turn it into another kind of path).
      let destination = ConnectDestination(ip: ip(c.address), port: c.port)
      #expect((planned.cluster.plan(from: c.source, to: destination) != nil) == c.planned, "\(c): planned")
      #expect(walked.cluster.plan(from: c.source, to: destination) == nil)
    }
  }
}

@Test func aPlansTextIsTheTracesText() throws {
  var f = PacketFixture()
  let destination = ConnectDestination(ip: ip("172.30.0.41"), port: 80)
  _ = f.connect(client, "172.30.0.41", 80)
  #expect(f.cluster.plan(from: client, to: destination) == nil, "a path walked once has no plan")
  _ = f.connect(client, "172.30.0.41", 80)
  let plan = try #require(f.cluster.plan(from: client, to: destination))
  for _ in 0..<20 {
    let made = try #require(f.cluster.connect(along: plan, options: ConnectOptions(), using: &f.rng))
    let lines = made.connectOutcome.trace.map(\.description)
    let head = String(decoding: made.outcome.sourceHead, as: UTF8.self)
    let tail = String(decoding: made.outcome.sourceTail, as: UTF8.self)
    #expect(lines.first == "\(head)\(made.sourcePort)\(tail)")
    #expect(Array(lines.dropFirst()) == made.outcome.lines)
  }
  f.cluster.podNetwork = .vxlan
  #expect(f.cluster.connect(along: plan, options: ConnectOptions(), using: &f.rng) == nil)
}

@Test func ephemeralPortsDrawAsTheStandardLibrary() {
  for seed in UInt64(0)..<200 {
    var a = SeededGenerator(seed: seed)
    var b = SeededGenerator(seed: seed)
    for _ in 0..<50 {
      #expect(ProxyCluster.ephemeralPort(using: &a) == Int.random(in: ProxyCluster.ephemeralPorts, using: &b))
    }
    #expect(a.next() == b.next())
  }
}
