import NetAddr
import Testing

@testable import KubeProxy

/// ClientIP affinity on the logical clock: sticky while the last use is younger than the
/// timeout, re-picked after. One case per mode.
@Test(arguments: [ProxyConfig.Mode.iptables, .nftables, .ipvs])
func affinityExpiry(mode: ProxyConfig.Mode) {
  var fixture = PacketFixture(mode: mode, affinity: 100)
  let client = ConnectSource.pod(PacketFixture.client)
  let first = fixture.connect(client, "172.30.0.41", 80, now: 0).connection?.pod
  // Each use refreshes the record, so 99 s steps stay sticky well past 100 s in total.
  for now in stride(from: 99.0, through: 396, by: 99) {
    #expect(fixture.connect(client, "172.30.0.41", 80, now: now).connection?.pod == first)
  }
  // After a silence of exactly the timeout the record has expired: picks spread again. An
  // IPVS persistence template also lives while connections it controls do (a finished TCP
  // connection lingers 120 s in TIME_WAIT), so IPVS needs a longer silence.
  var later = Set<String>()
  var now = 396.0
  for _ in 0..<30 {
    now += mode == .ipvs ? 120 : 100
    if let pod = fixture.connect(client, "172.30.0.41", 80, now: now).connection?.pod?.name {
      later.insert(pod)
    }
  }
  #expect(later.count > 1)
}

@Test func affinityIsPerServicePortAndClient() {
  var fixture = PacketFixture(affinity: 1000)
  let a = fixture.connect(.pod(PacketFixture.client), "172.30.0.41", 80, now: 0)
  guard let pod = a.connection?.pod else {
    Issue.record("no connection")
    return
  }
  #expect(a.trace.contains { $0.text.contains("-m recent") } == false)
  let b = fixture.connect(.pod(PacketFixture.client), "172.30.0.41", 80, now: 1)
  #expect(b.connection?.pod == pod)
  #expect(b.trace.contains { $0.text.contains("--rcheck --seconds 1000 --reap") })
}

/// 10,000 connections over three endpoints with iptables' 1/3, 1/2, 1 rules: each within
/// 3 % of uniform.
@Test(arguments: [ProxyConfig.Mode.iptables, .nftables])
func uniformDistribution(mode: ProxyConfig.Mode) {
  var fixture = PacketFixture(mode: mode)
  let counts = fixture.cluster.distribution(
    from: .pod(PacketFixture.client), to: ConnectDestination(ip: ip("172.30.0.41"), port: 80),
    count: 10_000, using: &fixture.rng)
  #expect(counts.values.reduce(0, +) == 10_000)
  #expect(Set(counts.keys) == ["web-1", "web-2", "web-3"])
  for (_, count) in counts {
    #expect(abs(Double(count) - 10_000.0 / 3) <= 0.03 * 10_000.0 / 3)
  }
}

/// The pod-network hop: source address the backend sees after SNAT, per CNI mode.
struct HopCase: CustomTestStringConvertible, Sendable {
  var name: String
  var network: PodNetworkMode
  var backend: Int
  var hop: String
  var sourceIP: String
  var testDescription: String { name }
}

let hopCases: [HopCase] = [
  .init(
    name: "same node: veth, node IP", network: .ipip, backend: 1,
    hop: "veth: 10.0.1.5 is a pod on node-1", sourceIP: "10.1.0.1"),
  .init(
    name: "cross node IP-in-IP: tunl0 address", network: .ipip, backend: 2,
    hop: "route 10.0.2.0/24 via 10.1.0.2 dev tunl0: IP-in-IP tunnel 10.1.0.1 -> 10.1.0.2",
    sourceIP: "10.0.1.0"),
  .init(
    name: "cross node VXLAN: vxlan.calico address", network: .vxlan, backend: 2,
    hop:
      "route 10.0.2.0/24 via 10.1.0.2 dev vxlan.calico: "
      + "VXLAN (UDP 4789) tunnel 10.1.0.1 -> 10.1.0.2",
    sourceIP: "10.0.1.0"),
  .init(
    name: "cross node BGP: node IP", network: .bgp, backend: 2,
    hop: "route 10.0.2.0/24 via 10.1.0.2 (BGP), no tunnel", sourceIP: "10.1.0.1"),
]

@Test(arguments: hopCases)
func podNetworkHop(_ c: HopCase) {
  var fixture = PacketFixture(backends: [c.backend], network: c.network)
  // External traffic to node-1's NodePort under Cluster policy is masqueraded.
  let outcome = fixture.connect(.external(ip("203.0.113.7")), "10.1.0.1", 30080)
  #expect(outcome.connection?.sourceIP == ip(c.sourceIP))
  #expect(outcome.connection?.entryNode == "node-1")
  #expect(outcome.connection?.node == "node-\(c.backend)")
  #expect(outcome.trace.filter { $0.kind == .hop }.map(\.text) == [c.hop])
}

@Test func podToPodNeedsNoKubeProxy() {
  var fixture = PacketFixture(network: .vxlan)
  let outcome = fixture.connect(.pod(PacketFixture.client), "10.0.3.5", 8080)
  #expect(outcome.connection?.pod?.name == "web-3")
  #expect(outcome.connection?.sourceIP == ip("10.0.1.9"))
  #expect(outcome.connection?.service == nil)
  let closed = fixture.connect(.pod(PacketFixture.client), "10.0.3.5", 9090)
  #expect(closed.failure?.kind == .refused)
}

/// Failures and their reason words, with the rule that decided.
struct FailureCase: CustomTestStringConvertible, Sendable {
  var name: String
  var mode: ProxyConfig.Mode = .iptables
  var backends: [Int]
  var iTPLocal = false
  var destination: String
  var port: Int
  var reason: String
  var lastStep: String
  var testDescription: String { name }
}

let failureCases: [FailureCase] = [
  .init(
    name: "no endpoints: REJECT", backends: [], destination: "172.30.0.41", port: 80,
    reason: "refused: ns1/web:p80 has no endpoints",
    lastStep:
      "[node-1] KUBE-SERVICES: \"ns1/web:p80 has no endpoints\" -m tcp "
      + "-p tcp -d 172.30.0.41 --dport 80 -j REJECT"
  ),
  .init(
    name: "iTP Local, endpoints only elsewhere: DROP", backends: [2], iTPLocal: true,
    destination: "172.30.0.41", port: 80,
    reason: "dropped: ns1/web:p80 has no local endpoints on node-1",
    lastStep:
      "[node-1] KUBE-SERVICES: \"ns1/web:p80 has no local endpoints\" -m "
      + "tcp -p tcp -d 172.30.0.41 --dport 80 -j DROP"
  ),
  .init(
    name: "iptables: unknown ClusterIP port goes nowhere", backends: [1],
    destination: "172.30.0.41",
    port: 81, reason: "unreachable: no Service rule and no pod or node answers at 172.30.0.41:81",
    lastStep: "[node-1] no Service rule and no pod or node answers at 172.30.0.41:81"),
  .init(
    name: "nftables: unknown ClusterIP port is rejected", mode: .nftables, backends: [1],
    destination: "172.30.0.41", port: 81,
    reason: "refused: no Service port 81/TCP on ClusterIP 172.30.0.41",
    lastStep:
      "[node-1] cluster-ips-check: ip daddr @cluster-ips reject (\"reject "
      + "traffic to invalid ports of ClusterIPs\")"
  ),
  .init(
    name: "nftables: no endpoints", mode: .nftables, backends: [], destination: "172.30.0.41",
    port: 80,
    reason: "refused: ns1/web:p80 has no endpoints",
    lastStep:
      "[node-1] no-endpoint-services: \"ns1/web:p80 has no endpoints\" ip daddr "
      + "172.30.0.41 tcp dport 80 goto reject-chain"
  ),
]

@Test(arguments: failureCases)
func failures(_ c: FailureCase) {
  var fixture = PacketFixture(mode: c.mode, backends: c.backends, iTPLocal: c.iTPLocal)
  let outcome = fixture.connect(.pod(PacketFixture.client), c.destination, c.port)
  #expect(outcome.failure?.description == c.reason)
  #expect(outcome.trace.last?.description == c.lastStep)
}

@Test func iptablesTraceNamesEveryStep() {
  var fixture = PacketFixture(backends: [2])
  let outcome = fixture.connect(.pod(PacketFixture.client), "172.30.0.41", 80)
  #expect(
    outcome.trace.map(\.description) == [
      "[node-1] pod ns1/client 10.0.1.9:\(outcome.trace.first.map { _ in "" } ?? "")"
        + sourcePortText(outcome),
      "[node-1] kube-proxy (iptables)",
      "[node-1] KUBE-SERVICES: \"ns1/web:p80 cluster IP\" -m tcp -p tcp -d "
        + "172.30.0.41 --dport 80 -j KUBE-SVC-ns1/web:p80",
      "[node-1] KUBE-SVC-ns1/web:p80: \"ns1/web:p80 -> 10.0.2.5:8080\" -j KUBE-SEP-10.0.2.5:8080",
      "[node-1] KUBE-SEP-10.0.2.5:8080: \"ns1/web:p80\" -j DNAT --to-destination 10.0.2.5:8080",
      "[node-1] route 10.0.2.0/24 via 10.1.0.2 dev tunl0: IP-in-IP tunnel 10.1.0.1 -> 10.1.0.2",
      "[node-2] delivered to pod ns1/web-2 at 10.0.2.5:8080/TCP",
    ])
}

private func sourcePortText(_ outcome: ConnectOutcome) -> String {
  let text = outcome.trace.first?.text ?? ""
  let port = text.split(separator: " ")[2].split(separator: ":")[1]
  return "\(port) -> 172.30.0.41:80/TCP"
}

@Test func loadBalancerSpreadsOnlyOverHealthyNodesForLocalPolicy() {
  var fixture = PacketFixture(backends: [2], eTPLocal: true)
  #expect(
    fixture.cluster.healthCheck(node: "node-2", service: PacketFixture.service)?.statusCode == 200)
  #expect(
    fixture.cluster.healthCheck(node: "node-1", service: PacketFixture.service)?.statusCode == 503)
  var entries = Set<String>()
  for _ in 0..<20 {
    let outcome = fixture.connect(.external(ip("203.0.113.7")), "1.2.3.4", 80)
    entries.insert(outcome.connection?.entryNode ?? "failed")
    #expect(outcome.connection?.sourceIP == ip("203.0.113.7"))
  }
  #expect(entries == ["node-2"])
}

@Test func loadBalancerSourceRanges() {
  var fixture = PacketFixture(sourceRanges: ["203.0.113.0/24"])
  #expect(fixture.connect(.external(ip("203.0.113.7")), "1.2.3.4", 80).connection != nil)
  let denied = fixture.connect(.external(ip("198.51.100.1")), "1.2.3.4", 80)
  #expect(denied.failure?.kind == .dropped)
}
