import Cluster
import KubeProxy
import LuaKit
import NetAddr

/// `connect`, `disconnect`, `trace`, `distribution`: traffic through every node's kube-proxy
/// and the pod network.
enum TrafficAPI {
  static let traceMetatable = "svclab.trace"

  static func register(_ lab: LabSession, in state: LuaState) throws {
    let slot = lab.follow {
      ProxyFollower(clusterCIDR: $0.cluster.podCIDRs.first, serviceCIDRs: $0.cluster.serviceCIDRs)
    }
    try state.defineMetatable(traceMetatable, functions: ["__tostring": traceToString])
    try registerConnect(lab, slot, state)
    try registerTrace(lab, state)
    try ProxyStateAPI.register(lab, in: state)
    try state.register(
      "setPodNetwork",
      help: HelpEntry(
        usage: "setPodNetwork(mode)",
        summary:
          "how the CNI carries pod traffic between nodes: \"IPIP\" (Calico's default), \"VXLAN\" "
          + "or \"BGP\" (plain routes); returns the previous mode"
      )
    ) { call in
      let mode = try podNetwork(try call.checkString(1), function: call.functionName)
      let p = proxy(lab).proxy
      let previous = p.podNetwork
      p.podNetwork = mode
      return try call.result(.string(previous.rawValue))
    }
  }

  /// The pod network's mode from its name: "IPIP" (Calico's default), "VXLAN" or "BGP".
  static func podNetwork(_ name: String, function: String) throws -> PodNetworkMode {
    guard let mode = PodNetworkMode(rawValue: name.uppercased()) else {
      throw LuaError("\(function): unknown pod network \"\(name)\": must be IPIP, VXLAN or BGP")
    }
    return mode
  }

  static func proxy(_ lab: LabSession) -> ProxyFollower {
    if let f = lab.follower(ProxyFollower.self) { return f }
    preconditionFailure("the proxy follower is registered with the traffic API")
  }

  private static func registerConnect(
    _ lab: LabSession, _ slot: FollowerSlot<ProxyFollower>, _ state: LuaState
  ) throws {
    try state.register(
      "connect",
      help: HelpEntry(
        usage: "connect(from, target, opts)",
        summary:
          "one connection; from: pod name, {pod=}, {node=}, {external=ip}; target: DNS name, "
          + "\"name:port\", \"ip:port\"; opts: port, protocol, sourcePort, keep",
        details:
          "Returns a result {pod, namespace, podIP, port, servicePort, node, entryNode, service, "
          + "sourceIP, sourceReason, hops}, or nil and a reason starting with refused, dropped, "
          + "unresolved or unreachable. sourceReason is there when the backend sees another source "
          + "than the client's own address: which node masqueraded the packet, why it was marked, "
          + "and why that address (a tunnel device's address, such as 10.244.2.0, when the route "
          + "leaves through Calico's IP-in-IP or VXLAN tunnel)."
      )
    ) { call in
      guard let req = try TrafficRequest.orReason(call, lab) else { return 2 }
      let follower = slot.current
      let outcome = follower.synced().connect(
        from: req.source, to: req.destination, options: req.options, using: &lab.cluster.random)
      switch outcome.result {
      case .success(let c):
        follower.recent.add(id: c.id, lookup: req.lookup, outcome: outcome)
        if c.kept { follower.openConnections[c.id] = c }
        try ResultTables.pushConnection(c, trace: outcome.trace, on: call)
        return 1
      case .failure(let failure):
        try call.pushNil()
        try call.pushString(failure.description)
        return 2
      }
    }
    try state.register(
      "disconnect",
      help: HelpEntry(
        usage: "disconnect(result)", summary: "close a connection opened with keep=true")
    ) { call in
      let t = try call.checkTable(1)
      guard case .integer(let id) = t["id"] else {
        throw call.argumentError(1, "not a connect result")
      }
      let follower = proxy(lab)
      guard let c = follower.openConnections.removeValue(forKey: Int(id)) else {
        throw call.error("connection \(id) is not open")
      }
      follower.proxy.disconnect(c, now: lab.cluster.now)
      return 0
    }
    try state.register(
      "distribution",
      help: HelpEntry(
        usage: "distribution(from, target, n, opts)",
        summary: "n connections; counts per backend pod name, failures under their reason word")
    ) { call in
      let n = try call.checkInteger(3)
      guard (1...1_000_000).contains(n) else {
        throw call.argumentError(3, "n must be between 1 and 1000000")
      }
      let req: TrafficRequest
      do {
        req = try TrafficRequest(call, from: 1, target: 2, opts: 4, lab)
      } catch let f as TrafficFailure {
        let word = String(f.reason.prefix { $0 != ":" })
        return try call.result(.table(LuaTable(map: [.string(word): .int(n)])))
      }
      var opts = req.options
      opts.keep = false
      let counts = proxy(lab).synced().distribution(
        from: req.source, to: req.destination, count: n, options: opts, using: &lab.cluster.random)
      let map = Dictionary(
        uniqueKeysWithValues: counts.map { (LuaValue.string($0.key), LuaValue.int($0.value)) })
      return try call.result(.table(LuaTable(map: map)))
    }
  }

  private static func registerTrace(_ lab: LabSession, _ state: LuaState) throws {
    try state.register(
      "trace",
      help: HelpEntry(
        usage: "trace(from, target, opts) or trace(result)",
        summary:
          "a new connection made as connect makes it, hop by hop: DNS queries, the handling node, "
          + "each rule or IPVS decision, DNAT/SNAT, the CNI hop, delivery",
        details:
          "Given a connect result, the trace of that very connection (same "
          + "backend, same source port); trace(from, target) makes a new one, "
          + "which may pick another backend. A masqueraded source gets a last line "
          + "`→ source <ip>: <why>` (as connect's sourceReason)."
      )
    ) { call in
      if call.type(at: 1) == .table, call.isAbsent(2) {
        return try retrace(call, lab)
      }
      var steps: [(kind: String, node: String?, chain: String?, text: String)] = []
      let req: TrafficRequest
      do {
        req = try TrafficRequest(call, from: 1, target: 2, opts: 3, lab)
      } catch let f as TrafficFailure {
        steps += dnsSteps(f.lookup)
        steps.append(("verdict", nil, nil, f.reason))
        try ResultTables.pushTrace(steps: steps, connection: nil, reason: f.reason, on: call)
        return 1
      }
      steps += dnsSteps(req.lookup)
      var opts = req.options
      opts.keep = false
      let outcome = proxy(lab).synced().connect(
        from: req.source, to: req.destination, options: opts, using: &lab.cluster.random)
      steps += outcome.trace.map { ($0.kind.rawValue, $0.node, $0.chain, $0.text) }
      try ResultTables.pushTrace(
        steps: steps, connection: outcome.connection, reason: outcome.failure?.description,
        sourceReason: SourceReason.explain(outcome.trace), on: call)
      return 1
    }
  }

  /// `trace(result)`: the connection a `connect` result describes, as it was made.
  private static func retrace(_ call: LuaCall, _ lab: LabSession) throws -> Int {
    let t = try call.checkTable(1)
    guard case .integer(let id) = t["id"], t["hops"] != .nil else {
      throw call.argumentError(
        1, "not a connect result (trace(from, target) traces a new connection)")
    }
    guard let made = proxy(lab).recent.find(Int(id)) else {
      throw call.error(
        "connection \(id) is too old to trace (the last \(RecentConnections.capacity) are "
          + "kept); trace(from, target) traces a new one"
      )
    }
    let steps =
      dnsSteps(made.lookup)
      + made.outcome.trace.map { ($0.kind.rawValue, $0.node, $0.chain, $0.text) }
    try ResultTables.pushTrace(
      steps: steps, connection: made.outcome.connection, reason: nil, on: call)
    return 1
  }

  /// The DNS part of a trace: one step per query sent.
  static func dnsSteps(
    _ l: Lookup?
  ) -> [(kind: String, node: String?, chain: String?, text: String)] {
    guard let l else { return [] }
    return l.queries.map {
      ("dns", nil, nil, "DNS \($0.type.rawValue) \($0.name) → \($0.rcode.rawValue)")
    }
      + (l.addresses.isEmpty
        ? [] : [("dns", nil, nil, "resolved to \(l.addresses.joined(separator: ", "))")])
  }

  /// `__tostring` of a trace: its numbered steps.
  static func traceToString(_ call: LuaCall) throws -> Int {
    let t = try call.checkTable(1)
    return try call.result(t["text"])
  }
}
