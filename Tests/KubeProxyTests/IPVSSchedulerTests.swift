import Testing

@testable import KubeProxy

/// A fixed sequence of connections to the ClusterIP (real servers web-1..3 in that order) and
/// the real server each one reaches under one IPVS scheduler.
struct SchedulerCase: CustomTestStringConvertible, Sendable {
  enum Step: Sendable {
    /// Connect from a client address with a source port, kept open or not.
    case connect(client: String, port: Int, keep: Bool)
    /// Close the n-th kept connection (0-based, in connection order).
    case close(Int)
  }
  var scheduler: String
  var steps: [Step]
  var expected: [Int]
  var testDescription: String { scheduler }
}

private func short(_ client: String = "10.0.1.9", _ port: Int = 40000) -> SchedulerCase.Step {
  .connect(client: client, port: port, keep: false)
}
private func kept(_ client: String = "10.0.1.9", _ port: Int = 40000) -> SchedulerCase.Step {
  .connect(client: client, port: port, keep: true)
}
/// Kept connections 1-3, the second closed, then two more kept ones.
private let closing: [SchedulerCase.Step] = [kept(), kept(), kept(), .close(1), kept(), kept()]
private let clients = ["10.0.1.9", "10.0.1.10", "10.0.1.11"]

let schedulerCases: [SchedulerCase] = [
  // Turn by turn.
  .init(scheduler: "rr", steps: Array(repeating: short(), count: 5), expected: [1, 2, 3, 1, 2]),
  .init(scheduler: "wrr", steps: Array(repeating: short(), count: 5), expected: [1, 2, 3, 1, 2]),
  // Finished TCP connections sit in TIME_WAIT as inactive, so lc/wlc still rotate.
  .init(scheduler: "lc", steps: Array(repeating: short(), count: 4), expected: [1, 2, 3, 1]),
  .init(scheduler: "wlc", steps: Array(repeating: short(), count: 4), expected: [1, 2, 3, 1]),
  // sed and nq only count active connections: finished ones do not move them.
  .init(scheduler: "sed", steps: Array(repeating: short(), count: 3), expected: [1, 1, 1]),
  .init(scheduler: "nq", steps: Array(repeating: short(), count: 3), expected: [1, 1, 1]),
  // With kept connections: the closed one (web-2, now inactive) is the least loaded.
  .init(scheduler: "lc", steps: closing, expected: [1, 2, 3, 2, 1]),
  .init(scheduler: "wlc", steps: closing, expected: [1, 2, 3, 2, 1]),
  .init(scheduler: "sed", steps: closing, expected: [1, 2, 3, 2, 1]),
  .init(scheduler: "nq", steps: closing, expected: [1, 2, 3, 2, 1]),
  // Locality: one destination address stays on its server until that one is overloaded
  // (more active connections than its weight while another server is idle).
  .init(
    scheduler: "lblc", steps: Array(repeating: kept(), count: 6), expected: [1, 1, 2, 2, 3, 3]),
  .init(
    scheduler: "lblcr", steps: Array(repeating: kept(), count: 6), expected: [1, 1, 2, 2, 3, 3]),
  // Hashes (expected values computed independently from the kernel formulas).
  .init(
    scheduler: "sh", steps: clients.map { short($0) } + [short(clients[0], 40001)],
    expected: [3, 1, 3, 3]),
  .init(scheduler: "dh", steps: clients.map { short($0) }, expected: [3, 3, 3]),
  .init(
    scheduler: "mh",
    steps: clients.flatMap { c in (40000...40003).map { short(c, $0) } },
    expected: [3, 2, 3, 2, 2, 3, 2, 2, 3, 2, 2, 1]),
]

@Test(arguments: schedulerCases)
func ipvsScheduler(_ c: SchedulerCase) {
  var fixture = PacketFixture(
    mode: .ipvs, scheduler: c.scheduler, extraClients: ["10.0.1.10", "10.0.1.11"])
  var keptConnections: [Connection] = []
  var reached: [Int] = []
  var now = 0.0
  for step in c.steps {
    now += 1
    switch step {
    case .connect(let client, let port, let keep):
      let name =
        client == "10.0.1.9"
        ? PacketFixture.client
        : NamespacedName(namespace: "ns1", name: "client-\(client == "10.0.1.10" ? 0 : 1)")
      let outcome = fixture.connect(
        .pod(name), "172.30.0.41", 80, sourcePort: port, keep: keep, now: now)
      guard let connection = outcome.connection else {
        Issue.record("connection failed: \(String(describing: outcome.failure))")
        return
      }
      if keep { keptConnections.append(connection) }
      reached.append(Int(connection.pod?.name.dropFirst("web-".count) ?? "") ?? 0)
    case .close(let index):
      fixture.cluster.disconnect(keptConnections[index], now: now)
    }
  }
  #expect(reached == c.expected)
}

@Test func ipvsCountsActiveAndInactive() {
  var fixture = PacketFixture(mode: .ipvs, scheduler: "rr")
  let first = fixture.connect(.pod(PacketFixture.client), "172.30.0.41", 80, keep: true, now: 0)
  _ = fixture.connect(.pod(PacketFixture.client), "172.30.0.41", 80, now: 0)
  var servers = fixture.cluster.ipvsKernelState(node: "node-1", now: 1)
  #expect(
    servers.first?.realServers.map { [$0.activeConnections, $0.inactiveConnections] }
      == [[1, 0], [0, 1], [0, 0]])
  if let connection = first.connection { fixture.cluster.disconnect(connection, now: 10) }
  servers = fixture.cluster.ipvsKernelState(node: "node-1", now: 11)
  #expect(
    servers.first?.realServers.map { [$0.activeConnections, $0.inactiveConnections] }
      == [[0, 1], [0, 1], [0, 0]])
  // TIME_WAIT ends 120 s after each close.
  servers = fixture.cluster.ipvsKernelState(node: "node-1", now: 131)
  #expect(servers.first?.realServers.map { $0.inactiveConnections } == [0, 0, 0])
}

@Test func ipvsNoEndpointsIsRefused() {
  var fixture = PacketFixture(mode: .ipvs, backends: [])
  let outcome = fixture.connect(.pod(PacketFixture.client), "172.30.0.41", 80)
  #expect(outcome.failure?.description == "refused: ns1/web:p80 has no endpoints")
  #expect(
    outcome.trace.last?.text
      == "TCP 172.30.0.41:80: no destination available, ICMP port unreachable")
}

@Test func ipvsLocalPolicyFallsBackToClusterEndpoints() {
  // externalTrafficPolicy Local, no endpoint on node-3: IPVS uses every endpoint (PR #97081);
  // the pod's reply cannot return through node-3 without SNAT.
  var fixture = PacketFixture(mode: .ipvs, backends: [1], eTPLocal: true)
  let outcome = fixture.connect(.node("node-3"), "10.1.0.3", 30080)
  #expect(outcome.connection?.pod?.name == "web-1")
  let external = fixture.connect(.external(ip("203.0.113.7")), "10.1.0.3", 30080)
  #expect(external.failure?.kind == .dropped)
}
