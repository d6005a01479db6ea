import NetAddr
import Testing

@testable import KubeProxy

/// kube-proxy's `packetFlowTest` rows (pkg/proxy/nftables/proxier_test.go, with the same rows in
/// pkg/proxy/iptables/proxier_test.go), run as the lab's `connect` over the same cluster shape:
/// node `test-node` is 192.168.0.2 (NodePorts on it alone, `--nodeport-addresses
/// 192.168.0.2/32`), pods are in 10.0.0.0/8, ClusterIPs in 172.30.0.0/16, clients outside at
/// 203.0.113.2 (allowed by the source range 203.0.113.0/25) and 203.0.113.130 (blocked).
///
/// The second node, test-node2 (192.168.0.3), holds the endpoints upstream puts on other
/// nodes; its name sorts after test-node so that the lab routes external IPs (to the first node
/// by name) to test-node, as upstream evaluates every packet there.
///
/// Harness details, written here once: upstream evaluates each packet against test-node's
/// ruleset whatever the source; here a source pod lives on test-node (so test-node's rules
/// see it, as upstream's do), and the backends are real pods that accept any port. An output
/// of several endpoints means "any of these"; it is checked over repeated connections.
/// `masq` is upstream's "the masquerade mark was set"; here, that the trace has a masquerade
/// (SNAT) step — the address the backend sees can be the source's own (a node masqueraded to
/// its own IP). An empty output is upstream's "no rule matched" (iptables mode leaves such a
/// packet alone); the lab then routes it, and nothing answers at a ClusterIP: unreachable.
struct PacketFlowRow: CustomTestStringConvertible, Sendable {
  var source: String
  var name: String
  var sourceIP: String
  var destIP: String
  var destPort: Int
  var proto: ProxyProtocol = .tcp
  /// "ip:port[, ip:port…]", "REJECT" or "DROP".
  var output: String
  var masq = false
  var testDescription: String { "\(source): \(name)" }
}

/// The fake proxier's world (NewFakeProxier) plus the pods and nodes the rows need.
struct UpstreamShape {
  var cluster: ProxyCluster
  var rng = SeededGenerator(seed: 7)
  static let testNode = "test-node"

  init(mode: ProxyConfig.Mode, clients: [String]) {
    cluster = ProxyCluster(namer: TestChainNamer(), podNetwork: .bgp)
    var config = ProxyConfig()
    config.mode = mode
    config.clusterCIDR = cidr("10.0.0.0/8")
    config.serviceCIDRs = [cidr("172.30.0.0/16")]
    config.nodePortAddresses = [cidr("192.168.0.2/32")]
    cluster.setProxyConfig(config)
    cluster.upsertNode(
      ProxyNode(name: Self.testNode, ips: [ip("192.168.0.2")], podCIDR: cidr("10.180.0.0/24")))
    cluster.upsertNode(
      ProxyNode(name: "test-node2", ips: [ip("192.168.0.3")], podCIDR: cidr("10.180.2.0/24")))
    for (i, address) in clients.enumerated() {
      cluster.upsertPod(
        ProxyPod(namespace: "clients", name: "c\(i)", ips: [ip(address)], nodeName: Self.testNode))
    }
  }

  /// A backend pod (any port) and the endpoint of it; `local` sets its nodeName to test-node.
  mutating func backend(_ address: String, node: String) {
    cluster.upsertPod(
      ProxyPod(namespace: "backends", name: address, ips: [ip(address)], nodeName: node))
  }

  mutating func run(_ row: PacketFlowRow, tries: Int = 24) {
    let source: ConnectSource
    if row.sourceIP == "192.168.0.2" {
      source = .node(Self.testNode)
    } else if let pod = cluster.pods.values.first(where: { $0.ips.contains(ip(row.sourceIP)) }) {
      source = .pod(NamespacedName(namespace: pod.namespace, name: pod.name))
    } else {
      source = .external(ip(row.sourceIP))
    }
    let destination = ConnectDestination(ip: ip(row.destIP), port: row.destPort, proto: row.proto)
    var reached: Set<String> = []
    var failures: Set<ConnectFailureKind> = []
    var masqueraded: Set<Bool> = []
    for _ in 0..<tries {
      let outcome = cluster.connect(from: source, to: destination, using: &rng)
      switch outcome.result {
      case .success(let c):
        reached.insert(c.podIP.joined(port: c.port))
        _ = c
        masqueraded.insert(outcome.trace.contains { $0.kind == .snat })
      case .failure(let f):
        failures.insert(f.kind)
      }
    }
    switch row.output {
    case "":
      #expect(reached.isEmpty && failures == [.unreachable], "\(row.source): \(row.name)")
    case "REJECT":
      #expect(reached.isEmpty && failures == [.refused], "\(row.source): \(row.name)")
    case "DROP":
      #expect(reached.isEmpty && failures == [.dropped], "\(row.source): \(row.name)")
    default:
      let expected = Set(row.output.components(separatedBy: ", "))
      #expect(failures.isEmpty && reached == expected, "\(row.source): \(row.name)")
      #expect(masqueraded == [row.masq], "\(row.source): \(row.name) masq")
    }
  }
}

private let nft = "pkg/proxy/nftables/proxier_test.go"

/// TestClusterIPGeneral: svc1 172.30.0.41 http/80 (endpoint 10.180.0.1 on test-node); svc2
/// 172.30.0.42 with http 80, https 443→8443, dns-udp 53, dns-tcp 53→5353, dns-sctp 53
/// (endpoints 10.180.0.1 on test-node and 10.180.2.1 on node2).
let clusterIPGeneralRows: [PacketFlowRow] = [
  .init(
    source: "\(nft) TestClusterIPGeneral", name: "simple clusterIP", sourceIP: "10.180.0.2",
    destIP: "172.30.0.41", destPort: 80, output: "10.180.0.1:80"),
  .init(
    source: "\(nft) TestClusterIPGeneral", name: "hairpin to cluster IP", sourceIP: "10.180.0.1",
    destIP: "172.30.0.41", destPort: 80, output: "10.180.0.1:80", masq: true),
  .init(
    source: "\(nft) TestClusterIPGeneral", name: "clusterIP with multiple endpoints",
    sourceIP: "10.180.0.2", destIP: "172.30.0.42", destPort: 80,
    output: "10.180.0.1:80, 10.180.2.1:80"),
  .init(
    source: "\(nft) TestClusterIPGeneral", name: "clusterIP with TargetPort",
    sourceIP: "10.180.0.2", destIP: "172.30.0.42", destPort: 443,
    output: "10.180.0.1:8443, 10.180.2.1:8443"),
  .init(
    source: "\(nft) TestClusterIPGeneral",
    name: "clusterIP with TCP, UDP, and SCTP on same port (TCP)", sourceIP: "10.180.0.2",
    destIP: "172.30.0.42", destPort: 53, proto: .tcp, output: "10.180.0.1:5353, 10.180.2.1:5353"),
  .init(
    source: "\(nft) TestClusterIPGeneral",
    name: "clusterIP with TCP, UDP, and SCTP on same port (UDP)", sourceIP: "10.180.0.2",
    destIP: "172.30.0.42", destPort: 53, proto: .udp, output: "10.180.0.1:53, 10.180.2.1:53"),
  .init(
    source: "\(nft) TestClusterIPGeneral",
    name: "clusterIP with TCP, UDP, and SCTP on same port (SCTP)", sourceIP: "10.180.0.2",
    destIP: "172.30.0.42", destPort: 53, proto: .sctp, output: "10.180.0.1:53, 10.180.2.1:53"),
  .init(
    source: "\(nft) TestClusterIPGeneral", name: "TCP-only port does not match UDP traffic",
    sourceIP: "10.180.0.2", destIP: "172.30.0.42", destPort: 80, proto: .udp, output: "REJECT"),
  .init(
    source: "\(nft) TestClusterIPGeneral", name: "svc1 does not accept svc2's ports",
    sourceIP: "10.180.0.2", destIP: "172.30.0.41", destPort: 443, output: "REJECT"),
  .init(
    source: "\(nft) TestClusterIPGeneral", name: "packet to unallocated cluster ip",
    sourceIP: "10.180.0.2", destIP: "172.30.0.50", destPort: 80, output: "DROP"),
]

/// The iptables proxier_test's TestClusterIPGeneral has the same rows but two: in iptables mode
/// no rule matches another port or protocol of a ClusterIP (output ""), and it has no row for
/// unallocated ClusterIPs.
let clusterIPGeneralRowsIPTables: [PacketFlowRow] = clusterIPGeneralRows.compactMap { row in
  var r = row
  r.source = "pkg/proxy/iptables/proxier_test.go TestClusterIPGeneral"
  switch row.name {
  case "packet to unallocated cluster ip": return nil
  case "TCP-only port does not match UDP traffic", "svc1 does not accept svc2's ports":
    r.output = ""
  default: break
  }
  return r
}

/// TestLoadBalancer: ns1/svc1 172.30.0.41:80, NodePort 3001, LB IPs 1.2.3.4 and 5.6.7.8,
/// source ranges 192.168.0.0/24 and 203.0.113.0/25, one endpoint 10.180.0.1 (no node name).
let loadBalancerRows: [PacketFlowRow] = {
  let s = "\(nft) TestLoadBalancer"
  let ep = "10.180.0.1:80"
  return [
    .init(
      source: s, name: "pod to cluster IP", sourceIP: "10.0.0.2", destIP: "172.30.0.41",
      destPort: 80, output: ep),
    .init(
      source: s, name: "external to nodePort", sourceIP: "203.0.113.2", destIP: "192.168.0.2",
      destPort: 3001, output: ep, masq: true),
    .init(
      source: s, name: "nodePort bypasses LoadBalancerSourceRanges", sourceIP: "203.0.113.130",
      destIP: "192.168.0.2", destPort: 3001, output: ep, masq: true),
    .init(
      source: s, name: "accepted external to LB1", sourceIP: "203.0.113.2", destIP: "1.2.3.4",
      destPort: 80, output: ep, masq: true),
    .init(
      source: s, name: "accepted external to LB2", sourceIP: "203.0.113.2", destIP: "5.6.7.8",
      destPort: 80, output: ep, masq: true),
    .init(
      source: s, name: "blocked external to LB1", sourceIP: "203.0.113.130", destIP: "1.2.3.4",
      destPort: 80, output: "DROP"),
    .init(
      source: s, name: "blocked external to LB2", sourceIP: "203.0.113.130", destIP: "5.6.7.8",
      destPort: 80, output: "DROP"),
    .init(
      source: s, name: "pod to LB1 (blocked by LoadBalancerSourceRanges)", sourceIP: "10.0.0.2",
      destIP: "1.2.3.4", destPort: 80, output: "DROP"),
    .init(
      source: s, name: "pod to LB2 (blocked by LoadBalancerSourceRanges)", sourceIP: "10.0.0.2",
      destIP: "5.6.7.8", destPort: 80, output: "DROP"),
    .init(
      source: s, name: "node to LB1 (allowed by LoadBalancerSourceRanges)", sourceIP: "192.168.0.2",
      destIP: "1.2.3.4", destPort: 80, output: ep, masq: true),
    .init(
      source: s, name: "node to LB2 (allowed by LoadBalancerSourceRanges)", sourceIP: "192.168.0.2",
      destIP: "5.6.7.8", destPort: 80, output: ep, masq: true),
    // "same node to LB1/LB2, SNATted to LB1/LB2 (implicitly allowed)": the source address is
    // the LB IP, which the harness injects to stand for SNAT done outside kube-proxy; a lab
    // source is a pod, a node or an outside client, so these two rows are not ported.
  ]
}()

/// TestNoEndpointsReject: ns1/svc1 LoadBalancer 172.30.0.41:80, NodePort 3001, external IP
/// 192.168.99.11, LB IP 1.2.3.4, no endpoints.
let noEndpointsRows: [PacketFlowRow] = {
  let s = "\(nft) TestNoEndpointsReject"
  return [
    .init(
      source: s, name: "pod to cluster IP with no endpoints", sourceIP: "10.0.0.2",
      destIP: "172.30.0.41", destPort: 80, output: "REJECT"),
    .init(
      source: s, name: "external to external IP with no endpoints", sourceIP: "203.0.113.2",
      destIP: "192.168.99.11", destPort: 80, output: "REJECT"),
    .init(
      source: s, name: "pod to NodePort with no endpoints", sourceIP: "10.0.0.2",
      destIP: "192.168.0.2", destPort: 3001, output: "REJECT"),
    .init(
      source: s, name: "external to NodePort with no endpoints", sourceIP: "203.0.113.2",
      destIP: "192.168.0.2", destPort: 3001, output: "REJECT"),
    .init(
      source: s, name: "pod to LoadBalancer IP with no endpoints", sourceIP: "10.0.0.2",
      destIP: "1.2.3.4", destPort: 80, output: "REJECT"),
    .init(
      source: s, name: "external to LoadBalancer IP with no endpoints", sourceIP: "203.0.113.2",
      destIP: "1.2.3.4", destPort: 80, output: "REJECT"),
  ]
}()

/// TestExternalTrafficPolicyLocal / TestExternalTrafficPolicyCluster: ns1/svc1 LoadBalancer
/// 172.30.0.41:80, NodePort 3001, external IP 192.168.99.11, LB IP 1.2.3.4; endpoints 10.180.0.1
/// (no node name) and 10.180.2.1 on test-node.
let externalPolicyLocalRows: [PacketFlowRow] = {
  let s = "\(nft) TestExternalTrafficPolicyLocal"
  let both = "10.180.0.1:80, 10.180.2.1:80"
  let local = "10.180.2.1:80"
  return [
    .init(
      source: s, name: "pod to cluster IP hits both endpoints, unmasqueraded", sourceIP: "10.0.0.2",
      destIP: "172.30.0.41", destPort: 80, output: both),
    .init(
      source: s, name: "pod to external IP hits both endpoints, unmasqueraded",
      sourceIP: "10.0.0.2", destIP: "192.168.99.11", destPort: 80, output: both),
    .init(
      source: s, name: "external to external IP hits only local endpoint, unmasqueraded",
      sourceIP: "203.0.113.2", destIP: "192.168.99.11", destPort: 80, output: local),
    .init(
      source: s, name: "pod to LB IP hits only both endpoints, unmasqueraded", sourceIP: "10.0.0.2",
      destIP: "1.2.3.4", destPort: 80, output: both),
    .init(
      source: s, name: "external to LB IP hits only local endpoint, unmasqueraded",
      sourceIP: "203.0.113.2", destIP: "1.2.3.4", destPort: 80, output: local),
    .init(
      source: s, name: "pod to NodePort hits both endpoints, unmasqueraded", sourceIP: "10.0.0.2",
      destIP: "192.168.0.2", destPort: 3001, output: both),
    .init(
      source: s, name: "external to NodePort hits only local endpoint, unmasqueraded",
      sourceIP: "203.0.113.2", destIP: "192.168.0.2", destPort: 3001, output: local),
  ]
}()

let externalPolicyClusterRows: [PacketFlowRow] = {
  let s = "\(nft) TestExternalTrafficPolicyCluster"
  let both = "10.180.0.1:80, 10.180.2.1:80"
  return [
    .init(
      source: s, name: "pod to cluster IP hits both endpoints, unmasqueraded", sourceIP: "10.0.0.2",
      destIP: "172.30.0.41", destPort: 80, output: both),
    .init(
      source: s, name: "pod to external IP hits both endpoints, masqueraded", sourceIP: "10.0.0.2",
      destIP: "192.168.99.11", destPort: 80, output: both, masq: true),
    .init(
      source: s, name: "external to external IP hits both endpoints, masqueraded",
      sourceIP: "203.0.113.2", destIP: "192.168.99.11", destPort: 80, output: both, masq: true),
    .init(
      source: s, name: "pod to LB IP hits both endpoints, masqueraded", sourceIP: "10.0.0.2",
      destIP: "1.2.3.4", destPort: 80, output: both, masq: true),
    .init(
      source: s, name: "external to LB IP hits both endpoints, masqueraded",
      sourceIP: "203.0.113.2", destIP: "1.2.3.4", destPort: 80, output: both, masq: true),
    .init(
      source: s, name: "pod to NodePort hits both endpoints, masqueraded", sourceIP: "10.0.0.2",
      destIP: "192.168.0.2", destPort: 3001, output: both, masq: true),
    .init(
      source: s, name: "external to NodePort hits both endpoints, masqueraded",
      sourceIP: "203.0.113.2", destIP: "192.168.0.2", destPort: 3001, output: both, masq: true),
  ]
}()

@Suite struct UpstreamPacketFlowTests {
  static func externalPolicyShape(mode: ProxyConfig.Mode, local: Bool) -> UpstreamShape {
    var shape = UpstreamShape(mode: mode, clients: ["10.0.0.2"])
    shape.backend("10.180.0.1", node: "test-node2")
    shape.backend("10.180.2.1", node: UpstreamShape.testNode)
    shape.cluster.updateService(
      NamespacedName(namespace: "ns1", name: "svc1"), previous: nil,
      current: [
        ProxyServicePort(
          name: ServicePortName(namespace: "ns1", name: "svc1", port: "p80", proto: .tcp),
          type: .loadBalancer,
          family: .v4, clusterIP: ip("172.30.0.41"), port: 80, nodePort: 3001,
          externalIPs: [ip("192.168.99.11")], loadBalancerVIPs: [ip("1.2.3.4")],
          externalPolicyLocal: local, healthCheckNodePort: local ? 30000 : 0)
      ])
    shape.cluster.updateEndpointSlice(
      previous: nil,
      current: ProxyEndpointSlice(
        namespace: "ns1", name: "svc1-1", serviceName: "svc1", addressType: .v4,
        endpoints: [
          .init(addresses: [ip("10.180.0.1")]),
          .init(addresses: [ip("10.180.2.1")], nodeName: UpstreamShape.testNode),
        ],
        ports: [.init(name: "p80", port: 80, proto: .tcp)]))
    shape.cluster.sync()
    return shape
  }

  /// The nftables file's rows, run in both modes (the iptables file's
  /// TestExternalTrafficPolicyLocal has four of them, with the same outputs).
  @Test(arguments: modes, externalPolicyLocalRows)
  func externalTrafficPolicyLocal(mode: ProxyConfig.Mode, row: PacketFlowRow) {
    var shape = Self.externalPolicyShape(mode: mode, local: true)
    shape.run(row)
  }

  @Test(arguments: modes, externalPolicyClusterRows)
  func externalTrafficPolicyCluster(mode: ProxyConfig.Mode, row: PacketFlowRow) {
    var shape = Self.externalPolicyShape(mode: mode, local: false)
    shape.run(row)
  }

  static let modes: [ProxyConfig.Mode] = [.nftables, .iptables]

  @Test(arguments: [ProxyConfig.Mode.nftables], clusterIPGeneralRows)
  func clusterIPGeneralNFTables(mode: ProxyConfig.Mode, row: PacketFlowRow) {
    Self.clusterIPGeneral(mode: mode, row: row)
  }

  @Test(arguments: [ProxyConfig.Mode.iptables], clusterIPGeneralRowsIPTables)
  func clusterIPGeneralIPTables(mode: ProxyConfig.Mode, row: PacketFlowRow) {
    Self.clusterIPGeneral(mode: mode, row: row)
  }

  static func clusterIPGeneral(mode: ProxyConfig.Mode, row: PacketFlowRow) {
    var shape = UpstreamShape(mode: mode, clients: ["10.180.0.2"])
    shape.backend("10.180.0.1", node: UpstreamShape.testNode)
    shape.backend("10.180.2.1", node: "test-node2")
    let p = { (n: String, number: Int, proto: ProxyProtocol) in
      ProxyServicePort(
        name: ServicePortName(namespace: "ns2", name: "svc2", port: n, proto: proto),
        type: .clusterIP,
        family: .v4, clusterIP: ip("172.30.0.42"), port: number)
    }
    shape.cluster.updateService(
      NamespacedName(namespace: "ns1", name: "svc1"), previous: nil,
      current: [
        ProxyServicePort(
          name: ServicePortName(namespace: "ns1", name: "svc1", port: "http", proto: .tcp),
          type: .clusterIP,
          family: .v4, clusterIP: ip("172.30.0.41"), port: 80)
      ])
    shape.cluster.updateService(
      NamespacedName(namespace: "ns2", name: "svc2"), previous: nil,
      current: [
        p("http", 80, .tcp), p("https", 443, .tcp), p("dns-udp", 53, .udp), p("dns-tcp", 53, .tcp),
        p("dns-sctp", 53, .sctp),
      ])
    shape.cluster.updateEndpointSlice(
      previous: nil,
      current: ProxyEndpointSlice(
        namespace: "ns1", name: "svc1-1", serviceName: "svc1", addressType: .v4,
        endpoints: [.init(addresses: [ip("10.180.0.1")], nodeName: UpstreamShape.testNode)],
        ports: [.init(name: "http", port: 80, proto: .tcp)]))
    shape.cluster.updateEndpointSlice(
      previous: nil,
      current: ProxyEndpointSlice(
        namespace: "ns2", name: "svc2-1", serviceName: "svc2", addressType: .v4,
        endpoints: [
          .init(addresses: [ip("10.180.0.1")], nodeName: UpstreamShape.testNode),
          .init(addresses: [ip("10.180.2.1")], nodeName: "test-node2"),
        ],
        ports: [
          .init(name: "http", port: 80, proto: .tcp), .init(name: "https", port: 8443, proto: .tcp),
          .init(name: "dns-udp", port: 53, proto: .udp),
          .init(name: "dns-tcp", port: 5353, proto: .tcp),
          .init(name: "dns-sctp", port: 53, proto: .sctp),
        ]))
    shape.cluster.sync()
    shape.run(row)
  }

  static func loadBalancerShape(mode: ProxyConfig.Mode, endpoints: Bool) -> UpstreamShape {
    var shape = UpstreamShape(mode: mode, clients: ["10.0.0.2"])
    shape.backend("10.180.0.1", node: UpstreamShape.testNode)
    shape.cluster.updateService(
      NamespacedName(namespace: "ns1", name: "svc1"), previous: nil,
      current: [
        ProxyServicePort(
          name: ServicePortName(namespace: "ns1", name: "svc1", port: "p80", proto: .tcp),
          type: .loadBalancer,
          family: .v4, clusterIP: ip("172.30.0.41"), port: 80, nodePort: 3001,
          externalIPs: endpoints ? [] : [ip("192.168.99.11")],
          loadBalancerVIPs: endpoints ? [ip("1.2.3.4"), ip("5.6.7.8")] : [ip("1.2.3.4")],
          loadBalancerSourceRanges: endpoints
            ? [cidr("192.168.0.0/24"), cidr("203.0.113.0/25")] : [])
      ])
    if endpoints {
      shape.cluster.updateEndpointSlice(
        previous: nil,
        current: ProxyEndpointSlice(
          namespace: "ns1", name: "svc1-1", serviceName: "svc1", addressType: .v4,
          endpoints: [.init(addresses: [ip("10.180.0.1")])],
          ports: [.init(name: "p80", port: 80, proto: .tcp)]))
    }
    shape.cluster.sync()
    return shape
  }

  /// TestLoadBalancer and TestNoEndpointsReject have the same rows in both proxier tests.
  static func sourced(_ row: PacketFlowRow, _ mode: ProxyConfig.Mode) -> PacketFlowRow {
    var r = row
    if mode == .iptables {
      r.source = r.source.replacingOccurrences(
        of: "pkg/proxy/nftables/", with: "pkg/proxy/iptables/")
    }
    return r
  }

  @Test(arguments: modes, loadBalancerRows)
  func loadBalancer(mode: ProxyConfig.Mode, row: PacketFlowRow) {
    var shape = Self.loadBalancerShape(mode: mode, endpoints: true)
    shape.run(Self.sourced(row, mode))
  }

  @Test(arguments: modes, noEndpointsRows)
  func noEndpointsReject(mode: ProxyConfig.Mode, row: PacketFlowRow) {
    var shape = Self.loadBalancerShape(mode: mode, endpoints: false)
    shape.run(Self.sourced(row, mode))
  }
}

/// kubernetes/kubernetes#131765, fixed by #132456 (kube-proxy 1.34+): a process on a node with
/// no local endpoint of an `externalTrafficPolicy: Local` load balancer reaches its IP. The
/// rendered table still drops that IP:port in `no-endpoint-services`, but that map is read only
/// after DNAT (`filter-output` at priority `filter`), when the short-circuit rules have already
/// rewritten the destination — so `connect` and the rules agree.
@Suite struct LocalPolicyFromNodeTests {
  @Test(arguments: [ProxyConfig.Mode.nftables, .iptables, .ipvs])
  func nodeReachesLocalPolicyBalancerWithoutLocalEndpoint(mode: ProxyConfig.Mode) {
    var f = PacketFixture(mode: mode, backends: [2], eTPLocal: true)
    let outcome = f.connect(.node("node-1"), "1.2.3.4", 80)
    #expect(outcome.connection?.pod?.name == "web-2")
    #expect(outcome.connection?.entryNode == "node-1")
  }

  @Test func theDropIsReadOnlyAfterDNAT() {
    let f = PacketFixture(mode: .nftables, backends: [2], eTPLocal: true)
    let node = f.cluster.nodes["node-1"]!
    let text = renderNFTablesRuleset(
      node: node, config: f.cluster.config(for: "node-1"),
      decisions: f.cluster.decisions(node: "node-1"))
    #expect(text.contains("1.2.3.4 . tcp . 80 comment \"ns1/web:p80\" : drop"))
    #expect(
      text.contains(
        "\tchain filter-output {\n\t\ttype filter hook output priority filter; policy accept;\n"
          + "\t\tct state new jump service-endpoints-check\n"
      ))
    #expect(text.contains("fib saddr type local goto service-"))
    #expect(
      !text.contains(
        "chain filter-output-pre-dnat {\n"
          + "\t\ttype filter hook output priority -110; policy accept;\n"
          + "\t\tct state new jump service-endpoints-check"
      ))
  }
}
