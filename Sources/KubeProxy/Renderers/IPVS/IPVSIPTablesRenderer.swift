import NetAddr

/// The ipsets kube-proxy's IPVS mode matches from iptables, with their comments
/// (`pkg/proxy/ipvs/ipset.go`). IPv6 sets are named `KUBE-6-…`.
enum IPVSSet: String, CaseIterable {
  case loopBack = "KUBE-LOOP-BACK"
  case clusterIP = "KUBE-CLUSTER-IP"
  case externalIP = "KUBE-EXTERNAL-IP"
  case externalIPLocal = "KUBE-EXTERNAL-IP-LOCAL"
  case loadBalancer = "KUBE-LOAD-BALANCER"
  case loadBalancerLocal = "KUBE-LOAD-BALANCER-LOCAL"
  case loadBalancerFW = "KUBE-LOAD-BALANCER-FW"
  case loadBalancerSourceIP = "KUBE-LOAD-BALANCER-SOURCE-IP"
  case loadBalancerSourceCIDR = "KUBE-LOAD-BALANCER-SOURCE-CIDR"
  case nodePortTCP = "KUBE-NODE-PORT-TCP"
  case nodePortLocalTCP = "KUBE-NODE-PORT-LOCAL-TCP"
  case nodePortUDP = "KUBE-NODE-PORT-UDP"
  case nodePortLocalUDP = "KUBE-NODE-PORT-LOCAL-UDP"
  case nodePortSCTP = "KUBE-NODE-PORT-SCTP-HASH"
  case nodePortLocalSCTP = "KUBE-NODE-PORT-LOCAL-SCTP-HASH"
  case healthCheckNodePort = "KUBE-HEALTH-CHECK-NODE-PORT"
  case ipvsIPs = "KUBE-IPVS-IPS"

  var comment: String {
    switch self {
    case .loopBack: "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose"
    case .clusterIP: "Kubernetes service cluster ip + port for masquerade purpose"
    case .externalIP: "Kubernetes service external ip + port for masquerade and filter purpose"
    case .externalIPLocal: "Kubernetes service external ip + port with externalTrafficPolicy=local"
    case .loadBalancer: "Kubernetes service lb portal"
    case .loadBalancerLocal:
      "Kubernetes service load balancer ip + port with externalTrafficPolicy=local"
    case .loadBalancerFW:
      "Kubernetes service load balancer ip + port for load balancer with sourceRange"
    case .loadBalancerSourceIP:
      "Kubernetes service load balancer ip + port + source IP for packet filter purpose"
    case .loadBalancerSourceCIDR:
      "Kubernetes service load balancer ip + port + source cidr for packet filter purpose"
    case .nodePortTCP: "Kubernetes nodeport TCP port for masquerade purpose"
    case .nodePortLocalTCP: "Kubernetes nodeport TCP port with externalTrafficPolicy=local"
    case .nodePortUDP: "Kubernetes nodeport UDP port for masquerade purpose"
    case .nodePortLocalUDP: "Kubernetes nodeport UDP port with externalTrafficPolicy=local"
    case .nodePortSCTP:
      "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'"
    case .nodePortLocalSCTP:
      "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'"
    case .healthCheckNodePort: "Kubernetes health check node port"
    case .ipvsIPs: "Addresses on the ipvs interface"
    }
  }

  /// The set's name for `family` (`KUBE-6-…` for IPv6, cut to ipset's 31 characters).
  func name(_ family: IPFamily) -> String {
    guard family == .v6 else { return rawValue }
    return String(("KUBE-6-" + rawValue.dropFirst(5)).prefix(31))
  }
}

/// The ipset matches written from iptables, in kube-proxy's order
/// (`ipsetWithIptablesChain`): set, table is nat, from, to, match type, protocol.
private let ipsetJumps: [(IPVSSet, Bool, String, String, String, String)] = [
  (.loopBack, true, "KUBE-POSTROUTING", "MASQUERADE", "dst,dst,src", ""),
  (.loadBalancer, true, "KUBE-SERVICES", "KUBE-LOAD-BALANCER", "dst,dst", ""),
  (.loadBalancerLocal, true, "KUBE-LOAD-BALANCER", "RETURN", "dst,dst", ""),
  (.nodePortLocalTCP, true, "KUBE-NODE-PORT", "RETURN", "dst", "tcp"),
  (.nodePortTCP, true, "KUBE-NODE-PORT", "KUBE-MARK-MASQ", "dst", "tcp"),
  (.nodePortLocalUDP, true, "KUBE-NODE-PORT", "RETURN", "dst", "udp"),
  (.nodePortUDP, true, "KUBE-NODE-PORT", "KUBE-MARK-MASQ", "dst", "udp"),
  (.nodePortLocalSCTP, true, "KUBE-NODE-PORT", "RETURN", "dst,dst", "sctp"),
  (.nodePortSCTP, true, "KUBE-NODE-PORT", "KUBE-MARK-MASQ", "dst,dst", "sctp"),
  (.loadBalancerFW, false, "KUBE-PROXY-FIREWALL", "KUBE-SOURCE-RANGES-FIREWALL", "dst,dst", ""),
  (.loadBalancerSourceCIDR, false, "KUBE-SOURCE-RANGES-FIREWALL", "RETURN", "dst,dst,src", ""),
  (.loadBalancerSourceIP, false, "KUBE-SOURCE-RANGES-FIREWALL", "RETURN", "dst,dst,src", ""),
]

/// What kube-proxy's IPVS mode feeds `iptables-restore` for `node`
/// (`pkg/proxy/ipvs/proxier.go` `writeIptablesRules`): a constant handful of rules whose
/// ipset matches appear once the set has members, so the rule count does not grow with the
/// number of Services. The sets' members themselves live in ipset, not here.
public func renderIPVSIPTablesRestore(
  node: ProxyNode, config: ProxyConfig, decisions: [ServicePortDecision], family: IPFamily = .v4
) -> String {
  let used = usedIPVSSets(
    node: node, decisions: decisions.filter { $0.servicePort.family == family })
  let mark = "0x004000"  // kube-proxy formats the mark with %#08x in IPVS mode.
  let detector = LocalTrafficDetector(node: node, config: config, family: family)
  var nat: [String] = []
  var filter: [String] = []
  func setMatch(_ set: IPVSSet) -> String {
    "-m comment --comment \"\(set.comment)\" -m set --match-set \(set.name(family))"
  }
  nat.append("-A KUBE-SERVICES -s \(family == .v4 ? "127.0.0.0/8" : "::1/128") -j RETURN")
  for (set, isNAT, from, to, match, proto) in ipsetJumps where used.contains(set) {
    let p = proto.isEmpty ? "" : " -p \(proto)"
    let line = "-A \(from)\(p) \(setMatch(set)) \(match) -j \(to)"
    if isNAT { nat.append(line) } else { filter.append(line) }
  }
  if used.contains(.clusterIP) {
    let head = "-A KUBE-SERVICES \(setMatch(.clusterIP))"
    if config.masqueradeAll {
      nat.append("\(head) dst,dst -j KUBE-MARK-MASQ")
    } else if detector.isImplemented {
      nat.append("\(head) dst,dst \(detector.ifNotLocal.joined(separator: " ")) -j KUBE-MARK-MASQ")
    } else {
      nat.append("\(head) src,dst -j KUBE-MARK-MASQ")
    }
  }
  // Traffic to external IPs from off the machine (not from a bridge, not local) and to
  // external IPs that are local addresses is accepted.
  for set in [IPVSSet.externalIP, .externalIPLocal] where used.contains(set) {
    let head = "-A KUBE-SERVICES \(setMatch(set)) dst,dst"
    if set == .externalIP { nat.append("\(head) -j KUBE-MARK-MASQ") }
    nat.append("\(head) -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT")
    nat.append("\(head) -m addrtype --dst-type LOCAL -j ACCEPT")
  }
  nat.append("-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT")
  nat.append("-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ")
  filter.append("-A KUBE-SOURCE-RANGES-FIREWALL -j DROP")
  for (ip, proto, port) in lbWithoutNodeAccess(node: node, decisions: decisions, family: family) {
    filter.append(
      "-A KUBE-IPVS-OUT-FILTER -s \(ip) -m ipvs --vaddr \(ip) "
        + "--vproto \(proto) --vport \(port) -j DROP"
    )
  }
  for set in [IPVSSet.clusterIP, .loadBalancer] where used.contains(set) {
    nat.append("-A KUBE-SERVICES -m set --match-set \(set.name(family)) dst,dst -j ACCEPT")
  }
  filter.append(
    "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding "
      + "rules\" -m mark --mark \(mark)/\(mark) -j ACCEPT"
  )
  filter.append(
    "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m "
      + "conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
  )
  filter.append("-A KUBE-NODE-PORT \(setMatch(.healthCheckNodePort)) dst -j ACCEPT")
  for set in [IPVSSet.loadBalancer, .clusterIP, .externalIP, .externalIPLocal] {
    filter.append("-A KUBE-IPVS-FILTER -m set --match-set \(set.name(family)) dst,dst -j RETURN")
  }
  filter.append(
    "-A KUBE-IPVS-FILTER -m set --match-set "
      + "\(IPVSSet.healthCheckNodePort.name(family)) dst -j RETURN"
  )
  filter.append(
    "-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set "
      + "\(IPVSSet.ipvsIPs.name(family)) dst -j REJECT"
  )
  nat.append("-A KUBE-POSTROUTING -m mark ! --mark \(mark)/\(mark) -j RETURN")
  nat.append("-A KUBE-POSTROUTING -j MARK --xor-mark \(mark)")
  nat.append(
    "-A KUBE-POSTROUTING -m comment --comment \"kubernetes "
      + "service traffic requiring SNAT\" -j MASQUERADE"
      + (config.randomFully ? " --random-fully" : ""))
  nat.append("-A KUBE-MARK-MASQ -j MARK --or-mark \(mark)")
  let natChains = [
    "KUBE-SERVICES", "KUBE-POSTROUTING", "KUBE-NODE-PORT", "KUBE-LOAD-BALANCER", "KUBE-MARK-MASQ",
  ]
  let filterChains = [
    "KUBE-FORWARD", "KUBE-NODE-PORT", "KUBE-PROXY-FIREWALL", "KUBE-SOURCE-RANGES-FIREWALL",
    "KUBE-IPVS-FILTER", "KUBE-IPVS-OUT-FILTER",
  ]
  let lines =
    ["*nat"] + natChains.map { ":\($0) - [0:0]" } + nat + ["COMMIT", "*filter"]
    + filterChains.map { ":\($0) - [0:0]" } + filter + ["COMMIT"]
  return lines.joined(separator: "\n") + "\n"
}

/// The ipsets that have members on `node`, from what kube-proxy's IPVS sync inserts.
func usedIPVSSets(node: ProxyNode, decisions: [ServicePortDecision]) -> Set<IPVSSet> {
  var used: Set<IPVSSet> = []
  for d in decisions {
    let port = d.servicePort
    guard port.clusterIP != nil, port.type != .externalName else { continue }
    used.insert(.clusterIP)
    used.insert(.ipvsIPs)
    if d.allEndpoints.contains(where: { $0.isLocal(to: node.name) }) { used.insert(.loopBack) }
    if !port.externalIPs.isEmpty {
      used.insert(port.externalPolicyLocal ? .externalIPLocal : .externalIP)
    }
    if !port.loadBalancerVIPs.isEmpty {
      used.insert(.loadBalancer)
      if port.externalPolicyLocal { used.insert(.loadBalancerLocal) }
      if !port.loadBalancerSourceRanges.isEmpty {
        used.insert(.loadBalancerFW)
        used.insert(.loadBalancerSourceCIDR)
        if port.loadBalancerSourceRanges.contains(where: { r in node.ips.contains { r.contains($0) }
        }) {
          used.insert(.loadBalancerSourceIP)
        }
      }
    }
    if port.nodePort != 0 {
      let (all, local): (IPVSSet, IPVSSet) =
        switch port.name.proto {
        case .tcp: (.nodePortTCP, .nodePortLocalTCP)
        case .udp: (.nodePortUDP, .nodePortLocalUDP)
        case .sctp: (.nodePortSCTP, .nodePortLocalSCTP)
        }
      used.insert(all)
      if port.externalPolicyLocal { used.insert(local) }
    }
    if port.healthCheckNodePort != 0 { used.insert(.healthCheckNodePort) }
  }
  return used
}

/// Load-balancer VIPs with source ranges that do not admit the node itself: kube-proxy keeps
/// the node from reaching them through IPVS (kubernetes issue 119656).
private func lbWithoutNodeAccess(
  node: ProxyNode, decisions: [ServicePortDecision], family: IPFamily
)
  -> [(IPAddress, String, Int)]
{
  var out: [(IPAddress, String, Int)] = []
  for d in decisions where d.servicePort.family == family {
    let port = d.servicePort
    guard !port.loadBalancerSourceRanges.isEmpty else { continue }
    let admitsNode = port.loadBalancerSourceRanges.contains { r in
      node.ips.contains { r.contains($0) }
    }
    guard !admitsNode else { continue }
    for vip in port.loadBalancerVIPs { out.append((vip, port.name.proto.lowercased, port.port)) }
  }
  return out
}
