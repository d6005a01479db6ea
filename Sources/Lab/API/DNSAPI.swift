import Cluster
import CoreDNS
import LuaKit
import NetAddr

/// `resolve`, `dig`, `resolvConf`, `hostsFile`, `dnsConfig`, `corefile`, `addExternalRecord`.
enum DNSAPI {
  static func register(_ lab: LabSession, in state: LuaState) throws {
    let slot = lab.follow { DNSFollower(domain: $0.cluster.domain) }
    try registerQueries(lab, slot, state)
    try registerPodFiles(lab, state)
    try registerSettings(lab, state)
  }

  static func dns(_ lab: LabSession) -> DNSFollower {
    if let f = lab.follower(DNSFollower.self) { return f }
    preconditionFailure("the DNS follower is registered with the DNS API")
  }

  /// Service names for completion, as they resolve. `resolve` walks a ClusterFirst pod's
  /// search path in the current namespace: its own Services bare (`web`), others as
  /// `name.namespace`, and every FQDN with its trailing dot (absolute). `dig` sends names as
  /// they are, absolute: only FQDNs.
  static func serviceNames(_ lab: LabSession, for function: String) -> [String] {
    let domain = lab.cluster.domain
    return lab.cluster.services().flatMap { s -> [String] in
      let fqdn = "\(s.name).\(s.namespace).svc.\(domain)"
      guard function == "resolve" else { return [fqdn] }
      let short = s.namespace == lab.currentNamespace ? s.name : "\(s.name).\(s.namespace)"
      return [short, fqdn + "."]
    }.sorted()
  }

  private static func registerQueries(
    _ lab: LabSession, _ slot: FollowerSlot<DNSFollower>, _ state: LuaState
  ) throws {
    try state.register(
      "resolve",
      help: HelpEntry(
        usage: "resolve(name, opts)",
        summary:
          "one DNS lookup as a pod makes it; opts: type (default A and AAAA, as getaddrinfo), from "
          + "(a pod: its search path and ndots), resolver (\"glibc\"/\"musl\")",
        details:
          "Returns {rcode, flags, answer, authority, additional, queries, addresses}. "
          + "Without from, the lookup is that of a ClusterFirst pod in the current "
          + "namespace (its search path, ndots:5): resolve(\"web\") finds the Service web. "
          + "A name ending in a dot is absolute (one query)."
      )
    ) { call in
      let name = try queryName(call)
      let q = try QueryOptions(call, 2, lab)
      let looked = DNSQueries.resolve(name, q, lab)
      if let why = looked.refusal { throw call.error("\(name): \(why)") }
      try AnswerTables.push(looked, on: call)
      return 1
    }
    try state.register(
      "dig",
      help: HelpEntry(
        usage: "dig(name, opts)",
        summary: "one query, printed as dig prints it; opts: type, from, search",
        details:
          "Unlike resolve, dig sends the name as given, absolute, with no search path: "
          + "dig(\"web\") asks for \"web.\". {search = true} (dig's +search) walks the search path "
          + "(the pod's with from, else a ClusterFirst pod's in the current namespace) and prints "
          + "the answer of the query that ended the walk."
      )
    ) { call in
      let name = try queryName(call)
      let q = try QueryOptions(call, 2, lab)
      // dig itself refuses a name it cannot put in a query, before sending anything.
      if let why = digRefusal(name) { throw call.error("'\(name)' is not a legal name (\(why))") }
      return try call.result(.string(DNSQueries.dig(name, q, lab)))
    }
    try state.register(
      "addExternalRecord",
      help: HelpEntry(
        usage: "addExternalRecord(name, type, data, ttl)",
        summary:
          "a record in the world outside the cluster, which "
          + "CoreDNS forwards to (ttl defaults to 300)"
      )
    ) { call in
      let name = try call.checkString(1)
      let type = try parseType(call, try call.checkString(2))
      let data = try call.checkString(3)
      let ttl = try call.optInteger(4, default: 300) ?? 300
      guard (0...2_147_483_647).contains(ttl) else {
        throw call.argumentError(4, "ttl must be between 0 and 2147483647")
      }
      if type == .a || type == .aaaa {
        guard let ip = IPAddress(data), (ip.family == .v4) == (type == .a) else {
          throw call.argumentError(
            3, "\"\(data)\" is not an \(type == .a ? "IPv4" : "IPv6") address")
        }
      }
      dns(lab).server.external.add(name: name, type: type, data: data, ttl: UInt32(ttl))
      return 0
    }
  }

  /// The name to look up: a string (a number is not silently taken as a name).
  static func queryName(_ call: LuaCall) throws -> String {
    try checkQueryName(call)
    return try call.checkString(1)
  }

  /// Fails unless the query name (argument 1) is a string: numbers are not names.
  static func checkQueryName(_ call: LuaCall) throws {
    guard call.type(at: 1) == .string else {
      let got = call.type(at: 1) == .none ? "no value" : call.type(at: 1).name
      throw call.argumentError(1, "string expected, got \(got)")
    }
  }

  static func parseType(_ call: LuaCall, _ text: String) throws -> RRType {
    do { return try RRType(parsing: text) } catch { throw call.error("\(error)") }
  }

  private static func registerPodFiles(_ lab: LabSession, _ state: LuaState) throws {
    try state.register(
      "resolvConf",
      help: HelpEntry(
        usage: "resolvConf(pod)", summary: "the resolv.conf the kubelet writes for that pod")
    ) { call in
      let pod = try DNSQueries.pod(call, 1, lab)
      return try call.result(.string(DNSQueries.podResolvConf(pod, lab).text))
    }
    try state.register(
      "hostsFile",
      help: HelpEntry(
        usage: "hostsFile(pod)", summary: "the /etc/hosts the kubelet writes for that pod")
    ) { call in
      let pod = try DNSQueries.pod(call, 1, lab)
      let text = CoreDNS.hostsFile(
        podName: pod.name, namespace: pod.namespace, podIPs: pod.podIPs.map(\.description),
        hostname: pod.hostname, subdomain: pod.subdomain, clusterDomain: lab.cluster.domain,
        hostNetwork: pod.hostNetwork, nodeHostsFile: DNSQueries.nodeHostsFile(pod, lab))
      return try call.result(.string(text))
    }
  }

  private static func registerSettings(_ lab: LabSession, _ state: LuaState) throws {
    try state.register(
      "dnsConfig",
      help: HelpEntry(
        usage: "dnsConfig(opts)",
        summary:
          "CoreDNS kubernetes-plugin settings: ttl, pods, endpointPodNames, "
          + "namespaces, ignoreEmptyService, noEndpoints, autopath, loadbalance, "
          + "fallthrough; returns the settings in force"
      )
    ) { call in
      let server = dns(lab).server
      server.settings = try DNSSettings.read(
        call.optTable(1), over: server.settings, function: call.functionName)
      return try call.result(DNSSettings.table(server.settings))
    }
    try state.register(
      "corefile",
      help: HelpEntry(
        usage: "corefile(text)",
        summary:
          "read CoreDNS settings from a Corefile (kubernetes, "
          + "autopath, loadbalance, forward, cache)"
      )
    ) { call in
      // The Corefile lives in the coredns ConfigMap, and "the data stored in a ConfigMap
      // cannot exceed 1 MiB" (Kubernetes docs, ConfigMaps): a bound before any Swift copy.
      if let n = call.stringLength(1), n > maxCorefileBytes {
        throw call.error(
          "the Corefile is too large (\(n) bytes; a ConfigMap holds at most \(maxCorefileBytes))")
      }
      let text = try call.checkString(1)
      let settings: KubernetesPluginSettings
      do { settings = try parseCorefile(text) } catch { throw call.error("\(error)") }
      dns(lab).server.settings = settings
      return try call.result(DNSSettings.table(settings))
    }
  }
}

/// The largest Corefile `corefile` reads: a ConfigMap's limit, 1 MiB.
let maxCorefileBytes = 1 << 20

/// The options of `resolve` and `dig`: a type string, or `{type=, from=, resolver=}`.
struct QueryOptions {
  var type: RRType?
  var from: Pod?
  var flavor: ResolverFlavor = .glibc
  /// `dig`'s `+search`.
  var search = false

  init() {}

  init(_ call: LuaCall, _ i: Int, _ lab: LabSession) throws {
    switch call.type(at: i) {
    case .none, .nil: return
    case .string: type = try DNSAPI.parseType(call, try call.checkString(i))
    case .table:
      let t = try call.checkTable(i, name: "opts")
      var f = Fields(t, path: "opts", function: call.functionName)
      if let s = try f.string("type") { type = try DNSAPI.parseType(call, s) }
      if call.functionName == "dig", let b = try f.bool("search") { search = b }
      if let r = try f.string("resolver") {
        guard let fl = ResolverFlavor(rawValue: r) else {
          throw call.error(
            "opts.resolver: unknown resolver \"\(r)\" (expected \"glibc\" or \"musl\")")
        }
        flavor = fl
      }
      switch f.raw("from") {
      case .nil: break
      case .string(let s):
        from = try DNSQueries.pod(key: lab.key(parsing: s, call: call, arg: i), call, lab)
      case .table(let pt):
        guard case .string(let n) = pt["name"] else {
          throw call.error("opts.from: pod table without a name")
        }
        let ns: String
        if case .string(let s) = pt["namespace"] { ns = s } else { ns = lab.currentNamespace }
        from = try DNSQueries.pod(key: NamespacedName(namespace: ns, name: n), call, lab)
      case let v: throw call.error("opts.from: pod name expected, got \(v.type.name)")
      }
      try f.rejectUnknown()
    default:
      throw call.argumentError(
        i,
        "string or table expected, got "
          + "\(call.type(at: i) == .none ? "no value" : call.type(at: i).name)"
      )
    }
  }
}
