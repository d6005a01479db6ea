import Cluster
import LuaKit

/// `get`, `describe`, `graph`: the cluster as kubectl and Graphviz show it.
enum ViewsAPI {
  static let kindList =
    "svc, pods, endpointslices, ep, nodes, deployments, ns, servicecidrs, ipaddresses"

  static func register(_ lab: LabSession, in state: LuaState) throws {
    try state.register(
      "get",
      help: HelpEntry(
        usage: "get(kind, opts)",
        summary:
          "a kubectl get table (kinds by any kubectl name: svc, pods, endpointslices, ep, nodes, "
          + "deployments, ns; one object as get(\"svc/web\") or get(\"svc\", \"web\", opts); opts: "
          + "namespace, allNamespaces, wide); v1 Endpoints come with the 1.33+ deprecation warning"
      )
    ) { call in
      let (kind, inlineName) = try kindArgument(call, 1)
      var name = inlineName
      var optsIndex = 2
      if name == nil, case .string(let n) = call.value(at: 2) {
        name = n
        optsIndex = 3
      }
      var f = Fields(try call.optTable(optsIndex), path: "opts", function: call.functionName)
      var o = GetTables.Options(namespace: try f.string("namespace") ?? lab.currentNamespace)
      o.allNamespaces = try f.bool("allNamespaces") ?? false
      o.wide = try f.bool("wide") ?? false
      try f.rejectUnknown()
      let warning = kind == .endpoints ? EndpointsAPI.deprecationWarning + "\n" : ""
      if let name {
        let key = NamespacedName(namespace: kind.clusterScoped ? "" : o.namespace, name: name)
        guard Describe.render(kind, key, lab.cluster) != nil else {
          throw call.error("\(kind.resource) \"\(name)\" not found")
        }
        o.name = name
        o.allNamespaces = false
      }
      return try call.result(.string(warning + GetTables.render(kind, lab.cluster, o)))
    }
    try state.register(
      "describe",
      help: HelpEntry(
        usage: "describe(kind, name)",
        summary:
          "a kubectl describe text for one object (name or ns/name; opts.namespace as "
          + "third argument, or second after \"kind/name\")"
      )
    ) { call in
      let (kind, inline) = try kindArgument(call, 1)
      let opts = try call.optTable(inline == nil ? 3 : 2)
      let key: NamespacedName
      if let inline {
        let ns = ObjectsAPI.namespaceOption(opts) ?? lab.currentNamespace
        key = NamespacedName(namespace: kind.clusterScoped ? "" : ns, name: inline)
      } else if kind.clusterScoped {
        key = NamespacedName(namespace: "", name: try lab.plainName(call, 2))
      } else {
        key = try lab.key(call, 2, namespace: ObjectsAPI.namespaceOption(opts))
      }
      guard let text = Describe.render(kind, key, lab.cluster) else {
        throw call.error("\(kind.resource) \"\(key.name)\" not found")
      }
      let warning = kind == .endpoints ? EndpointsAPI.deprecationWarning + "\n" : ""
      return try call.result(.string(warning + text))
    }
    try state.register(
      "graph",
      help: HelpEntry(
        usage: "graph(opts)",
        summary:
          "nodes, pods, Services and their wiring as Graphviz DOT (opts: "
          + "namespace, format=\"svg\" renders with dot)"
      )
    ) { call in
      var f = Fields(try call.optTable(1), path: "opts", function: call.functionName)
      let ns = try f.string("namespace")
      let format = try f.string("format") ?? "dot"
      try f.rejectUnknown()
      return try call.result(
        .string(try render(lab, namespace: ns, format: format, function: call.functionName)))
    }
  }

  /// The graph as DOT or SVG.
  static func render(
    _ lab: LabSession, namespace: String?, format: String, function: String
  ) throws -> String {
    let dot = Graph.dot(lab.cluster, namespace: namespace)
    switch format {
    case "dot": return dot
    case "svg":
      do throws(Graph.RenderError) {
        return try Graph.svg(dot)
      } catch {
        guard case .message(let m) = error else { return "" }
        throw LuaError("\(function): \(m)")
      }
    default:
      throw LuaError(
        "\(function): opts.format: Unsupported value: "
          + "\"\(format)\": supported values: \"dot\", \"svg\""
      )
    }
  }

  /// The kind, and the name when written kubectl's `kind/name` way (`svc/web`).
  private static func kindArgument(_ call: LuaCall, _ i: Int) throws -> (GetTables.Kind, String?) {
    let text = try call.checkString(i)
    var kindText = text
    var name: String?
    if let slash = text.firstIndex(of: "/") {
      kindText = String(text[..<slash])
      name = String(text[text.index(after: slash)...])
      if name?.isEmpty == true || name?.contains("/") == true {
        throw call.error("arguments in resource/name form must have a single resource and name")
      }
    }
    guard let kind = GetTables.Kind.parse(kindText) else {
      throw call.error(
        "the server doesn't have a resource type \"\(kindText)\" (svclab knows \(kindList))")
    }
    return (kind, name)
  }
}
