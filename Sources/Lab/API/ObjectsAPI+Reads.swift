import Cluster
import LuaKit

extension ObjectsAPI {
  static func registerSlices(_ lab: LabSession, _ state: LuaState) throws {
    try state.register(
      "createEndpointSlice",
      help: HelpEntry(
        usage: "createEndpointSlice(name, opts)",
        summary:
          "an EndpointSlice for a selector-less Service (opts: service, "
          + "namespace, addressType, endpoints, ports)"
      )
    ) { call in
      let opts = try call.checkTable(2, name: "opts")
      let key = try lab.key(call, 1, namespace: namespaceOption(opts))
      let (slice, service) = try readSlice(opts, key: key, function: call.functionName)
      let s = try call.cluster { () throws(ClusterError) in
        try lab.cluster.createEndpointSlice(slice, service: service)
      }
      return try call.result(ObjectTables.endpointSlice(s))
    }
  }

  static func readSlice(
    _ t: LuaTable, key: NamespacedName, function: String
  ) throws
    -> (EndpointSlice, String?)
  {
    var f = Fields(t, path: "opts", function: function)
    _ = f.raw("namespace")
    let service = try f.string("service")
    let typeText = try f.string("addressType") ?? "IPv4"
    guard let addressType = AddressType(rawValue: typeText) else {
      throw LuaError(
        "\(function): EndpointSlice.discovery.k8s.io \"\(key.name)\" is invalid: addressType: "
          + "Unsupported value: \"\(typeText)\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""
      )
    }
    let endpoints =
      try f.list("endpoints") { e in try readEndpoint(&e, namespace: key.namespace) } ?? []
    let ports =
      try f.list("ports") { p in
        EndpointPort(
          name: try p.string("name") ?? "", port: try p.int("port") ?? 0,
          protocol: PortProtocol(rawValue: try p.string("protocol") ?? "TCP"),
          appProtocol: try p.string("appProtocol"))
      } ?? []
    let labels = try f.stringMap("labels") ?? [:]
    try f.rejectUnknown()
    let meta = ObjectMeta(name: key.name, namespace: key.namespace, labels: labels)
    return (
      EndpointSlice(metadata: meta, addressType: addressType, endpoints: endpoints, ports: ports),
      service
    )
  }

  private static func readEndpoint(_ e: inout Fields, namespace: String) throws -> Endpoint {
    var ep = Endpoint(addresses: try e.strings("addresses") ?? [])
    if let c = try e.table("conditions") {
      var cf = Fields(c, path: "\(e.path).conditions", function: e.function)
      ep.conditions = EndpointConditions(
        ready: try cf.bool("ready"), serving: try cf.bool("serving"),
        terminating: try cf.bool("terminating"))
      try cf.rejectUnknown()
    }
    ep.hostname = try e.string("hostname")
    ep.nodeName = try e.string("nodeName")
    ep.zone = try e.string("zone")
    switch e.raw("targetRef") {
    case .nil: break
    case .string(let s): ep.targetRef = ObjectReference(namespace: namespace, name: s)
    case .table(let t):
      var tf = Fields(t, path: "\(e.path).targetRef", function: e.function)
      ep.targetRef = ObjectReference(
        kind: try tf.string("kind") ?? "Pod", namespace: try tf.string("namespace") ?? namespace,
        name: try tf.string("name") ?? "")
      try tf.rejectUnknown()
    case let v:
      throw LuaError("\(e.function): \(e.path).targetRef: table expected, got \(v.type.name)")
    }
    if let h = try e.table("hints") {
      var hf = Fields(h, path: "\(e.path).hints", function: e.function)
      ep.hints = EndpointHints(
        forZones: try hf.strings("forZones") ?? [], forNodes: try hf.strings("forNodes") ?? [])
      try hf.rejectUnknown()
    }
    return ep
  }

  /// Reads `{namespace=, allNamespaces=, selector=}` list options. As with kubectl, a list
  /// covers the current namespace unless it names another one or asks for all of them.
  static func listOptions(
    _ call: LuaCall, _ i: Int, _ lab: LabSession
  ) throws -> (String?, [String: String]?) {
    var f = Fields(try call.optTable(i), path: "opts", function: call.functionName)
    let all = try f.bool("allNamespaces") ?? false
    let ns = all ? nil : (try f.string("namespace") ?? lab.currentNamespace)
    let selector: [String: String]?
    switch f.raw("selector") {
    case .string(let s): selector = try parseSelector(s, call)
    default: selector = try f.stringMap("selector")
    }
    try f.rejectUnknown()
    return (ns, selector)
  }

  /// `a=b,c=d` selector text.
  static func parseSelector(_ s: String, _ call: LuaCall) throws -> [String: String] {
    var out: [String: String] = [:]
    for term in s.split(separator: ",") {
      let kv = term.split(separator: "=", maxSplits: 1).map {
        String($0.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
      }
      guard kv.count == 2, !kv[0].isEmpty else {
        throw call.error("unable to parse requirement: \"\(term)\"")
      }
      out[kv[0]] = kv[1].hasPrefix("=") ? String(kv[1].dropFirst()) : kv[1]
    }
    return out
  }

  static func registerReads(_ lab: LabSession, _ state: LuaState) throws {
    try state.register(
      "getService", help: HelpEntry(usage: "getService(name)", summary: "the Service, or nil")
    ) { call in
      let key = try lab.key(call, 1, namespace: namespaceOption(try call.optTable(2)))
      return try call.result(lab.cluster.service(key).map(ObjectTables.service) ?? .nil)
    }
    try state.register("getPod", help: HelpEntry(usage: "getPod(name)", summary: "the pod, or nil"))
    { call in
      let key = try lab.key(call, 1, namespace: namespaceOption(try call.optTable(2)))
      guard let pod = lab.cluster.pod(key) else { return try call.result(.nil) }
      try ObjectTables.pushPod(pod, on: call)
      return 1
    }
    try state.register(
      "getNode", help: HelpEntry(usage: "getNode(name)", summary: "the node, or nil")
    ) { call in
      try call.result(lab.cluster.node(try lab.plainName(call, 1)).map(ObjectTables.node) ?? .nil)
    }
    try state.register(
      "getDeployment",
      help: HelpEntry(usage: "getDeployment(name)", summary: "the Deployment, or nil")
    ) { call in
      let key = try lab.key(call, 1, namespace: namespaceOption(try call.optTable(2)))
      return try call.result(lab.cluster.deployment(key).map(ObjectTables.deployment) ?? .nil)
    }
    try state.register(
      "getNamespace", help: HelpEntry(usage: "getNamespace(name)", summary: "the namespace, or nil")
    ) { call in
      try call.result(
        lab.cluster.namespace(try lab.plainName(call, 1)).map(ObjectTables.namespace) ?? .nil)
    }
    try state.register(
      "services",
      help: HelpEntry(
        usage: "services(opts)",
        summary: "list Services in the current namespace (opts: namespace, allNamespaces, selector)"
      )
    ) { call in
      let (ns, sel) = try listOptions(call, 1, lab)
      return try call.result(
        .list(lab.cluster.services(namespace: ns, selector: sel).map(ObjectTables.service)))
    }
    try state.register(
      "pods",
      help: HelpEntry(
        usage: "pods(opts)",
        summary: "list pods in the current namespace (opts: namespace, allNamespaces, selector)")
    ) { call in
      let (ns, sel) = try listOptions(call, 1, lab)
      try ObjectTables.pushPods(lab.cluster.pods(namespace: ns, selector: sel), on: call)
      return 1
    }
    try state.register(
      "deployments",
      help: HelpEntry(
        usage: "deployments(opts)",
        summary:
          "list Deployments in the current namespace (opts: namespace, allNamespaces, selector)")
    ) { call in
      let (ns, sel) = try listOptions(call, 1, lab)
      return try call.result(
        .list(lab.cluster.deployments(namespace: ns, selector: sel).map(ObjectTables.deployment)))
    }
    try state.register("nodes", help: HelpEntry(usage: "nodes()", summary: "list nodes")) { call in
      try call.result(.list(lab.cluster.nodes().map(ObjectTables.node)))
    }
    try state.register(
      "namespaces", help: HelpEntry(usage: "namespaces()", summary: "list namespaces")
    ) { call in
      try call.result(.list(lab.cluster.namespaces().map(ObjectTables.namespace)))
    }
    try state.register(
      "endpoints",
      help: HelpEntry(
        usage: "endpoints(service, opts)",
        summary:
          "the Service's EndpointSlices flattened: {ip, port, portName, ready, serving, "
          + "terminating, pod, node, zone, hostname}, by IP then port"
      )
    ) { call in
      let key = try lab.key(call, 1, namespace: namespaceOption(try call.optTable(2)))
      guard lab.cluster.service(key) != nil else {
        throw call.error("services \"\(key.name)\" not found")
      }
      return try call.result(.list(lab.cluster.endpoints(of: key).map(ObjectTables.endpointEntry)))
    }
    try state.register(
      "endpointSlices",
      help: HelpEntry(
        usage: "endpointSlices(service, opts)",
        summary: "the Service's EndpointSlices as the controller writes them")
    ) { call in
      let key = try lab.key(call, 1, namespace: namespaceOption(try call.optTable(2)))
      guard lab.cluster.service(key) != nil else {
        throw call.error("services \"\(key.name)\" not found")
      }
      let slices = lab.cluster.endpointSlices(namespace: key.namespace, service: key.name)
      return try call.result(.list(slices.map(ObjectTables.endpointSlice)))
    }
  }
}
