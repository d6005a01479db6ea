import Cluster
import LuaKit
import NetAddr

/// Lua option tables read into the cluster's input types. Unknown fields are rejected;
/// values the API knows as enumerations are checked in the API server's words.
enum SpecReaders {
  static func containerPorts(_ f: inout Fields, _ key: String = "ports") throws -> [ContainerPort]?
  {
    try f.list(key) { p in
      let port = try p.int("containerPort") ?? p.int("port")
      guard let port else {
        throw LuaError("\(p.function): \(p.path).containerPort: Required value")
      }
      return ContainerPort(
        name: try p.string("name"), containerPort: port,
        protocol: PortProtocol(rawValue: try p.string("protocol") ?? "TCP"))
    }
  }

  /// A number that does not fit the API's int32 field fails decoding, as the API server's
  /// JSON decoder reports it.
  static func int32(_ n: Int, field: String, owner: String, function: String) throws {
    guard n < Int(Int32.min) || n > Int(Int32.max) else { return }
    throw LuaError(
      "\(function): json: cannot unmarshal number \(n) into Go "
        + "struct field \(owner).\(field) of type int32"
    )
  }

  static func dnsPolicy(_ f: inout Fields, kind: String, name: String) throws -> DNSPolicy? {
    guard let s = try f.string("dnsPolicy") else { return nil }
    guard let p = DNSPolicy(rawValue: s) else {
      let supported = DNSPolicy.allCases.map { "\"\($0.rawValue)\"" }.sorted().joined(
        separator: ", ")
      throw LuaError(
        "\(f.function): \(kind) \"\(name)\" is invalid: spec.dnsPolicy: Unsupported "
          + "value: \"\(s)\": supported values: \(supported)"
      )
    }
    return p
  }

  static func podDNSConfig(_ f: inout Fields) throws -> PodDNSConfig? {
    guard let t = try f.table("dnsConfig") else { return nil }
    var c = Fields(t, path: "\(f.path).dnsConfig", function: f.function)
    let options = try c.list("options") { o in
      PodDNSConfigOption(name: try o.string("name") ?? "", value: try o.string("value"))
    }
    let cfg = PodDNSConfig(
      nameservers: try c.strings("nameservers") ?? [], searches: try c.strings("searches") ?? [],
      options: options ?? [])
    try c.rejectUnknown()
    return cfg
  }

  static func podOptions(
    _ t: LuaTable?, function: String, name: String, namespace: String
  ) throws
    -> PodOptions
  {
    var f = Fields(t, path: "opts", function: function)
    _ = f.raw("namespace")
    var o = PodOptions(namespace: namespace)
    o.labels = try f.stringMap("labels") ?? [:]
    o.node = try f.string("node")
    o.ip = try f.string("ip")
    o.ready = try f.bool("ready") ?? true
    o.ports = try containerPorts(&f) ?? []
    o.hostname = try f.string("hostname")
    o.subdomain = try f.string("subdomain")
    o.dnsPolicy = try dnsPolicy(&f, kind: "Pod", name: name) ?? .clusterFirst
    o.dnsConfig = try podDNSConfig(&f)
    o.hostNetwork = try f.bool("hostNetwork") ?? false
    o.setHostnameAsFQDN = try f.bool("setHostnameAsFQDN") ?? false
    o.terminationGracePeriodSeconds = try f.int("terminationGracePeriodSeconds") ?? 30
    try f.rejectUnknown()
    return o
  }

  static func deploymentOptions(
    _ t: LuaTable?, function: String, name: String, namespace: String
  )
    throws -> DeploymentOptions
  {
    var f = Fields(t, path: "opts", function: function)
    _ = f.raw("namespace")
    var o = DeploymentOptions(namespace: namespace)
    o.replicas = try f.int("replicas") ?? 1
    try int32(o.replicas, field: "replicas", owner: "DeploymentSpec.spec", function: function)
    o.labels = try f.stringMap("labels") ?? ["app": name]
    o.selector = try f.stringMap("selector")
    o.ports = try containerPorts(&f) ?? []
    o.dnsPolicy = try dnsPolicy(&f, kind: "Deployment.apps", name: name) ?? .clusterFirst
    try f.rejectUnknown()
    return o
  }

  static func nodeOptions(_ t: LuaTable?, function: String) throws -> NodeOptions {
    var f = Fields(t, path: "opts", function: function)
    let o = NodeOptions(
      zone: try f.string("zone"), region: try f.string("region"), ip: try f.string("ip"),
      podCIDR: try f.string("podCIDR"), labels: try f.stringMap("labels") ?? [:],
      dnsSearch: try f.strings("dnsSearch") ?? [])
    try f.rejectUnknown()
    return o
  }

  static func servicePorts(_ f: inout Fields) throws -> [ServicePort]? {
    try f.list("ports") { p in
      var port = ServicePort(port: try p.int("port") ?? 0)
      port.name = try p.string("name") ?? ""
      port.protocol = PortProtocol(rawValue: try p.string("protocol") ?? "TCP")
      switch try p.intOrString("targetPort") {
      case .integer(let n): port.targetPort = .int(Int(n))
      // A string is a port name even when it is all digits, as `targetPort: "8080"` in YAML.
      case .string(let s): port.targetPort = .string(s)
      default: port.targetPort = nil
      }
      port.nodePort = try p.int("nodePort")
      port.appProtocol = try p.string("appProtocol")
      return port
    }
  }

  /// Reads a Service spec over `base` (a new spec for create, the stored one for update):
  /// only the fields present change.
  static func serviceSpec(
    _ t: LuaTable?, over base: ServiceSpec, function: String, name: String
  ) throws -> (ServiceSpec, labels: [String: String]?) {
    var f = Fields(t, path: "spec", function: function)
    _ = f.raw("namespace")
    _ = f.raw("loadBalancerIPMode")  // status, not spec: see `loadBalancerIPMode(_:)`
    var s = base
    if let v = try f.string("type") { s.type = ServiceType(rawValue: v) }
    if let v = try f.stringMap("selector") { s.selector = v }
    if let v = try servicePorts(&f) { s.ports = v }
    if let v = try f.string("clusterIP") {
      s.clusterIP = v
      if t?["clusterIPs"] == .nil { s.clusterIPs = v.isEmpty ? [] : [v] }
    }
    if let v = try f.strings("clusterIPs") {
      s.clusterIPs = v
      if t?["clusterIP"] == .nil { s.clusterIP = v.first ?? "" }
    }
    if let v = try f.strings("ipFamilies") { s.ipFamilies = try ipFamilies(v, function, name) }
    if let v = try f.string("ipFamilyPolicy") { s.ipFamilyPolicy = IPFamilyPolicy(rawValue: v) }
    if let v = try f.string("externalName") { s.externalName = v }
    if let v = try f.strings("externalIPs") { s.externalIPs = v }
    if let v = try f.string("sessionAffinity") { s.sessionAffinity = SessionAffinity(rawValue: v) }
    if let v = try f.int("sessionAffinityTimeout") { s.sessionAffinityTimeoutSeconds = v }
    if let v = try f.string("externalTrafficPolicy") {
      s.externalTrafficPolicy = TrafficPolicy(rawValue: v)
    }
    if let v = try f.string("internalTrafficPolicy") {
      s.internalTrafficPolicy = TrafficPolicy(rawValue: v)
    }
    if let v = try f.bool("publishNotReadyAddresses") { s.publishNotReadyAddresses = v }
    if let v = try f.int("healthCheckNodePort") { s.healthCheckNodePort = v }
    if let v = try f.string("loadBalancerIP") { s.loadBalancerIP = v }
    if let v = try f.strings("loadBalancerSourceRanges") { s.loadBalancerSourceRanges = v }
    if let v = try f.bool("allocateLoadBalancerNodePorts") { s.allocateLoadBalancerNodePorts = v }
    if let v = try f.string("trafficDistribution") {
      s.trafficDistribution = TrafficDistribution(rawValue: v)
    }
    let labels = try f.stringMap("labels")
    try f.rejectUnknown()
    return (s, labels)
  }

  /// The lab's `loadBalancerIPMode` field: what the simulated cloud writes to
  /// `status.loadBalancer.ingress[].ipMode` ("VIP", its default, or "Proxy"). `.none`: not
  /// given; `.some(nil)`: never (absent field).
  static func loadBalancerIPMode(
    _ t: LuaTable?, function: String, name: String
  ) throws
    -> LoadBalancerIPMode?
  {
    let f = Fields(t, path: "spec", function: function)
    guard let v = try f.peekString("loadBalancerIPMode") else { return nil }
    let mode = LoadBalancerIPMode(rawValue: v)
    guard LoadBalancerIPMode.supported.contains(mode) else {
      throw LuaError(
        "\(function): Service \"\(name)\" is invalid: status.loadBalancer.ingress[0].ipMode: "
          + "Unsupported value: \"\(v)\": supported values: \"Proxy\", \"VIP\""
      )
    }
    return mode
  }

  static func ipFamilies(_ v: [String], _ function: String, _ name: String) throws -> [IPFamily] {
    try v.enumerated().map { i, s in
      guard let fam = IPFamily(rawValue: s) else {
        throw LuaError(
          "\(function): Service \"\(name)\" is invalid: spec.ipFamilies[\(i)]: Unsupported value: "
            + "\"\(s)\": supported values: \"IPv4\", \"IPv6\""
        )
      }
      return fam
    }
  }
}
