import NetAddr

/// The `iptables-restore` input kube-proxy writes for `node`: its `*filter` and `*nat` tables
/// with every chain it owns, in kube-proxy's write order (services in `ServicePortName` order;
/// kube-proxy itself walks them in map order). Jump rules from the built-in chains are not
/// part of it: kube-proxy installs them separately, as `IPTablesChain` documents.
public func renderIPTablesRestore(
  node: ProxyNode, config: ProxyConfig, decisions: [ServicePortDecision],
  options: IPTablesRenderOptions = IPTablesRenderOptions()
) -> String {
  var writer = IPTablesRestoreWriter(node: node, config: config, options: options)
  let relevant = decisions.filter {
    $0.servicePort.family == options.family && $0.servicePort.clusterIP != nil
      && $0.servicePort.type != .externalName
  }
  writer.largeClusterMode =
    relevant.reduce(0) { $0 + $1.allEndpoints.count } > options.largeClusterEndpointsThreshold
  return writer.render(relevant.sorted { $0.servicePort.name < $1.servicePort.name })
}

/// Writes one restore input: fixed rules, then one service port at a time, then the
/// trailing KUBE-SERVICES and KUBE-FORWARD rules (kube-proxy's `syncProxyRules` order).
struct IPTablesRestoreWriter {
  let node: ProxyNode
  let config: ProxyConfig
  let options: IPTablesRenderOptions
  let detector: LocalTrafficDetector
  let nodePortAddresses: NodePortAddresses
  /// Localhost NodePorts really in effect: IPv4 only, and only if 127.0.0.1 is a NodePort
  /// address.
  let localhostNodePorts: Bool
  /// The node IP of this family (the LB source-range check for node-originated traffic).
  let nodeIP: IPAddress?
  var largeClusterMode = false

  var filterChains = IPTablesLineBuffer()
  var filterRules = IPTablesLineBuffer()
  var natChains = IPTablesLineBuffer()
  var natRules = IPTablesLineBuffer()
  /// Per-service chains written in this sync (stale ones are deleted).
  var activeNATChains = Set<String>()

  init(node: ProxyNode, config: ProxyConfig, options: IPTablesRenderOptions) {
    self.node = node
    self.config = config
    self.options = options
    detector = LocalTrafficDetector(node: node, config: config, family: options.family)
    nodePortAddresses = NodePortAddresses(config: config, family: options.family)
    localhostNodePorts =
      config.localhostNodePorts && options.family == .v4 && nodePortAddresses.containsIPv4Loopback
    nodeIP = node.ips.first { $0.family == options.family }
  }

  /// Renders the whole input for `plans`, already filtered to this family and ordered.
  mutating func render(_ decisions: [ServicePortDecision]) -> String {
    IPTablesChain.filterTopLevel.forEach { filterChains.declare($0) }
    IPTablesChain.natTopLevel.forEach { natChains.declare($0) }
    writeMasqueradeRules()
    writeKubeletFirewall()
    for decision in decisions {
      writeServicePort(IPTablesServicePlan(decision))
    }
    writeStaleChainDeletions()
    writeNodePortsJump()
    writeForwardRules()
    let lines =
      ["*filter"] + filterChains.lines + filterRules.lines + ["COMMIT", "*nat"]
      + natChains.lines + natRules.lines + ["COMMIT"]
    return lines.joined(separator: "\n") + "\n"
  }

  /// KUBE-POSTROUTING masquerades only marked packets and clears the mark so a packet that
  /// re-traverses the stack is not SNATed twice; KUBE-MARK-MASQ sets the mark.
  mutating func writeMasqueradeRules() {
    let mark = options.masqueradeMark
    let postrouting = IPTablesChain.postrouting
    natRules.write([
      "-A", postrouting, "-m", "mark", "!", "--mark", "\(mark)/\(mark)", "-j", "RETURN",
    ])
    natRules.write(["-A", postrouting, "-j", "MARK", "--xor-mark", mark])
    var masquerade = [
      "-A", postrouting, "-m", "comment", "--comment",
      quoted("kubernetes service traffic requiring SNAT"), "-j", "MASQUERADE",
    ]
    if config.randomFully { masquerade.append("--random-fully") }
    natRules.write(masquerade)
    natRules.write(["-A", IPTablesChain.markMasq, "-j", "MARK", "--or-mark", mark])
  }

  /// `route_localnet` (needed for localhost NodePorts) lets martian packets to 127/8 in from
  /// outside; this copy of kubelet's rule drops them.
  mutating func writeKubeletFirewall() {
    guard options.family == .v4 && localhostNodePorts else { return }
    filterChains.declare(IPTablesChain.firewall)
    filterRules.write([
      "-A", IPTablesChain.firewall, "-m", "comment", "--comment",
      quoted("block incoming localnet connections"), "-d", "127.0.0.0/8", "!", "-s",
      "127.0.0.0/8", "-m", "conntrack", "!", "--ctstate", "RELATED,ESTABLISHED,DNAT", "-j", "DROP",
    ])
  }

  /// Flushes and deletes per-service chains that are loaded but no longer used.
  mutating func writeStaleChainDeletions() {
    guard let existing = options.existingNATChains else { return }
    for chain in existing.subtracting(activeNATChains).sorted()
    where IPTablesChain.isServiceChain(chain) {
      natChains.declare(chain)
      natRules.write(["-X", chain])
    }
  }

  /// The last KUBE-SERVICES rule: anything addressed to a local address may be a NodePort.
  mutating func writeNodePortsJump() {
    let comment = quoted(
      "kubernetes service nodeports; NOTE: this must be the last rule in this chain")
    let head = ["-A", IPTablesChain.services, "-m", "comment", "--comment", comment]
    let tail = ["-j", IPTablesChain.nodePorts]
    guard nodePortAddresses.matchAll else {
      for ip in nodePortAddresses.nodeIPs(of: node) {
        // Loopback NodePorts need route_localnet, which IPv6 does not have.
        if ip.isLoopback && (options.family == .v6 || !localhostNodePorts) { continue }
        natRules.write(head + ["-d", ip.description] + tail)
      }
      return
    }
    var destinations = ["-m", "addrtype", "--dst-type", "LOCAL"]
    if options.family == .v6 {
      destinations += ["!", "-d", "::1/128"]
    } else if !localhostNodePorts {
      destinations += ["!", "-d", "127.0.0.0/8"]
    }
    natRules.write(head + destinations + tail)
  }

  /// KUBE-FORWARD: drop conntrack-INVALID packets (they would escape reverse NAT and reset
  /// connections), then accept marked and established service traffic.
  mutating func writeForwardRules() {
    let forward = IPTablesChain.forward
    if !options.conntrackTCPLiberal {
      var rule = ["-A", forward, "-m", "conntrack", "--ctstate", "INVALID"]
      if options.nfacctCounters {
        rule += ["-m", "nfacct", "--nfacct-name", "ct_state_invalid_dropped_pkts"]
      }
      filterRules.write(rule + ["-j", "DROP"])
    }
    let mark = options.masqueradeMark
    filterRules.write([
      "-A", forward, "-m", "comment", "--comment", quoted("kubernetes forwarding rules"),
      "-m", "mark", "--mark", "\(mark)/\(mark)", "-j", "ACCEPT",
    ])
    filterRules.write([
      "-A", forward, "-m", "comment", "--comment", quoted("kubernetes forwarding conntrack rule"),
      "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT",
    ])
  }
}

extension IPAddress {
  /// 127.0.0.0/8 or ::1.
  var isLoopback: Bool {
    family == .v4 ? (v4Value >> 24) == 127 : (high == 0 && low == 1)
  }
}
