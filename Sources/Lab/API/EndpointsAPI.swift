import Cluster
import LuaKit

/// v1 Endpoints objects (`createEndpoints`, `updateEndpoints`, `deleteEndpoints`,
/// `getEndpoints`) and the changing of user-written EndpointSlices (`updateEndpointSlice`,
/// `deleteEndpointSlice`).
enum EndpointsAPI {
  /// What the 1.33+ API server returns with every read or write of v1 Endpoints, as kubectl
  /// prints it.
  static let deprecationWarning =
    "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"

  static func register(_ lab: LabSession, in state: LuaState) throws {
    try state.register(
      "createEndpoints",
      help: HelpEntry(
        usage: "createEndpoints(name, opts)",
        summary:
          "a v1 Endpoints object, for a Service without a selector (mirrored into "
          + "EndpointSlices) (opts: namespace, labels, annotations, subsets={ "
          + "{addresses=, notReadyAddresses=, ports=} })"
      )
    ) { call in
      let opts = try call.checkTable(2)
      let key = try lab.key(call, 1, namespace: ObjectsAPI.namespaceOption(opts))
      let ep = try readEndpoints(opts, key: key, function: call.functionName)
      let e = try call.cluster { () throws(ClusterError) in try lab.cluster.createEndpoints(ep) }
      return try call.result(ObjectTables.v1Endpoints(e))
    }
    try state.register(
      "updateEndpoints",
      help: HelpEntry(
        usage: "updateEndpoints(name, opts)",
        summary:
          "replace an Endpoints object's subsets, labels and annotations (same "
          + "fields and validation as createEndpoints)"
      )
    ) { call in
      let opts = try call.checkTable(2)
      let key = try lab.key(call, 1, namespace: ObjectsAPI.namespaceOption(opts))
      let ep = try readEndpoints(opts, key: key, function: call.functionName)
      let e = try call.cluster { () throws(ClusterError) in try lab.cluster.updateEndpoints(ep) }
      return try call.result(ObjectTables.v1Endpoints(e))
    }
    try state.register(
      "deleteEndpoints",
      help: HelpEntry(
        usage: "deleteEndpoints(name, opts)",
        summary:
          "delete an Endpoints object (its mirrored slices go too; "
          + "a selector's Endpoints are written again)"
      )
    ) { call in
      let key = try lab.key(call, 1, namespace: ObjectsAPI.namespaceOption(try call.optTable(2)))
      try call.cluster { () throws(ClusterError) in try lab.cluster.deleteEndpoints(key) }
      return 0
    }
    try state.register(
      "getEndpoints",
      help: HelpEntry(
        usage: "getEndpoints(name, opts)",
        summary:
          "the v1 Endpoints object named as the Service, or nil: "
          + "{name, namespace, labels, annotations, subsets}"
      )
    ) { call in
      let key = try lab.key(call, 1, namespace: ObjectsAPI.namespaceOption(try call.optTable(2)))
      return try call.result(lab.cluster.v1Endpoints(key).map(ObjectTables.v1Endpoints) ?? .nil)
    }
    try state.register(
      "updateEndpointSlice",
      help: HelpEntry(
        usage: "updateEndpointSlice(name, opts)",
        summary:
          "replace a slice's endpoints, ports and labels (same fields and validation as "
          + "createEndpointSlice; addressType is immutable)"
      )
    ) { call in
      let opts = try call.checkTable(2)
      let key = try lab.key(call, 1, namespace: ObjectsAPI.namespaceOption(opts))
      var (slice, service) = try ObjectsAPI.readSlice(opts, key: key, function: call.functionName)
      if opts["addressType"] == .nil, let old = lab.cluster.endpointSlice(key) {
        slice.addressType = old.addressType
      }
      let s = try call.cluster { () throws(ClusterError) in
        try lab.cluster.updateEndpointSlice(slice, service: service)
      }
      return try call.result(ObjectTables.endpointSlice(s))
    }
    try state.register(
      "deleteEndpointSlice",
      help: HelpEntry(
        usage: "deleteEndpointSlice(name, opts)",
        summary: "delete an EndpointSlice (one a controller manages is written again at once)")
    ) { call in
      let key = try lab.key(call, 1, namespace: ObjectsAPI.namespaceOption(try call.optTable(2)))
      try call.cluster { () throws(ClusterError) in try lab.cluster.deleteEndpointSlice(key) }
      return 0
    }
  }

  /// Reads createEndpoints/updateEndpoints options, strictly.
  static func readEndpoints(
    _ t: LuaTable, key: NamespacedName, function: String
  ) throws -> V1Endpoints {
    var f = Fields(t, path: "opts", function: function)
    _ = f.raw("namespace")
    let labels = try f.stringMap("labels") ?? [:]
    let annotations = try f.stringMap("annotations") ?? [:]
    let subsets =
      try f.list("subsets") { s in
        EndpointSubset(
          addresses: try addresses(&s, "addresses", namespace: key.namespace),
          notReadyAddresses: try addresses(&s, "notReadyAddresses", namespace: key.namespace),
          ports: try s.list("ports") { p in
            EndpointPort(
              name: try p.string("name") ?? "", port: try p.int("port") ?? 0,
              protocol: PortProtocol(rawValue: try p.string("protocol") ?? "TCP"),
              appProtocol: try p.string("appProtocol"))
          } ?? [])
      } ?? []
    try f.rejectUnknown()
    return V1Endpoints(
      metadata: ObjectMeta(
        name: key.name, namespace: key.namespace, labels: labels, annotations: annotations),
      subsets: subsets)
  }

  /// A list of addresses, each an IP string or `{ip=, hostname=, nodeName=, targetRef=}`.
  private static func addresses(
    _ f: inout Fields, _ field: String, namespace: String
  ) throws -> [EndpointAddress] {
    guard let t = try f.table(field) else { return [] }
    let path = "\(f.path).\(field)"
    guard t.map.isEmpty else { throw LuaError("\(f.function): \(path): list expected, got table") }
    return try t.array.enumerated().map { i, v -> EndpointAddress in
      switch v {
      case .string(let ip): return EndpointAddress(ip: ip)
      case .table(let item):
        var a = Fields(item, path: "\(path)[\(i)]", function: f.function)
        var addr = EndpointAddress(ip: try a.string("ip") ?? "")
        addr.hostname = try a.string("hostname")
        addr.nodeName = try a.string("nodeName")
        switch a.raw("targetRef") {
        case .nil: break
        case .string(let s): addr.targetRef = ObjectReference(namespace: namespace, name: s)
        case .table(let r):
          var rf = Fields(r, path: "\(path)[\(i)].targetRef", function: f.function)
          addr.targetRef = ObjectReference(
            kind: try rf.string("kind") ?? "Pod",
            namespace: try rf.string("namespace") ?? namespace,
            name: try rf.string("name") ?? "")
          try rf.rejectUnknown()
        case let other:
          throw LuaError(
            "\(f.function): \(path)[\(i)].targetRef: table expected, got \(other.type.name)")
        }
        try a.rejectUnknown()
        return addr
      default:
        throw LuaError("\(f.function): \(path)[\(i)]: string or table expected, got \(v.type.name)")
      }
    }
  }
}
