import Cluster
import KubeProxy
import LuaKit
import NetAddr

/// `setProxyMode`, `iptablesSave`, `nftRuleset`, `ipvsadm`: each node's kube-proxy settings
/// and its state in the real tools' formats.
enum ProxyStateAPI {
  static let schedulers = [
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "sh", "dh", "sed", "nq", "mh",
  ]

  static func register(_ lab: LabSession, in state: LuaState) throws {
    try state.register(
      "setProxyMode",
      help: HelpEntry(
        usage: "setProxyMode(mode, opts)",
        summary:
          "\"iptables\", \"ipvs\" or \"nftables\"; opts: node, scheduler, detectLocal, "
          + "masqueradeAll, localhostNodePorts, randomFully, nodePortAddresses",
        details:
          "In IPVS mode kube-proxy 1.35 logs its deprecation warning when it starts; "
          + "setProxyMode prints that line and returns its text."
      )
    ) { call in
      let mode = try call.checkString(1)
      guard
        let warning = try apply(
          mode: mode, opts: try call.optTable(2), lab, function: call.functionName)
      else {
        return 0
      }
      return try call.result(.string(warning))
    }
    try state.register(
      "iptablesSave",
      help: HelpEntry(
        usage: "iptablesSave(node)",
        summary:
          "the node's kube-proxy rules as fed to iptables-restore (*filter and *nat); in IPVS mode "
          + "its ipset-matching rules; empty in nftables mode"
      )
    ) { call in
      let (p, node) = try proxyNode(call, lab)
      let config = p.config(for: node.name)
      let decisions = p.decisions(node: node.name)
      switch config.mode {
      case .nftables: return try call.result(.string(""))
      case .ipvs:
        return try call.result(
          .string(renderIPVSIPTablesRestore(node: node, config: config, decisions: decisions)))
      case .iptables: break
      }
      var text = TextBuffer()
      renderIPTablesRestore(
        into: &text, node: node, config: config, decisions: decisions, names: p.chainNames)
      return try call.result(text)
    }
    try state.register(
      "nftRuleset",
      help: HelpEntry(
        usage: "nftRuleset(node)",
        summary: "the node's kube-proxy table as `nft list table ip kube-proxy` prints it")
    ) { call in
      let (p, node) = try proxyNode(call, lab)
      let config = p.config(for: node.name)
      guard config.mode == .nftables else { return try call.result(.string("")) }
      var text = TextBuffer()
      renderNFTablesRuleset(
        into: &text, node: node, config: config, decisions: p.decisions(node: node.name),
        names: p.chainNames)
      return try call.result(text)
    }
    try registerProxyWork(lab, in: state)
    try state.register(
      "ipvsadm",
      help: HelpEntry(
        usage: "ipvsadm(node)", summary: "the node's IPVS table as `ipvsadm -Ln` prints it")
    ) { call in
      let (p, node) = try proxyNode(call, lab)
      let config = p.config(for: node.name)
      var text = TextBuffer()
      guard config.mode == .ipvs else {
        renderIPVSAdm([], into: &text)
        return try call.result(text)
      }
      let servers = withCounters(
        ipvsVirtualServers(node: node, config: config, decisions: p.decisions(node: node.name)),
        p.ipvsKernelState(node: node.name, now: lab.cluster.now))
      renderIPVSAdm(servers, into: &text)
      return try call.result(text)
    }
  }

  /// `proxyWork(node, fn)`: the node's rules in every mode before and after `fn()` (or from
  /// nothing, without `fn`), and what kube-proxy would write for the difference.
  static func registerProxyWork(_ lab: LabSession, in state: LuaState) throws {
    try state.register(
      "proxyWork",
      help: HelpEntry(
        usage: "proxyWork(node, fn)",
        summary:
          "what the node's kube-proxy would write in each mode for the "
          + "changes fn() makes (without fn: a first sync)",
        details:
          "Returns {iptables={rules=, chains=, deletedChains=, bytes=, total=}, "
          + "ipvs={virtualServersAdded=, virtualServersRemoved=, realServersAdded=, "
          + "realServersRemoved=, iptablesRules=, iptablesBytes=, virtualServers=, realServers=}, "
          + "nftables={rules=, chains=, deletedChains=, elementsAdded=, elementsDeleted=, bytes=, "
          + "total=, elements=}}: rules and bytes handed to iptables-restore (partial sync: every "
          + "top-level chain, changed per-service chains), IPVS servers added and removed, the nft "
          + "transaction (changed chains, elements). total counts the node's rules after."
      )
    ) { call in
      let name = try lab.plainName(call, 1)
      var body: LuaFunctionRef? = nil
      if !call.isAbsent(2) { body = try call.function(at: 2) }
      func snapshot() throws -> ProxyRuleSnapshot {
        let p = TrafficAPI.proxy(lab).synced()
        guard let node = p.nodes[name] else { throw call.error("nodes \"\(name)\" not found") }
        return ProxyRuleSnapshot(
          node: node, config: p.config(for: name), decisions: p.decisions(node: name),
          names: p.chainNames)
      }
      var before = ProxyRuleSnapshot()
      if let body {
        before = try snapshot()
        try body.call()
      }
      let after = try snapshot()
      let w = ProxyWork(from: before, to: after)
      var ipt = Record()
      ipt["rules"] = .int(w.iptables.rules)
      ipt["chains"] = .int(w.iptables.chains)
      ipt["deletedChains"] = .int(w.iptables.deletedChains)
      ipt["bytes"] = .int(w.iptables.bytes)
      ipt["total"] = .int(after.iptablesRules)
      var ipvs = Record()
      ipvs["virtualServersAdded"] = .int(w.ipvs.virtualServersAdded)
      ipvs["virtualServersRemoved"] = .int(w.ipvs.virtualServersRemoved)
      ipvs["realServersAdded"] = .int(w.ipvs.realServersAdded)
      ipvs["realServersRemoved"] = .int(w.ipvs.realServersRemoved)
      ipvs["iptablesRules"] = .int(w.ipvs.iptablesRules)
      ipvs["iptablesBytes"] = .int(w.ipvs.iptablesBytes)
      ipvs["virtualServers"] = .int(after.ipvsVirtualServerCount)
      ipvs["realServers"] = .int(after.ipvsRealServerCount)
      var nft = Record()
      nft["rules"] = .int(w.nftables.rules)
      nft["chains"] = .int(w.nftables.chains)
      nft["deletedChains"] = .int(w.nftables.deletedChains)
      nft["elementsAdded"] = .int(w.nftables.elementsAdded)
      nft["elementsDeleted"] = .int(w.nftables.elementsDeleted)
      nft["bytes"] = .int(w.nftables.bytes)
      nft["total"] = .int(after.nftRules)
      nft["elements"] = .int(after.nftElementCount)
      var r = Record()
      r["iptables"] = ipt.value
      r["ipvs"] = ipvs.value
      r["nftables"] = nft.value
      return try call.result(r.value)
    }
  }

  static func proxyNode(_ call: LuaCall, _ lab: LabSession) throws -> (ProxyCluster, ProxyNode) {
    let name = try lab.plainName(call, 1)
    let p = TrafficAPI.proxy(lab).synced()
    guard let node = p.nodes[name] else { throw call.error("nodes \"\(name)\" not found") }
    return (p, node)
  }

  /// The virtual servers kube-proxy programs, with the kernel's connection counters and the
  /// draining (weight 0) real servers traffic left behind.
  static func withCounters(
    _ servers: [IPVSVirtualServer], _ kernel: [IPVSKernelVirtualServer]
  )
    -> [IPVSVirtualServer]
  {
    let byKey = Dictionary(kernel.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    return servers.map { vs in
      var vs = vs
      let key = IPVSVirtualServerKey(proto: vs.proto, address: vs.address, port: vs.port)
      guard let k = byKey[key] else { return vs }
      for (i, rs) in vs.realServers.enumerated() {
        if let c = k.realServers.first(where: {
          $0.endpoint.ip == rs.address && $0.endpoint.port == rs.port
        }) {
          vs.realServers[i].activeConnections = c.activeConnections
          vs.realServers[i].inactiveConnections = c.inactiveConnections
        }
      }
      for c in k.realServers
      where !vs.realServers.contains(where: {
        $0.address == c.endpoint.ip && $0.port == c.endpoint.port
      }) {
        vs.realServers.append(
          IPVSRealServer(
            address: c.endpoint.ip, port: c.endpoint.port, weight: 0,
            activeConnections: c.activeConnections, inactiveConnections: c.inactiveConnections))
      }
      return vs
    }
  }

  /// Sets the proxy mode and settings for the whole cluster or one node (`opts.node`). kube-proxy
  /// restarts with the new settings; in IPVS mode it logs its deprecation warning, which is
  /// shown (as `kube-proxy[<nodes>]: <message>`) and returned.
  @discardableResult
  static func apply(
    mode: String, opts: LuaTable?, _ lab: LabSession, function: String
  ) throws -> String? {
    guard let m = ProxyConfig.Mode(rawValue: mode) else {
      throw LuaError(
        "\(function): unknown proxy mode \"\(mode)\": must be iptables, ipvs or nftables")
    }
    var f = Fields(opts, path: "opts", function: function)
    let nodeName = try f.string("node")
    let p = TrafficAPI.proxy(lab).proxy
    if let nodeName, lab.cluster.node(nodeName) == nil {
      throw LuaError("\(function): nodes \"\(nodeName)\" not found")
    }
    var c = nodeName.map { p.config(for: $0) } ?? p.defaultConfig
    c.mode = m
    if let s = try f.string("scheduler") {
      guard schedulers.contains(s) else {
        throw LuaError(
          "\(function): unknown IPVS scheduler \"\(s)\": must be "
            + "one of \(schedulers.joined(separator: ", "))"
        )
      }
      c.ipvsScheduler = s
    }
    if let d = try f.string("detectLocal") {
      guard let dl = ProxyConfig.DetectLocal(rawValue: d) else {
        throw LuaError(
          "\(function): opts.detectLocal: must be \"ClusterCIDR\" or \"NodeCIDR\", got \"\(d)\"")
      }
      c.detectLocal = dl
    }
    if let v = try f.bool("masqueradeAll") { c.masqueradeAll = v }
    if let v = try f.bool("localhostNodePorts") { c.localhostNodePorts = v }
    if let v = try f.bool("randomFully") { c.randomFully = v }
    if let v = try f.strings("nodePortAddresses") {
      c.nodePortAddresses = try v.map { s in
        guard let cidr = CIDR(s) else {
          throw LuaError("\(function): opts.nodePortAddresses: invalid CIDR \"\(s)\"")
        }
        return cidr
      }
    }
    try f.rejectUnknown()
    p.setProxyConfig(c, node: nodeName)
    let nodes = nodeName.map { [$0] } ?? lab.cluster.nodes().map(\.name)
    guard m == .ipvs, !nodes.isEmpty else { return nil }
    lab.warningSink(
      "kube-proxy[\(nodes.joined(separator: ","))]: \(UpstreamWarnings.ipvsDeprecated)")
    return UpstreamWarnings.ipvsDeprecated
  }
}

extension LuaCall {
  /// Pushes rendered text as one Lua string (one `lua_pushlstring` of its bytes) and returns
  /// the result count.
  func result(_ text: TextBuffer) throws -> Int {
    try text.withUnsafeBytes { try pushString(utf8: $0) }
    return 1
  }
}
