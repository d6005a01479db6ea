import NetAddr
import Testing

@testable import KubeProxy

/// One rendering variant: a change to the fixture's settings and lines that must (or must not)
/// appear in the restore input.
struct IPTablesVariantCase: CustomTestStringConvertible, Sendable {
  var name: String
  var configure: @Sendable (inout ProxyConfig, inout IPTablesRenderOptions) -> Void
  var present: [String]
  var absent: [String] = []
  var testDescription: String { name }
}

@Suite struct RenderIPTablesVariantTests {
  static let cases: [IPTablesVariantCase] = [
    .init(
      name: "random-fully on the MASQUERADE rule",
      configure: { config, _ in config.randomFully = true },
      present: [
        "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic "
          + "requiring SNAT\" -j MASQUERADE --random-fully"
      ]),
    .init(
      name: "masquerade-all marks every ClusterIP packet",
      configure: { config, _ in config.masqueradeAll = true },
      present: [
        "-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment \"ns1/svc1:p80 cluster IP\" -m tcp -p "
          + "tcp -d 172.30.0.41 --dport 80 -j KUBE-MARK-MASQ"
      ],
      absent: ["! -s 10.0.0.0/8"]),
    .init(
      name: "NodeCIDR detector uses the node's pod CIDR",
      configure: { config, _ in config.detectLocal = .nodeCIDR },
      present: [
        "-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment \"ns1/svc1:p80 cluster IP\" -m tcp -p "
          + "tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/24 -j KUBE-MARK-MASQ",
        "-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment \"pod traffic for ns2/svc2:p80 external "
          + "destinations\" -s 10.0.0.0/24 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT",
      ]),
    .init(
      name: "no detector: no ClusterIP masquerade and no pod short-circuit",
      configure: { config, _ in config.clusterCIDR = nil },
      present: [],
      absent: ["cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s", "pod traffic for"]),
    .init(
      name: "localhost NodePorts off: no 127/8 copies, no KUBE-FIREWALL, loopback excluded",
      configure: { config, _ in config.localhostNodePorts = false },
      present: [
        "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; "
          + "NOTE: this must be the last rule in this chain\" -m addrtype "
          + "--dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS"
      ],
      absent: ["localhost_nps_accepted_pkts", ":KUBE-FIREWALL"]),
    .init(
      name: "no nfacct counters",
      configure: { _, options in options.nfacctCounters = false },
      present: ["-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP"],
      absent: ["nfacct"]),
    .init(
      name: "tcp_be_liberal: no INVALID drop",
      configure: { _, options in options.conntrackTCPLiberal = true },
      present: [], absent: ["--ctstate INVALID"]),
    .init(
      name: "nodeport-addresses: one jump per matching node IP",
      configure: { config, _ in config.nodePortAddresses = [Fixture.cidr("192.168.0.0/24")] },
      present: [
        "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be "
          + "the last rule in this chain\" -d 192.168.0.2 -j KUBE-NODEPORTS"
      ],
      absent: ["--dst-type LOCAL -j KUBE-NODEPORTS", "localhost_nps_accepted_pkts"]),
    .init(
      name: "large-cluster mode drops endpoint comments",
      configure: { _, options in options.largeClusterEndpointsThreshold = 2 },
      present: [
        "-A KUBE-SEP-SXIVWICOYRO3J4NJ -s 10.180.0.1 -j KUBE-MARK-MASQ",
        "-A KUBE-SVC-4SW47YFZTEDKD3PK -m statistic --mode random --probability "
          + "0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC",
        "-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck "
          + "--seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN",
      ],
      absent: ["--comment ns1/svc1:p80 -s"]),
    .init(
      name: "stale service chains are flushed and deleted",
      configure: { _, options in
        options.existingNATChains = [
          "KUBE-SVC-XPGD46QRK7WJZT7O", "KUBE-SVC-AAAAAAAAAAAAAAAA", "OTHER",
        ]
      },
      present: [":KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]", "-X KUBE-SVC-AAAAAAAAAAAAAAAA"],
      absent: ["-X KUBE-SVC-XPGD46QRK7WJZT7O", "-X OTHER"]),
  ]

  @Test(arguments: cases)
  func variant(_ c: IPTablesVariantCase) throws {
    var config = Fixture.config
    var options = IPTablesRenderOptions()
    c.configure(&config, &options)
    let text = renderIPTablesRestore(
      node: Fixture.node, config: config, decisions: Fixture.overallDecisions, options: options)
    let lines = Set(text.split(separator: "\n").map(String.init))
    for line in c.present {
      #expect(lines.contains(line), "missing: \(line)")
    }
    for fragment in c.absent {
      #expect(!text.contains(fragment), "unexpected: \(fragment)")
    }
    _ = try sortIPTablesRules(text)  // still well-formed
  }

  /// A partial restore keeps the fixed chains and every KUBE-SERVICES rule but only the
  /// changed service's own chains.
  @Test func partialRestoreWritesOnlyChangedServiceChains() {
    var options = IPTablesRenderOptions()
    options.changedServices = ["ns4/svc4"]
    let text = renderIPTablesRestore(
      node: Fixture.node, config: Fixture.config, decisions: Fixture.overallDecisions,
      options: options)
    #expect(text.contains(":KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]"))
    #expect(text.contains(":KUBE-SEP-C6EBXVWJJZMIWKLZ - [0:0]"))
    #expect(!text.contains(":KUBE-SVC-XPGD46QRK7WJZT7O"))
    #expect(text.contains("-j KUBE-SVC-XPGD46QRK7WJZT7O"))  // KUBE-SERVICES still jumps there
    #expect(text.contains("-A KUBE-POSTROUTING"))
  }

  /// Probabilities are 1/(n−i) in `%0.10f` (kube-proxy's `TestComputeProbability` values).
  @Test(
    arguments: zip(
      [2, 3, 5, 6, 7, 100, 1000, 100000, 100001],
      [
        "0.5000000000", "0.3333333333", "0.2000000000", "0.1666666667", "0.1428571429",
        "0.0100000000", "0.0010000000", "0.0000100000", "0.0000099999",
      ]))
  func probabilityFormatting(n: Int, expected: String) {
    #expect(probability(n) == expected)
  }

  /// iTP=Local without a local endpoint: DROP in filter, no nat capture; eTP=Local LB with a
  /// local endpoint gets SVL and the final EXT → SVL jump.
  @Test func localPoliciesWriteSVLAndDrop() {
    let internalLocal = ProxyServicePort(
      name: Fixture.spn("ns7", "svc7", "p80"), type: .clusterIP, family: .v4,
      clusterIP: Fixture.ip("172.30.0.47"), port: 80, internalPolicyLocal: true)
    let externalLocal = ProxyServicePort(
      name: Fixture.spn("ns8", "svc8", "p80"), type: .loadBalancer, family: .v4,
      clusterIP: Fixture.ip("172.30.0.48"), port: 80, nodePort: 3008,
      loadBalancerVIPs: [Fixture.ip("9.10.11.12")], externalPolicyLocal: true,
      healthCheckNodePort: 30008)
    let remote = ProxyEndpoint(ip: Fixture.ip("10.180.1.1"), port: 80, nodeName: "node2")
    let local = ProxyEndpoint(ip: Fixture.ip("10.180.0.8"), port: 80, nodeName: "test-node")
    let text = renderIPTablesRestore(
      node: Fixture.node, config: Fixture.config,
      decisions: [
        Fixture.decide(internalLocal, [remote], node: "test-node"),
        Fixture.decide(externalLocal, [local, remote], node: "test-node"),
      ])
    #expect(
      text.contains(
        "-A KUBE-SERVICES -m comment --comment \"ns7/svc7:p80 has no local endpoints\" -m "
          + "tcp -p tcp -d 172.30.0.47 --dport 80 -j DROP"
      ))
    #expect(!text.contains("ns7/svc7:p80 cluster IP"))
    let svl = IPTablesChain.serviceLocal(externalLocal.name)
    let ext = IPTablesChain.serviceExternal(externalLocal.name)
    #expect(text.contains(":\(svl) - [0:0]"))
    #expect(text.contains("-A \(ext) -j \(svl)"))
    #expect(
      text.contains("-A \(svl) -m comment --comment \"ns8/svc8:p80 -> 10.180.0.8:80\" -j KUBE-SEP-")
    )
  }

  /// IPv6: only IPv6 services, no localhost NodePorts, `! -d ::1/128` on the NodePort jump.
  @Test func ipv6RestoreExcludesLoopbackNodePorts() {
    var config = Fixture.config
    config.clusterCIDR = Fixture.cidr("fd00:10::/64")
    var options = IPTablesRenderOptions()
    options.family = .v6
    let port = ProxyServicePort(
      name: Fixture.spn("ns1", "svc1", "p80"), type: .nodePort, family: .v6,
      clusterIP: Fixture.ip("fd00:172:30::41"), port: 80, nodePort: 3001)
    let ep = ProxyEndpoint(ip: Fixture.ip("fd00:10:180::1"), port: 80)
    let node = ProxyNode(
      name: "test-node", ips: [Fixture.ip("192.168.0.2"), Fixture.ip("2001:db8::1")],
      podCIDR: Fixture.cidr("10.0.0.0/24"))
    let text = renderIPTablesRestore(
      node: node, config: config,
      decisions: Fixture.overallDecisions + [Fixture.decide(port, [ep], node: "test-node")],
      options: options)
    #expect(text.contains("--dst-type LOCAL ! -d ::1/128 -j KUBE-NODEPORTS"))
    #expect(text.contains("-j DNAT --to-destination [fd00:10:180::1]:80"))
    #expect(text.contains("KUBE-SEP-OGYCNMB4EMRUSJ6N"))
    #expect(text.contains("! -s fd00:10::/64 -j KUBE-MARK-MASQ"))
    #expect(!text.contains("172.30.0.41"))
    #expect(!text.contains("KUBE-FIREWALL"))
    #expect(!text.contains("127.0.0.0/8"))
  }
}
