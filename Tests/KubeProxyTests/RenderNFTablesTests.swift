import NetAddr
import Testing

@testable import KubeProxy

@Suite struct RenderNFTablesTests {
  static var overall: String {
    renderNFTablesRuleset(
      node: Fixture.node, config: Fixture.config, decisions: Fixture.overallDecisions)
  }

  /// Rule texts from kube-proxy 1.35's nftables `TestOverallNFTablesRules`
  /// (pkg/proxy/nftables/proxier_test.go) for the same fixture; the service chain's
  /// masquerade rule matches only addresses since kubernetes/kubernetes#131492.
  @Test(arguments: [
    "\t\tip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade\n",
    "\t\tnumgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80, 1 "
      + ": goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }\n",
    "\t\tnumgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }\n",
    "\t\tip saddr 10.180.0.1 jump mark-for-masquerade\n",
    "\t\tmeta l4proto tcp dnat to 10.180.0.1:80\n",
    "\tchain external-42NFTM6N-ns2/svc2/tcp/p80 {\n\t\tip saddr 10.0.0.0/8 goto "
      + "service-42NFTM6N-ns2/svc2/tcp/p80 comment \"short-circuit pod traffic\"\n",
    "\t\tfib saddr type local jump mark-for-masquerade comment \"masquerade local traffic\"\n",
  ])
  func kubeProxyRuleTexts(_ fragment: String) {
    #expect(Self.overall.contains(fragment))
  }

  /// The listing layout of `nft list table` (as printed on real nodes): table header and
  /// comment, sets first, two IPv4 addresses per element line, concatenated keys one per line,
  /// element comments, base-chain declarations, blank lines between objects.
  @Test func listingLayout() {
    let text = Self.overall
    #expect(
      text.hasPrefix(
        "table ip kube-proxy {\n\tcomment \"rules for kube-proxy\"\n\tset cluster-ips {\n"
          + "\t\ttype ipv4_addr\n\t\tcomment \"Active ClusterIPs\"\n"
      ))
    #expect(
      text.contains(
        "\t\telements = { 172.30.0.41, 172.30.0.42,\n"
          + "\t\t\t     172.30.0.43, 172.30.0.44,\n\t\t\t     172.30.0.45, 172.30.0.46 }\n"
      ))
    #expect(
      text.contains(
        "\t\telements = { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80,\n"
          + "\t\t\t     172.30.0.42 . tcp . 80 : goto service-42NFTM6N-ns2/svc2/tcp/p80,\n"
      ))
    #expect(text.contains("172.30.0.46 . tcp . 80 comment \"ns6/svc6:p80\" : goto reject-chain"))
    #expect(text.contains("1.2.3.4 . tcp . 80 comment \"ns2/svc2:p80\" : drop"))
    #expect(text.contains("tcp . 3001 comment \"ns2/svc2:p80\" : drop"))
    #expect(
      text.contains(
        "\tchain nat-prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
          + "\t\tjump services\n\t}\n"
      ))
    #expect(
      text.contains(
        "\tchain reject-chain {\n"
          + "\t\tcomment \"helper for @no-endpoint-services / @no-endpoint-nodeports\"\n"
          + "\t\treject\n\t}\n"
      ))
    #expect(text.contains("\t}\n\n\tchain "))
    #expect(text.hasSuffix("\t}\n}\n"))
    // Default --nodeport-addresses in nftables mode: the node's primary IP.
    #expect(
      text.contains(
        "\tset nodeport-ips {\n\t\ttype ipv4_addr\n"
          + "\t\tcomment \"IPs that accept NodePort traffic\"\n\t\telements = { 192.168.0.2 }\n"
      ))
  }

  @Test func affinityAndFirewall() {
    let text = Self.overall
    let affinity =
      "affinity-"
      + NFTablesName.endpointBase(
        Fixture.spn("ns5", "svc5", "p80"),
        ProxyEndpoint(ip: Fixture.ip("10.180.0.3"), port: 80))
    // nft lists the size the kernel gives a dynamic set.
    #expect(
      text.contains(
        "\tset \(affinity) {\n\t\ttype ipv4_addr\n\t\tsize 65535\n"
          + "\t\tflags dynamic,timeout\n\t\ttimeout 3h\n\t}\n"
      ))
    #expect(text.contains("update @\(affinity) { ip saddr }"))
    #expect(text.contains("ip saddr @\(affinity) goto endpoint-"))
    // kube-proxy writes `ip saddr != { 203.0.113.0/25 } drop`; nft lists a one-element
    // anonymous set as the element alone.
    #expect(text.contains("\t\tip saddr != 203.0.113.0/25 drop\n"))
    #expect(text.contains("5.6.7.8 . tcp . 80 : goto firewall-"))
  }

  @Test(arguments: zip([10800, 10, 86400, 90061], ["3h", "10s", "1d", "1d1h1m1s"]))
  func durations(seconds: Int, text: String) {
    #expect(nftDuration(seconds) == text)
  }

  @Test func ipv6TableUsesIP6Matches() {
    var config = Fixture.config
    config.clusterCIDR = Fixture.cidr("fd00:10::/64")
    let port = ProxyServicePort(
      name: Fixture.spn("ns1", "svc1", "p80"), type: .clusterIP, family: .v6,
      clusterIP: Fixture.ip("fd00:172:30::41"), port: 80)
    let ep = ProxyEndpoint(ip: Fixture.ip("fd00:10:180::1"), port: 80)
    let node = ProxyNode(
      name: "test-node", ips: [Fixture.ip("2001:db8::1")], podCIDR: Fixture.cidr("fd00:10::/64"))
    let text = renderNFTablesRuleset(
      node: node, config: config, decisions: [Fixture.decide(port, [ep], node: "test-node")],
      family: .v6)
    #expect(text.hasPrefix("table ip6 kube-proxy {"))
    #expect(
      text.contains("ip6 daddr fd00:172:30::41 ip6 saddr != fd00:10::/64 jump mark-for-masquerade"))
    #expect(text.contains("meta l4proto tcp dnat to [fd00:10:180::1]:80"))
    #expect(text.contains("endpoint-") && text.contains("__fd00.10.180..1/80"))
  }

  /// A ClusterIP with several ports is one element of the `cluster-ips` set: nft sets hold
  /// each key once.
  @Test func clusterIPWithSeveralPortsIsOneSetElement() {
    let ports = [("p80", 80), ("p443", 443), ("p53", 53)].map { name, number in
      svcPort("multi", port: name, clusterIP: "172.30.0.50", number: number)
    }
    let decisions = ports.map { Fixture.decide($0, [ep("10.180.0.9")], node: Fixture.node.name) }
    let text = renderNFTablesRuleset(
      node: Fixture.node, config: Fixture.config, decisions: decisions)
    #expect(text.contains("\t\telements = { 172.30.0.50 }\n"))
    #expect(text.components(separatedBy: "172.30.0.50 . tcp . ").count == 4)
  }

  /// nft lists a set of addresses in address order, whatever order they were added in (its
  /// maps with concatenated keys keep the kernel's hash order instead).
  @Test func clusterIPsAreListedInAddressOrder() {
    let decisions = [("b", "172.30.0.50"), ("a", "172.30.0.9"), ("c", "10.96.0.10")].map {
      name, address in
      Fixture.decide(svcPort(name, clusterIP: address), [ep("10.180.0.9")], node: Fixture.node.name)
    }
    let text = renderNFTablesRuleset(
      node: Fixture.node, config: Fixture.config, decisions: decisions)
    #expect(text.contains("\t\telements = { 10.96.0.10, 172.30.0.9,\n\t\t\t     172.30.0.50 }\n"))
  }

  /// kube-proxy drops traffic to unallocated addresses of the Service CIDRs (one CIDR prints
  /// as a bare prefix, several as a set), only for the table's own family.
  @Test func unallocatedClusterIPsAreDropped() throws {
    var config = Fixture.config
    #expect(!Self.overall.contains("Drop traffic to unallocated ClusterIPs"))
    config.serviceCIDRs = [try #require(CIDR("172.30.0.0/16"))]
    let one = renderNFTablesRuleset(
      node: Fixture.node, config: config, decisions: Fixture.overallDecisions)
    #expect(
      one.contains(
        "\t\tip daddr 172.30.0.0/16 drop comment \"Drop traffic to unallocated ClusterIPs\"\n"))
    config.serviceCIDRs += [
      try #require(CIDR("10.96.0.0/12")), try #require(CIDR("fd00:10:96::/112")),
    ]
    let two = renderNFTablesRuleset(
      node: Fixture.node, config: config, decisions: Fixture.overallDecisions)
    #expect(two.contains("\t\tip daddr { 10.96.0.0/12, 172.30.0.0/16 } drop comment"))
  }

  /// The base chains and their jumps as kube-proxy 1.35 sets them up (`baseRules` of its
  /// nftables proxier_test.go; PR kubernetes/kubernetes#132456, which fixed #131765), with the
  /// priorities as `nft list ruleset` (nft 1.0.6) prints -110, 0, -100 and 100 on each hook.
  @Test(arguments: [
    (
      "filter-prerouting-pre-dnat",
      "type filter hook prerouting priority dstnat - 10; policy accept;",
      ["ct state new jump firewall-check"]
    ),
    (
      "filter-output-pre-dnat", "type filter hook output priority -110; policy accept;",
      ["ct state new jump firewall-check"]
    ),
    (
      "filter-input", "type filter hook input priority filter; policy accept;",
      ["ct state new jump nodeport-endpoints-check", "ct state new jump service-endpoints-check"]
    ),
    (
      "filter-forward", "type filter hook forward priority filter; policy accept;",
      ["ct state new jump service-endpoints-check", "ct state new jump cluster-ips-check"]
    ),
    (
      "filter-output", "type filter hook output priority filter; policy accept;",
      ["ct state new jump service-endpoints-check", "ct state new jump cluster-ips-check"]
    ),
    (
      "nat-prerouting", "type nat hook prerouting priority dstnat; policy accept;",
      ["jump services"]
    ),
    ("nat-output", "type nat hook output priority -100; policy accept;", ["jump services"]),
    (
      "nat-postrouting", "type nat hook postrouting priority srcnat; policy accept;",
      ["jump masquerading"]
    ),
  ])
  func baseChainsOfKubeProxy135(chain: String, declaration: String, rules: [String]) {
    let block =
      (["\tchain \(chain) {", "\t\t" + declaration] + rules.map { "\t\t" + $0 } + ["\t}"])
      .map { $0 + "\n" }.joined()
    #expect(Self.overall.contains(block))
  }

  /// 1.33's layout is gone: no post-DNAT output chain, no endpoint check before DNAT.
  @Test func noPreFixLayout() {
    #expect(!Self.overall.contains("filter-output-post-dnat"))
    #expect(!Self.overall.contains("priority dstnat + 10"))
  }

  /// Anonymous sets as nft 1.0.6 lists them (`nft -f` then `nft list ruleset`): one element
  /// alone, host prefixes as addresses, elements sorted by address.
  @Test(arguments: [
    (["203.0.113.0/25"], "203.0.113.0/25"),
    (["1.2.3.4/32"], "1.2.3.4"),
    (
      ["203.0.113.0/25", "192.168.0.0/24", "5.6.7.8/32", "1.2.3.4/32"],
      "{ 1.2.3.4, 5.6.7.8, 192.168.0.0/24, 203.0.113.0/25 }"
    ),
    (["10.0.0.1/32", "9.0.0.1/32"], "{ 9.0.0.1, 10.0.0.1 }"),
    (["fd00:10:96::/112"], "fd00:10:96::/112"),
    (["2001:db8:1::1/128", "2001:db8::/64"], "{ 2001:db8::/64, 2001:db8:1::1 }"),
  ])
  func anonymousSetListing(cidrs: [String], text: String) {
    #expect(nftAnonymousSet(cidrs.compactMap { CIDR($0) }) == text)
  }
}
