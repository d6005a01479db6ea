import NetAddr

/// The `iptables-restore` input kube-proxy writes for `node`: its `*filter` and `*nat` tables
/// with every chain it owns, in kube-proxy's write order (services in `ServicePortName` order;
/// kube-proxy itself walks them in map order). Jump rules from the built-in chains are not
/// part of it: kube-proxy installs them separately, as `IPTablesChain` documents.
/// `names` keeps the chain-name hashes for the next render (without it each is computed).
public func renderIPTablesRestore(
  node: ProxyNode, config: ProxyConfig, decisions: [ServicePortDecision],
  options: IPTablesRenderOptions = IPTablesRenderOptions(), names: ChainNameCache? = nil
) -> String {
  var text = TextBuffer()
  renderIPTablesRestore(
    into: &text, node: node, config: config, decisions: decisions, options: options,
    names: names)
  return text.string
}

/// Writes the `iptables-restore` input for `node` (see the `String` form) at the end of `text`.
public func renderIPTablesRestore(
  into text: inout TextBuffer, node: ProxyNode, config: ProxyConfig,
  decisions: [ServicePortDecision], options: IPTablesRenderOptions = IPTablesRenderOptions(),
  names: ChainNameCache? = nil
) {
  var writer = IPTablesRestoreWriter(
    node: node, config: config, options: options, names: names)
  let relevant = servicePortsInNameOrder(decisions, family: options.family)
  writer.largeClusterMode =
    relevant.reduce(0) { $0 + $1.allEndpoints.count } > options.largeClusterEndpointsThreshold
  writer.render(relevant, into: &text)
}

/// The decisions a proxier of `family` writes rules for (ClusterIP present, not
/// ExternalName), in `ServicePortName` order.
func servicePortsInNameOrder(
  _ decisions: [ServicePortDecision], family: IPFamily
) -> [ServicePortDecision] {
  let relevant = decisions.filter {
    $0.servicePort.family == family && $0.servicePort.clusterIP != nil
      && $0.servicePort.type != .externalName
  }
  // `ProxyCluster.decisions(node:)` already gives them in this order: check before sorting.
  let ordered = zip(relevant, relevant.dropFirst()).allSatisfy {
    $0.servicePort.name < $1.servicePort.name
  }
  return ordered ? relevant : relevant.sorted { $0.servicePort.name < $1.servicePort.name }
}

/// Writes one restore input: fixed rules, then one service port at a time, then the
/// trailing KUBE-SERVICES and KUBE-FORWARD rules (kube-proxy's `syncProxyRules` order).
/// Like kube-proxy's four `LineBuffer`s, the input is written in four sections (filter
/// chains and rules, nat chains and rules) that are joined at the end.
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
  /// Chain-name hashes kept between renders.
  let names: ChainNameCache?

  var filterChains = TextBuffer()
  var filterRules = TextBuffer()
  var natChains = TextBuffer()
  var natRules = TextBuffer()
  /// Per-service chains written in this sync (stale ones are deleted); only kept when the
  /// restore deletes stale chains.
  var activeNATChains = Set<String>()
  /// The endpoint chains' hashes of the service port being written.
  var endpointHashes = EndpointHashes()
  /// `--probability` texts by number of remaining endpoints, formatted once per render.
  var probabilities: [String] = []

  init(
    node: ProxyNode, config: ProxyConfig, options: IPTablesRenderOptions, names: ChainNameCache?
  ) {
    self.node = node
    self.names = names
    self.config = config
    self.options = options
    detector = LocalTrafficDetector(node: node, config: config, family: options.family)
    nodePortAddresses = NodePortAddresses(config: config, family: options.family)
    localhostNodePorts =
      config.localhostNodePorts && options.family == .v4 && nodePortAddresses.containsIPv4Loopback
    nodeIP = node.ips.first { $0.family == options.family }
  }

  /// Renders the whole input for `decisions`, already filtered to this family and ordered,
  /// at the end of `text`.
  mutating func render(_ decisions: [ServicePortDecision], into text: inout TextBuffer) {
    // The nat rules, by far the largest section, are written straight into `text`; the
    // sections before them are inserted in front at the end (one move within the buffer
    // instead of a copy of everything into a fresh one). Room for what a service port and
    // each endpoint typically take, so the buffer seldom grows by copying.
    let start = text.count
    swap(&natRules, &text)
    defer { swap(&natRules, &text) }
    let endpoints = decisions.reduce(0) { $0 + $1.allReachableEndpoints.count }
    natRules.reserve(4096 + 750 * decisions.count + 430 * endpoints)
    natChains.reserve(1024 + 120 * decisions.count + 30 * endpoints)
    filterRules.reserve(2048 + 200 * decisions.count)
    IPTablesChain.filterTopLevel.forEach { filterChains.declareChain($0) }
    IPTablesChain.natTopLevel.forEach { natChains.declareChain($0) }
    writeMasqueradeRules()
    writeKubeletFirewall()
    for decision in decisions {
      let chains = endpointHashes.reset(for: decision, cache: names?.iptables)
      writeServicePort(IPTablesServicePlan(decision, chains: chains))
    }
    names?.iptables.finishRender()
    writeStaleChainDeletions()
    writeNodePortsJump()
    writeForwardRules()
    var head = TextBuffer(capacity: filterChains.count + filterRules.count + natChains.count + 32)
    head.append("*filter\n")
    head.append(filterChains)
    head.append(filterRules)
    head.append("COMMIT\n*nat\n")
    head.append(natChains)
    natRules.insert(head, at: start)
    natRules.append("COMMIT\n")
  }

  /// KUBE-POSTROUTING masquerades only marked packets and clears the mark so a packet that
  /// re-traverses the stack is not SNATed twice; KUBE-MARK-MASQ sets the mark.
  mutating func writeMasqueradeRules() {
    let mark = options.masqueradeMark
    natRules.startRule(IPTablesChain.postrouting)
    natRules.append(" -m mark ! --mark ")
    Self.appendMark(mark, to: &natRules)
    natRules.jump("RETURN")
    natRules.startRule(IPTablesChain.postrouting)
    natRules.append(" -j MARK --xor-mark ")
    natRules.append(mark)
    natRules.newline()
    natRules.startRule(IPTablesChain.postrouting)
    natRules.quotedComment("kubernetes service traffic requiring SNAT")
    natRules.append(" -j MASQUERADE")
    if config.randomFully { natRules.append(" --random-fully") }
    natRules.newline()
    natRules.startRule(IPTablesChain.markMasq)
    natRules.append(" -j MARK --or-mark ")
    natRules.append(mark)
    natRules.newline()
  }

  /// `<mark>/<mark>`.
  static func appendMark(_ mark: String, to text: inout TextBuffer) {
    text.append(mark)
    text.append(byte: UInt8(ascii: "/"))
    text.append(mark)
  }

  /// `route_localnet` (needed for localhost NodePorts) lets martian packets to 127/8 in from
  /// outside; this copy of kubelet's rule drops them.
  mutating func writeKubeletFirewall() {
    guard options.family == .v4 && localhostNodePorts else { return }
    filterChains.declareChain(IPTablesChain.firewall)
    filterRules.startRule(IPTablesChain.firewall)
    filterRules.quotedComment("block incoming localnet connections")
    filterRules.append(" -d 127.0.0.0/8 ! -s 127.0.0.0/8")
    filterRules.append(" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP\n")
  }

  /// Flushes and deletes per-service chains that are loaded but no longer used.
  mutating func writeStaleChainDeletions() {
    guard let existing = options.existingNATChains else { return }
    for chain in existing.subtracting(activeNATChains).sorted()
    where IPTablesChain.isServiceChain(chain) {
      natChains.declareChain(chain)
      natRules.append("-X ")
      natRules.append(chain)
      natRules.newline()
    }
  }

  /// The last KUBE-SERVICES rule: anything addressed to a local address may be a NodePort.
  mutating func writeNodePortsJump() {
    func head(_ rules: inout TextBuffer) {
      rules.startRule(IPTablesChain.services)
      rules.quotedComment(
        "kubernetes service nodeports; NOTE: this must be the last rule in this chain")
    }
    guard nodePortAddresses.matchAll else {
      for ip in nodePortAddresses.nodeIPs(of: node) {
        // Loopback NodePorts need route_localnet, which IPv6 does not have.
        if ip.isLoopback && (options.family == .v6 || !localhostNodePorts) { continue }
        head(&natRules)
        natRules.append(" -d ")
        natRules.append(ip)
        natRules.jump(IPTablesChain.nodePorts)
      }
      return
    }
    head(&natRules)
    natRules.append(" -m addrtype --dst-type LOCAL")
    if options.family == .v6 {
      natRules.append(" ! -d ::1/128")
    } else if !localhostNodePorts {
      natRules.append(" ! -d 127.0.0.0/8")
    }
    natRules.jump(IPTablesChain.nodePorts)
  }

  /// KUBE-FORWARD: drop conntrack-INVALID packets (they would escape reverse NAT and reset
  /// connections), then accept marked and established service traffic.
  mutating func writeForwardRules() {
    let forward = IPTablesChain.forward
    if !options.conntrackTCPLiberal {
      filterRules.startRule(forward)
      filterRules.append(" -m conntrack --ctstate INVALID")
      if options.nfacctCounters {
        filterRules.append(" -m nfacct --nfacct-name ct_state_invalid_dropped_pkts")
      }
      filterRules.jump("DROP")
    }
    filterRules.startRule(forward)
    filterRules.quotedComment("kubernetes forwarding rules")
    filterRules.append(" -m mark --mark ")
    Self.appendMark(options.masqueradeMark, to: &filterRules)
    filterRules.jump("ACCEPT")
    filterRules.startRule(forward)
    filterRules.quotedComment("kubernetes forwarding conntrack rule")
    filterRules.append(" -m conntrack --ctstate RELATED,ESTABLISHED")
    filterRules.jump("ACCEPT")
  }
}

extension IPAddress {
  /// 127.0.0.0/8 or ::1.
  var isLoopback: Bool {
    family == .v4 ? (v4Value >> 24) == 127 : (high == 0 && low == 1)
  }
}
