import NetAddr
import Testing

@testable import KubeProxy

/// A compiled path must be invisible: for every scenario, a cluster whose `distribution`
/// compiles its path and one that walks every connection, fed the same changes and the
/// same random stream, give the same counts, the same connection ids and leave the same
/// random state; and `distribution` counts what as many `connect` calls give.
struct PlanCase: CustomStringConvertible, Sendable {
  var description: String
  var fixture: @Sendable () -> PacketFixture
  var source: ConnectSource
  var address: String
  var port: Int
  /// Whether the path can be compiled (random pick without affinity, netfilter modes).
  var planned: Bool
}

private let client = ConnectSource.pod(PacketFixture.client)

private let planCases: [PlanCase] = [
  PlanCase(
    description: "iptables ClusterIP from a pod", fixture: { PacketFixture() },
    source: client, address: "172.30.0.41", port: 80, planned: true),
  PlanCase(
    description: "nftables ClusterIP from a pod", fixture: { PacketFixture(mode: .nftables) },
    source: client, address: "172.30.0.41", port: 80, planned: true),
  PlanCase(
    description: "internalTrafficPolicy Local",
    fixture: { PacketFixture(backends: [1, 2], iTPLocal: true) },
    source: client, address: "172.30.0.41", port: 80, planned: true),
  PlanCase(
    description: "NodePort from another node's process", fixture: { PacketFixture() },
    source: .node("node-2"), address: "10.1.0.2", port: 30080, planned: true),
  PlanCase(
    description: "NodePort, externalTrafficPolicy Local, from a node",
    fixture: { PacketFixture(eTPLocal: true) },
    source: .node("node-3"), address: "10.1.0.3", port: 30080, planned: true),
  PlanCase(
    description: "hairpin: a backend reaching itself", fixture: { PacketFixture() },
    source: .pod(NamespacedName(namespace: "ns1", name: "web-1")), address: "172.30.0.41", port: 80,
    planned: true),
  PlanCase(
    description: "VXLAN pod network", fixture: { PacketFixture(network: .vxlan) },
    source: client, address: "172.30.0.41", port: 80, planned: true),
  PlanCase(
    description: "a backend that refuses the port",
    fixture: {
      var f = PacketFixture()
      f.cluster.upsertPod(
        ProxyPod(
          namespace: "ns1", name: "web-2", ips: [ip("10.0.2.5")],
          nodeName: "node-2", listening: [ProxyListen(port: 9090, proto: .tcp)]))
      return f
    }, source: client, address: "172.30.0.41", port: 80, planned: true),
  PlanCase(
    description: "session affinity (kernel state: never planned)",
    fixture: { PacketFixture(affinity: 30) },
    source: client, address: "172.30.0.41", port: 80, planned: false),
  PlanCase(
    description: "IPVS (scheduler state: never planned)",
    fixture: { PacketFixture(mode: .ipvs, scheduler: "rr") },
    source: client, address: "172.30.0.41", port: 80, planned: false),
  PlanCase(
    description: "load balancer from outside (random node: never planned)",
    fixture: { PacketFixture() },
    source: .external(ip("203.0.113.7")), address: "1.2.3.4", port: 80, planned: false),
  PlanCase(
    description: "no endpoints: REJECT, no pick", fixture: { PacketFixture(backends: []) },
    source: client, address: "172.30.0.41", port: 80, planned: false),
]

/// Changes made between rounds of connections: each may change where a pick leads.
private let changes: [(String, @Sendable (inout PacketFixture) -> Void)] = [
  (
    "an endpoint goes away",
    { f in
      f.cluster.updateEndpointSlice(
        previous: nil,
        current: ProxyEndpointSlice(
          namespace: "ns1", name: "web-abc", serviceName: "web", addressType: .v4,
          endpoints: [.init(addresses: [ip("10.0.3.5")], nodeName: "node-3", podName: "ns1/web-3")],
          ports: [.init(name: "p80", port: 8080, proto: .tcp)]))
      f.cluster.sync()
    }
  ),
  ("the pod network changes", { f in f.cluster.podNetwork = .bgp }),
  (
    "the mode changes",
    { f in
      var config = f.cluster.config(for: "node-1")
      config.mode = config.mode == .nftables ? .iptables : .nftables
      f.cluster.setProxyConfig(config)
    }
  ),
  (
    "a backend pod moves its port",
    { f in
      f.cluster.upsertPod(
        ProxyPod(
          namespace: "ns1", name: "web-3", ips: [ip("10.0.3.5")],
          nodeName: "node-3", listening: [ProxyListen(port: 7070, proto: .tcp)]))
    }
  ),
]

@Test(arguments: planCases)
func compiledPathsGiveTheWalksCounts(_ c: PlanCase) {
  var compiled = c.fixture()
  var walked = c.fixture()
  walked.cluster.compilingPaths = false
  var connected = c.fixture()
  let destination = ConnectDestination(ip: ip(c.address), port: c.port)
  for (round, change) in ([("start", { @Sendable (_: inout PacketFixture) in })] + changes)
    .enumerated()
  {
    change.1(&compiled)
    change.1(&walked)
    change.1(&connected)
    for (n, sourcePort) in [(1, nil), (2, nil), (300, nil), (50, 40001)] as [(Int, Int?)] {
      let options = ConnectOptions(sourcePort: sourcePort)
      let a = compiled.cluster.distribution(
        from: c.source, to: destination, count: n, options: options, using: &compiled.rng)
      let b = walked.cluster.distribution(
        from: c.source, to: destination, count: n, options: options, using: &walked.rng)
      var counts: [String: Int] = [:]
      for _ in 0..<n {
        switch connected.connect(c.source, c.address, c.port, sourcePort: sourcePort).result {
        case .success(let conn): counts[conn.pod?.name ?? conn.podIP.description, default: 0] += 1
        case .failure(let f): counts[f.kind.rawValue, default: 0] += 1
        }
      }
      #expect(a == b, "\(c) after \(change.0), \(n) connections")
      #expect(a == counts, "\(c) after \(change.0), \(n) connections")
      #expect(a.values.reduce(0, +) == n)
    }
    let draws = (compiled.rng.next(), walked.rng.next(), connected.rng.next())
    #expect(draws.0 == draws.1, "\(c): random stream after round \(round)")
    #expect(draws.1 == draws.2, "\(c): random stream after round \(round)")
    #expect(compiled.cluster.nextConnectionID == walked.cluster.nextConnectionID)
    #expect(compiled.cluster.nextConnectionID == connected.cluster.nextConnectionID)
    if round == 0 {
      // The scenario as set up (later changes may turn it into another kind of path).
      let outcome = compiled.connect(c.source, c.address, c.port)
      #expect(
        (compiled.cluster.compiledPath(c.source, destination, after: outcome) != nil) == c.planned,
        "\(c): compiled")
      _ = walked.connect(c.source, c.address, c.port)
      _ = connected.connect(c.source, c.address, c.port)
    }
  }
}

@Test func aDistributionSpreadsOverEveryBackend() {
  for mode in [ProxyConfig.Mode.iptables, .nftables] {
    var f = PacketFixture(mode: mode)
    let counts = f.cluster.distribution(
      from: client, to: ConnectDestination(ip: ip("172.30.0.41"), port: 80), count: 3000,
      using: &f.rng)
    #expect(Set(counts.keys) == ["web-1", "web-2", "web-3"], "\(mode)")
    #expect(counts.values.allSatisfy { (800...1200).contains($0) }, "\(mode): \(counts)")
  }
}

@Test func ephemeralPortsDrawAsTheStandardLibrary() {
  for seed in UInt64(0)..<200 {
    var a = SeededGenerator(seed: seed)
    var b = SeededGenerator(seed: seed)
    for _ in 0..<50 {
      #expect(
        ProxyCluster.ephemeralPort(using: &a)
          == Int.random(in: ProxyCluster.ephemeralPorts, using: &b))
    }
    #expect(a.next() == b.next())
  }
}
