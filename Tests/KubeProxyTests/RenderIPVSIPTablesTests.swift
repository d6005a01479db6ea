import NetAddr
import Testing

@testable import KubeProxy

/// IPVS mode's iptables rules for kube-proxy's overall fixture (node `test-node`, six
/// Services): the ipset matches appear once their sets have members, the rest is constant.
@Suite struct RenderIPVSIPTablesTests {
  static var text: String {
    renderIPVSIPTablesRestore(
      node: Fixture.node, config: Fixture.config, decisions: Fixture.overallDecisions)
  }

  @Test(arguments: [
    "-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN",
    "-A KUBE-SERVICES -m comment --comment \"Kubernetes service cluster ip + port for masquerade "
      + "purpose\" -m set --match-set KUBE-CLUSTER-IP dst,dst ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ",
    // svc4's external IP (Cluster policy): masqueraded and accepted.
    "-A KUBE-SERVICES -m comment --comment \"Kubernetes service external ip + port for masquerade "
      + "and filter purpose\" -m set --match-set KUBE-EXTERNAL-IP dst,dst -j KUBE-MARK-MASQ",
    // svc2 (Local policy): its LB IP returns from KUBE-LOAD-BALANCER, its NodePort from
    // KUBE-NODE-PORT.
    "-A KUBE-LOAD-BALANCER -m comment --comment \"Kubernetes service load balancer ip + port with "
      + "externalTrafficPolicy=local\" -m set --match-set "
      + "KUBE-LOAD-BALANCER-LOCAL dst,dst -j RETURN",
    "-A KUBE-NODE-PORT -p tcp -m comment --comment \"Kubernetes nodeport TCP port with "
      + "externalTrafficPolicy=local\" -m set --match-set KUBE-NODE-PORT-LOCAL-TCP dst -j RETURN",
    // svc5's source ranges (the node 192.168.0.2 is outside 203.0.113.0/25).
    "-A KUBE-PROXY-FIREWALL -m comment --comment \"Kubernetes service load balancer ip + "
      + "port for load balancer with sourceRange\" -m set --match-set "
      + "KUBE-LOAD-BALANCER-FW dst,dst -j KUBE-SOURCE-RANGES-FIREWALL",
    "-A KUBE-IPVS-OUT-FILTER -s 5.6.7.8 -m ipvs --vaddr 5.6.7.8 --vproto tcp --vport 80 -j DROP",
    "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" "
      + "-m mark --mark 0x004000/0x004000 -j ACCEPT",
    "-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT",
    "-A KUBE-MARK-MASQ -j MARK --or-mark 0x004000",
  ])
  func writesKubeProxysRules(_ line: String) {
    #expect(Self.text.split(separator: "\n").contains(Substring(line)))
  }

  @Test func tablesAndChainsInKubeProxysOrder() {
    let lines = Self.text.split(separator: "\n")
    #expect(lines.first == "*nat")
    #expect(lines.filter { $0 == "COMMIT" }.count == 2)
    #expect(
      lines.filter { $0.hasPrefix(":") }.map { String($0.dropFirst().prefix { $0 != " " }) } == [
        "KUBE-SERVICES", "KUBE-POSTROUTING", "KUBE-NODE-PORT", "KUBE-LOAD-BALANCER",
        "KUBE-MARK-MASQ",
        "KUBE-FORWARD", "KUBE-NODE-PORT", "KUBE-PROXY-FIREWALL", "KUBE-SOURCE-RANGES-FIREWALL",
        "KUBE-IPVS-FILTER", "KUBE-IPVS-OUT-FILTER",
      ])
    // No UDP or SCTP NodePorts in the fixture: their set matches are left out.
    #expect(!Self.text.contains("KUBE-NODE-PORT-UDP"))
    #expect(!Self.text.contains("KUBE-NODE-PORT-SCTP-HASH"))
  }

  @Test func ipv6SetsAreNamedKube6() {
    #expect(IPVSSet.loadBalancerSourceCIDR.name(.v6) == "KUBE-6-LOAD-BALANCER-SOURCE-CID")
    #expect(IPVSSet.clusterIP.name(.v6) == "KUBE-6-CLUSTER-IP")
  }
}
