import NetAddr
import Testing

@testable import KubeProxy

/// One packet and what kube-proxy's rules must do with it (kube-proxy's `packetFlowTest`).
struct PacketFlowCase: CustomTestStringConvertible, Sendable {
  var name: String
  var source: String
  var proto: ProxyProtocol = .tcp
  var destination: String
  var port: Int
  var output: String
  var masq = false
  var testDescription: String { name }

  /// Traces the packet through `tracer` and checks output and masquerade.
  func check(_ tracer: IPTablesTracer) {
    let result = tracer.trace(
      source: Fixture.ip(source), proto: proto, destination: Fixture.ip(destination), port: port)
    #expect(result.output == output, "\(name): matched \(result.matches)")
    #expect(result.masquerade == masq, "\(name): matched \(result.matches)")
  }
}

/// The local addresses of kube-proxy's test node (`testNodeIPs`).
let testNodeIPs = ["192.168.0.2", "192.168.1.2", "192.168.99.11", "2001:db8::1", "2001:db8:1::2"]
  .map(Fixture.ip)

@Suite struct TracerIPTablesTests {
  /// Hand-written rules exercising each tracer behaviour, with the built-in jump rules
  /// kube-proxy installs outside the restore.
  static let fixedRules = """
    *filter
    :INPUT - [0:0]
    :KUBE-SERVICES - [0:0]
    :KUBE-EXTERNAL-SERVICES - [0:0]
    :KUBE-NODEPORTS - [0:0]
    :KUBE-PROXY-FIREWALL - [0:0]
    -A INPUT -m comment --comment kubernetes health check service ports -j KUBE-NODEPORTS
    -A KUBE-SERVICES -m comment --comment "ns9/none:p80 has no endpoints" -m tcp -p tcp -d \
    172.30.9.9 --dport 80 -j REJECT
    -A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/b:p80 has no local endpoints" -m addrtype \
    --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP
    -A KUBE-NODEPORTS -m comment --comment "ns2/b:p80 health check node port" -m tcp -p tcp \
    --dport 30000 -j ACCEPT
    -A KUBE-PROXY-FIREWALL -m comment --comment "ns3/c:p80 traffic not accepted by KUBE-FW-C" -m \
    tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP
    COMMIT
    *nat
    :PREROUTING - [0:0]
    :KUBE-SERVICES - [0:0]
    :KUBE-NODEPORTS - [0:0]
    :KUBE-MARK-MASQ - [0:0]
    :KUBE-SVC-A - [0:0]
    :KUBE-SEP-A1 - [0:0]
    :KUBE-SEP-A2 - [0:0]
    :KUBE-SEP-A3 - [0:0]
    :KUBE-FW-C - [0:0]
    :KUBE-SEP-C1 - [0:0]
    -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
    -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
    -A KUBE-SERVICES -m comment --comment "ns1/a:p80 cluster IP" -m tcp -p tcp -d 172.30.0.1 \
    --dport 80 -j KUBE-SVC-A
    -A KUBE-SERVICES -m comment --comment "ns1/a:p53 cluster IP" -m udp -p udp -d 172.30.0.1 \
    --dport 53 -j KUBE-SEP-A1
    -A KUBE-SERVICES -m comment --comment "ns3/c:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 \
    --dport 80 -j KUBE-FW-C
    -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the \
    last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
    -A KUBE-NODEPORTS -m comment --comment ns3/c:p80 -m tcp -p tcp --dport 3003 -j KUBE-SEP-C1
    -A KUBE-SVC-A -m comment --comment "ns1/a:p80 cluster IP" -m tcp -p tcp -d 172.30.0.1 --dport \
    80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
    -A KUBE-SVC-A -m comment --comment "ns1/a:p80 -> 10.180.0.1:80" -m recent --name KUBE-SEP-A1 \
    --rcheck --seconds 10800 --reap -j KUBE-SEP-A1
    -A KUBE-SVC-A -m comment --comment "ns1/a:p80 -> 10.180.0.1:80" -m statistic --mode random \
    --probability 0.3333333333 -j KUBE-SEP-A1
    -A KUBE-SVC-A -m comment --comment "ns1/a:p80 -> 10.180.0.2:80" -m statistic --mode random \
    --probability 0.5000000000 -j KUBE-SEP-A2
    -A KUBE-SVC-A -m comment --comment "ns1/a:p80 -> 10.180.0.3:80" -j KUBE-SEP-A3
    -A KUBE-SEP-A1 -m comment --comment ns1/a:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
    -A KUBE-SEP-A1 -m comment --comment ns1/a:p80 -m tcp -p tcp -j DNAT --to-destination \
    10.180.0.1:80
    -A KUBE-SEP-A2 -m comment --comment ns1/a:p80 -m tcp -p tcp -j DNAT --to-destination \
    10.180.0.2:80
    -A KUBE-SEP-A3 -m comment --comment ns1/a:p80 -m tcp -p tcp -j DNAT --to-destination \
    10.180.0.3:80
    -A KUBE-FW-C -m comment --comment "ns3/c:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-SEP-C1
    -A KUBE-FW-C -m comment --comment "other traffic to ns3/c:p80 will be dropped by \
    KUBE-PROXY-FIREWALL"
    -A KUBE-SEP-C1 -m comment --comment ns3/c:p80 -m tcp -p tcp -j DNAT --to-destination \
    [fd00::1]:80
    COMMIT
    """

  static let fixedCases: [PacketFlowCase] = [
    .init(name: "no match", source: "10.0.0.2", destination: "10.0.0.3", port: 80, output: ""),
    .init(
      name: "all probabilistic endpoints, affinity check skipped", source: "10.0.0.2",
      destination: "172.30.0.1", port: 80, output: "10.180.0.1:80, 10.180.0.2:80, 10.180.0.3:80"),
    .init(
      name: "negated source CIDR marks off-cluster clients", source: "192.168.0.9",
      destination: "172.30.0.1", port: 80,
      output: "10.180.0.1:80, 10.180.0.2:80, 10.180.0.3:80", masq: true),
    .init(
      name: "hairpin masquerade", source: "10.180.0.1", destination: "172.30.0.1", port: 80,
      output: "10.180.0.1:80, 10.180.0.2:80, 10.180.0.3:80", masq: true),
    .init(
      name: "protocol must match", source: "10.0.0.2", proto: .udp, destination: "172.30.0.1",
      port: 80, output: ""),
    .init(
      name: "udp port chain", source: "10.0.0.2", proto: .udp, destination: "172.30.0.1",
      port: 53, output: ""),
    .init(
      name: "REJECT in filter", source: "10.0.0.2", destination: "172.30.9.9", port: 80,
      output: "REJECT"),
    .init(
      name: "source range admits", source: "203.0.113.2", destination: "5.6.7.8", port: 80,
      output: "[fd00::1]:80"),
    .init(
      name: "comment-only rule falls through to KUBE-PROXY-FIREWALL", source: "203.0.113.130",
      destination: "5.6.7.8", port: 80, output: "DROP"),
    .init(
      name: "dst-type LOCAL reaches KUBE-NODEPORTS", source: "203.0.113.130",
      destination: "192.168.0.2", port: 3003, output: "[fd00::1]:80"),
    .init(
      name: "filter DROP for local destination", source: "203.0.113.2",
      destination: "192.168.0.2", port: 3001, output: "DROP"),
    .init(
      name: "health check ACCEPT", source: "192.168.0.2", destination: "192.168.0.2",
      port: 30000, output: "ACCEPT"),
  ]

  @Test(arguments: fixedCases)
  func fixedRules(_ c: PacketFlowCase) throws {
    c.check(try IPTablesTracer(rules: Self.fixedRules, nodeIPs: testNodeIPs))
  }

  /// The rows kube-proxy's `TestTracePacket` runs over the overall fixture's rules, plus
  /// rows for the NodePort, LB source-range and Local-policy paths of the same services.
  static let overallCases: [PacketFlowCase] = [
    .init(name: "no match", source: "10.0.0.2", destination: "10.0.0.3", port: 80, output: ""),
    .init(
      name: "single endpoint", source: "10.0.0.2", destination: "172.30.0.41", port: 80,
      output: "10.180.0.1:80"),
    .init(
      name: "multiple endpoints", source: "10.0.0.2", destination: "172.30.0.44", port: 80,
      output: "10.180.0.4:80, 10.180.0.5:80"),
    .init(
      name: "LOCAL, KUBE-MARK-MASQ", source: Fixture.testNodeIP, destination: "192.168.99.22",
      port: 80, output: "10.180.0.2:80", masq: true),
    .init(
      name: "DROP", source: Fixture.testExternalClient, destination: "192.168.99.22", port: 80,
      output: "DROP"),
    .init(
      name: "ACCEPT (NodePortHealthCheck)", source: Fixture.testNodeIP,
      destination: Fixture.testNodeIP, port: 30000, output: "ACCEPT"),
    .init(
      name: "REJECT", source: "10.0.0.2", destination: "172.30.0.46", port: 80, output: "REJECT"),
    .init(
      name: "external to NodePort", source: Fixture.testExternalClient,
      destination: Fixture.testNodeIP, port: 3003, output: "10.180.0.3:80", masq: true),
    .init(
      name: "localhost to NodePort", source: "127.0.0.1", destination: "127.0.0.1", port: 3003,
      output: "10.180.0.3:80", masq: true),
    .init(
      name: "pod to Local-policy NodePort is short-circuited", source: "10.0.0.2",
      destination: Fixture.testNodeIP, port: 3001, output: "10.180.0.2:80"),
    .init(
      name: "external to Local-policy NodePort without local endpoint",
      source: Fixture.testExternalClient, destination: Fixture.testNodeIP, port: 3001,
      output: "DROP"),
    .init(
      name: "accepted external to LB", source: Fixture.testExternalClient, destination: "5.6.7.8",
      port: 80, output: "10.180.0.3:80", masq: true),
    .init(
      name: "blocked external to LB", source: Fixture.testExternalClientBlocked,
      destination: "5.6.7.8", port: 80, output: "DROP"),
    .init(
      name: "pod to LB outside source ranges", source: "10.0.0.2", destination: "5.6.7.8",
      port: 80, output: "DROP"),
    .init(
      name: "external to external IP", source: Fixture.testExternalClient,
      destination: "192.168.99.33", port: 80, output: "10.180.0.4:80, 10.180.0.5:80", masq: true),
    .init(
      name: "external to ClusterIP is masqueraded", source: Fixture.testExternalClient,
      destination: "172.30.0.41", port: 80, output: "10.180.0.1:80", masq: true),
  ]

  /// kube-proxy's own expected rules (the golden file) give these results…
  @Test(arguments: overallCases)
  func overallGoldenRules(_ c: PacketFlowCase) throws {
    let golden = try Fixture.snapshot("overall-iptables.txt")
    c.check(try IPTablesTracer(rules: golden, nodeIPs: testNodeIPs))
  }

  /// …and so do the rules svclab renders for the same fixture.
  @Test(arguments: overallCases)
  func overallRenderedRules(_ c: PacketFlowCase) throws {
    let rendered = renderIPTablesRestore(
      node: Fixture.node, config: Fixture.config, decisions: Fixture.overallDecisions)
    c.check(try IPTablesTracer(rules: rendered, nodeIPs: testNodeIPs))
  }

  @Test func sourceIsLocalOverride() throws {
    let tracer = try IPTablesTracer(rules: Self.fixedRules, nodeIPs: [])
    let rules = """
      *filter
      COMMIT
      *nat
      :KUBE-SERVICES - [0:0]
      :KUBE-MARK-MASQ - [0:0]
      -A KUBE-SERVICES -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
      COMMIT
      """
    let local = try IPTablesTracer(rules: rules, nodeIPs: [])
    let src = Fixture.ip("192.168.0.2")
    let dst = Fixture.ip("10.0.0.1")
    #expect(!local.trace(source: src, destination: dst, port: 80).masquerade)
    #expect(local.trace(source: src, destination: dst, port: 80, sourceIsLocal: true).masquerade)
    #expect(tracer.localAddresses.contains(Fixture.ip("127.0.0.1")))
  }
}
