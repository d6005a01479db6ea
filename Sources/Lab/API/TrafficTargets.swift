import Cluster
import CoreDNS
import KubeProxy
import LuaKit
import NetAddr

/// Reads `connect`'s `from` and `target` arguments: who sends, and to which address and port
/// (a DNS name is resolved the way the sender would resolve it).
struct TrafficRequest {
  var source: ConnectSource
  var destination: ConnectDestination
  var options: ConnectOptions
  /// The DNS lookup made for a name target (shown by `trace`).
  var lookup: Lookup?
  var targetText: String

  init(_ call: LuaCall, from i: Int, target j: Int, opts k: Int, _ lab: LabSession) throws {
    let (portOption, proto, sourcePort, keep) = try Self.options(call, k)
    let (src, pod) = try Self.source(call, i, lab)
    source = src
    targetText = try call.checkString(j)
    let (host, portText) = try Self.splitHostPort(targetText, call, j)
    var ip = IPAddress(host)
    if ip == nil {
      let l = Self.resolve(host, from: pod, source: src, lab)
      lookup = l
      guard let first = l.addresses.first, let addr = IPAddress(first) else {
        throw TrafficFailure(reason: "unresolved: \(host): \(l.response.rcode.rawValue)", lookup: l)
      }
      ip = addr
    }
    guard let ip else { throw call.argumentError(j, "bad target \"\(targetText)\"") }
    let port = try Self.port(portText, option: portOption, ip: ip, proto: proto, call, j, lab)
    destination = ConnectDestination(ip: ip, port: port, proto: proto)
    options = ConnectOptions(sourcePort: sourcePort, keep: keep, now: lab.cluster.now)
  }

  /// The request of a call that returns `result` or `nil, reason` (connect, kernelConnect):
  /// nil once it has pushed `nil, reason` for a target that cannot be reached.
  static func orReason(_ call: LuaCall, _ lab: LabSession) throws -> TrafficRequest? {
    do {
      return try TrafficRequest(call, from: 1, target: 2, opts: 3, lab)
    } catch let f as TrafficFailure {
      try call.pushNil()
      try call.pushString(f.reason)
      return nil
    }
  }

  /// `opts`: port, protocol, sourcePort and keep; without a table, the defaults.
  static func options(
    _ call: LuaCall, _ k: Int
  ) throws
    -> (port: Int?, proto: ProxyProtocol, sourcePort: Int?, keep: Bool)
  {
    guard let opts = try call.optTable(k) else { return (nil, .tcp, nil, false) }
    var f = Fields(opts, path: "opts", function: call.functionName)
    let portOption = try f.int("port")
    let protoText = try f.string("protocol") ?? "TCP"
    guard let proto = ProxyProtocol(rawValue: protoText.uppercased()) else {
      throw call.error(
        "opts.protocol: Unsupported value: \"\(protoText)\": "
          + "supported values: \"SCTP\", \"TCP\", \"UDP\""
      )
    }
    let sourcePort = try f.int("sourcePort")
    if let sp = sourcePort, !(1...65535).contains(sp) {
      throw call.error(
        "opts.sourcePort: Invalid value: \(sp): must be between 1 and 65535, inclusive")
    }
    let keep = try f.bool("keep") ?? false
    try f.rejectUnknown()
    return (portOption, proto, sourcePort, keep)
  }

  /// `from`: a pod name, `{pod=}`, `{node=}` or `{external="ip"}`; also a pod table.
  static func source(_ call: LuaCall, _ i: Int, _ lab: LabSession) throws -> (ConnectSource, Pod?) {
    switch call.type(at: i) {
    case .string:
      let s = try call.checkString(i)
      let pod = try DNSQueries.pod(key: lab.key(parsing: s, call: call, arg: i), call, lab)
      return (.pod(ProxyFollower.name(pod.key)), pod)
    case .table:
      let t = try call.checkTable(i)
      if case .string(let n) = t["node"] {
        guard lab.cluster.node(n) != nil else { throw call.error("nodes \"\(n)\" not found") }
        return (.node(n), nil)
      }
      if case .string(let e) = t["external"] {
        guard let ip = IPAddress(e) else {
          throw call.argumentError(i, "external: \"\(e)\" is not an IP address")
        }
        return (.external(ip), nil)
      }
      if case .string(let p) = t["pod"] {
        let pod = try DNSQueries.pod(key: lab.key(parsing: p, call: call, arg: i), call, lab)
        return (.pod(ProxyFollower.name(pod.key)), pod)
      }
      if case .string(let n) = t["name"] {
        var ns = lab.currentNamespace
        if case .string(let s) = t["namespace"] { ns = s }
        let pod = try DNSQueries.pod(key: ClusterKey(namespace: ns, name: n), call, lab)
        return (.pod(ProxyFollower.name(pod.key)), pod)
      }
      throw call.argumentError(i, "source must be a pod name, {pod=}, {node=} or {external=}")
    default:
      throw call.argumentError(
        i,
        "string or table expected, got "
          + "\(call.type(at: i) == .none ? "no value" : call.type(at: i).name)"
      )
    }
  }

  /// Splits `host:port`, `[v6]:port`, a bare host or a bare IPv6 address.
  static func splitHostPort(_ s: String, _ call: LuaCall, _ j: Int) throws -> (String, String?) {
    if s.hasPrefix("[") {
      guard let close = s.firstIndex(of: "]") else {
        throw call.argumentError(j, "bad target \"\(s)\"")
      }
      let host = String(s[s.index(after: s.startIndex)..<close])
      let rest = s[s.index(after: close)...]
      if rest.isEmpty { return (host, nil) }
      guard rest.hasPrefix(":") else { throw call.argumentError(j, "bad target \"\(s)\"") }
      return (host, String(rest.dropFirst()))
    }
    if s.utf8.allSatisfy({ $0 < 0x80 }) {  // ASCII: bytes are characters
      let colon = UInt8(ascii: ":")
      var colons = 0
      var at = s.utf8.startIndex
      for i in s.utf8.indices where s.utf8[i] == colon {
        colons += 1
        at = i
      }
      if colons == 1 {
        return (String(s[..<at]), String(s[s.utf8.index(after: at)...]))
      }
      guard !s.isEmpty else { throw call.argumentError(j, "empty target") }
      return (s, nil)
    }
    let colons = s.filter { $0 == ":" }.count
    if colons == 1, let c = s.firstIndex(of: ":") {
      return (String(s[..<c]), String(s[s.index(after: c)...]))
    }
    guard !s.isEmpty else { throw call.argumentError(j, "empty target") }
    return (s, nil)
  }

  /// The port: a number, a Service port name, `opts.port`, or the only port of the Service
  /// whose ClusterIP is the destination.
  static func port(
    _ text: String?, option: Int?, ip: IPAddress, proto: ProxyProtocol, _ call: LuaCall, _ j: Int,
    _ lab: LabSession
  ) throws -> Int {
    // kube-proxy's index of Service addresses, not a walk over every Service; only read when
    // the port is not a number.
    var ports: [ProxyServicePort] {
      TrafficAPI.proxy(lab).synced().clusterIPPorts(at: ip).filter { $0.name.proto == proto }
    }
    let port: Int
    if let text {
      if let n = Int(text) {
        port = n
      } else if let p = ports.first(where: { $0.name.port == text }) {
        port = p.port
      } else {
        throw call.argumentError(j, "bad port \"\(text)\"")
      }
    } else if let option {
      port = option
    } else if let only = ports.first, ports.count == 1 {
      port = only.port
    } else {
      throw call.argumentError(j, "no port in \"\(ip)\" (write \"name:port\" or give opts.port)")
    }
    guard (1...65535).contains(port) else {
      throw call.argumentError(j, "bad port \(port) (must be between 1 and 65535)")
    }
    return port
  }

  /// Resolves `host` as the sender would: a pod through its resolv.conf, a node through its
  /// own resolver (which knows no cluster names), an outside client through the outside world.
  static func resolve(
    _ host: String, from pod: Pod?, source: ConnectSource, _ lab: LabSession
  ) -> Lookup {
    if let pod {
      var q = QueryOptions()
      q.from = pod
      return DNSQueries.resolve(host, q, lab)
    }
    let dns = DNSAPI.dns(lab)
    var config = ResolverConfig(nameservers: ["upstream"])
    if case .node(let n) = source { config = DNSQueries.nodeResolver(lab.cluster.node(n)) }
    let result = CoreDNS.lookup(name: host, type: nil, config: config, flavor: .glibc) { n, t in
      dns.server.external.lookup(n, t)
    }
    return Lookup(
      response: result.response,
      queries: result.queries.map { Lookup.Query(name: $0.name, type: $0.type, rcode: $0.rcode) },
      addresses: result.addresses)
  }
}

/// A name that did not resolve: a network outcome (`nil, "unresolved: …"`), not an error.
struct TrafficFailure: Error {
  var reason: String
  var lookup: Lookup?
}
