import Cluster
import LuaKit

/// `reset`, `cluster`, `seed`, `now`, `advance`, `useNamespace`: the lab as a whole.
enum ClusterAPI {
  static func register(_ lab: LabSession, in state: LuaState) throws {
    try state.register(
      "reset",
      help: HelpEntry(
        usage: "reset(opts)",
        summary:
          "start a new cluster (opts: domain, serviceCIDR, podCIDR, nodePortRange, "
          + "proxyMode, podNetwork, nodes, system, seed)",
        details:
          "reset{} gives the default cluster: 3 nodes in zones zone-a..c, the system "
          + "namespaces, default/kubernetes and kube-system/kube-dns with two CoreDNS pods. "
          + "reset{system=false} gives an empty cluster with no nodes. nodes: at most 5000; "
          + "each node takes a /24 of podCIDR (the default 10.244.0.0/16 holds 256 nodes; "
          + "e.g. podCIDR=\"10.128.0.0/11\" holds 8192)."
      )
    ) { call in
      let config = try readConfig(call.optTable(1), function: call.functionName)
      let peek = Fields(try call.optTable(1), path: "opts", function: call.functionName)
      let mode = try peek.peekString("proxyMode")
      let network = try peek.peekString("podNetwork").map {
        try TrafficAPI.podNetwork($0, function: call.functionName)
      }
      if let mode, !["iptables", "ipvs", "nftables"].contains(mode) {
        throw call.error("unknown proxy mode \"\(mode)\": must be iptables, ipvs or nftables")
      }
      do { try lab.reset(config) } catch { throw call.error("\(error)") }
      if let mode {
        try ProxyStateAPI.apply(mode: mode, opts: nil, lab, function: call.functionName)
      }
      if let network { TrafficAPI.proxy(lab).proxy.podNetwork = network }
      return try call.result(clusterTable(lab))
    }
    try state.register(
      "cluster", help: HelpEntry(usage: "cluster()", summary: "current settings and object counts")
    ) { call in try call.result(clusterTable(lab)) }
    try state.register(
      "seed", help: HelpEntry(usage: "seed(n)", summary: "restart the seeded random generator")
    ) { call in
      lab.cluster.seed(UInt64(bitPattern: Int64(try call.checkInteger(1))))
      return 0
    }
    try state.register(
      "now", help: HelpEntry(usage: "now()", summary: "the logical clock, in seconds")
    ) { call in try call.result(.seconds(lab.cluster.now)) }
    try state.register(
      "advance",
      help: HelpEntry(
        usage: "advance(seconds)",
        summary: "move the logical clock: graceful terminations finish, affinity and caches expire")
    ) { call in
      let s = try call.checkNumber(1)
      guard s >= 0, s.isFinite else {
        throw call.argumentError(1, "seconds must be a non-negative number")
      }
      let t = try call.cluster { () throws(ClusterError) in try lab.cluster.advance(s) }
      return try call.result(.seconds(t))
    }
    try state.register(
      "useNamespace",
      help: HelpEntry(
        usage: "useNamespace(ns)", summary: "set the current namespace; returns the previous one")
    ) { call in
      let ns = try call.checkString(1)
      guard lab.cluster.namespace(ns) != nil else {
        throw call.error("namespaces \"\(ns)\" not found")
      }
      let previous = lab.currentNamespace
      lab.currentNamespace = ns
      return try call.result(.string(previous))
    }
  }

  /// Reads `reset`'s options into a cluster configuration.
  static func readConfig(_ t: LuaTable?, function: String) throws -> ClusterConfig {
    var f = Fields(t, path: "opts", function: function)
    var c = ClusterConfig()
    if let v = try f.string("domain") { c.domain = v }
    if let v = try f.strings("serviceCIDR") { c.serviceCIDRs = v }
    if let v = try f.string("podCIDR") { c.podCIDR = v }
    if let v = try f.string("nodePortRange") { c.nodePortRange = v }
    if let v = try f.strings("loadBalancerPool") { c.loadBalancerPools = v }
    switch f.raw("nodes") {
    case .nil: break
    case .integer(let n):
      guard n >= 0, n <= 5000 else {
        throw LuaError("\(function): opts.nodes: must be between 0 and 5000")
      }
      c.nodeCount = Int(n)
    case .table:
      let names = try f.strings("nodes") ?? []
      guard names.count <= 5000 else {
        throw LuaError("\(function): opts.nodes: at most 5000 names, got \(names.count)")
      }
      c.nodeNames = names
    case let v:
      throw LuaError(
        "\(function): opts.nodes: number or list of names expected, got \(v.type.name)")
    }
    if let v = try f.bool("system") { c.system = v }
    if let v = try f.int("seed") { c.seed = UInt64(bitPattern: Int64(v)) }
    _ = f.raw("proxyMode")
    _ = f.raw("podNetwork")
    try f.rejectUnknown()
    return c
  }

  static func clusterTable(_ lab: LabSession) -> LuaValue {
    let c = lab.cluster
    var r = Record()
    r["domain"] = .string(c.domain)
    r["serviceCIDR"] = .strings(c.serviceCIDRs.map(\.description))
    r["podCIDR"] = .string(c.podCIDRs.map(\.description).joined(separator: ","))
    r["nodePortRange"] = .string("\(c.nodePortRange.lowerBound)-\(c.nodePortRange.upperBound)")
    r["loadBalancerPool"] = .strings(c.loadBalancerPools.map(\.description))
    r["namespace"] = .string(lab.currentNamespace)
    if let proxy = lab.follower(ProxyFollower.self)?.proxy {
      r["podNetwork"] = .string(proxy.podNetwork.rawValue)
      r["proxyMode"] = .string(proxy.defaultConfig.mode.rawValue)
    }
    r["now"] = .seconds(c.now)
    var counts = Record()
    counts["namespaces"] = .int(c.namespaces().count)
    counts["nodes"] = .int(c.nodes().count)
    counts["pods"] = .int(c.pods().count)
    counts["services"] = .int(c.services().count)
    counts["deployments"] = .int(c.deployments().count)
    counts["endpointSlices"] = .int(c.endpointSlices().count)
    r["counts"] = counts.value
    return r.value
  }
}
