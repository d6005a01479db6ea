import Cluster
import LuaKit

/// `get`, `describe`, `graph`: the cluster as kubectl and Graphviz show it.
enum ViewsAPI {
  static let kindList = "svc, pods, endpointslices, nodes, deployments, ns"

  static func register(_ lab: LabSession, in state: LuaState) throws {
    try state.register(
      "get",
      help: HelpEntry(
        usage: "get(kind, opts)",
        summary: "a kubectl get table (kinds: svc, pods, endpointslices, nodes, deployments, ns; opts: namespace, allNamespaces, wide)")
    ) { call in
      let kind = try kindArgument(call, 1)
      var f = Fields(try call.optTable(2), path: "opts", function: call.functionName)
      var o = GetTables.Options(namespace: try f.string("namespace") ?? lab.currentNamespace)
      o.allNamespaces = try f.bool("allNamespaces") ?? false
      o.wide = try f.bool("wide") ?? false
      try f.rejectUnknown()
      return try call.result(.string(GetTables.render(kind, lab.cluster, o)))
    }
    try state.register(
      "describe",
      help: HelpEntry(
        usage: "describe(kind, name)",
        summary: "a kubectl describe text for one object (name or ns/name; opts.namespace as third argument)")
    ) { call in
      let kind = try kindArgument(call, 1)
      let opts = try call.optTable(3)
      let key: NamespacedName
      if kind.clusterScoped {
        key = NamespacedName(namespace: "", name: try lab.plainName(call, 2))
      } else {
        key = try lab.key(call, 2, namespace: ObjectsAPI.namespaceOption(opts))
      }
      guard let text = Describe.render(kind, key, lab.cluster) else {
        throw call.error("\(kind.resource) \"\(key.name)\" not found")
      }
      return try call.result(.string(text))
    }
    try state.register(
      "graph",
      help: HelpEntry(
        usage: "graph(opts)",
        summary: "nodes, pods, Services and their wiring as Graphviz DOT (opts: namespace, format=\"svg\" renders with dot)")
    ) { call in
      var f = Fields(try call.optTable(1), path: "opts", function: call.functionName)
      let ns = try f.string("namespace")
      let format = try f.string("format") ?? "dot"
      try f.rejectUnknown()
      return try call.result(.string(try render(lab, namespace: ns, format: format, function: call.functionName)))
    }
  }

  /// The graph as DOT or SVG.
  static func render(_ lab: LabSession, namespace: String?, format: String, function: String) throws -> String {
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
      throw LuaError("\(function): opts.format: Unsupported value: \"\(format)\": supported values: \"dot\", \"svg\"")
    }
  }

  private static func kindArgument(_ call: LuaCall, _ i: Int) throws -> GetTables.Kind {
    let text = try call.checkString(i)
    guard let kind = GetTables.Kind.parse(text) else {
      throw call.error("the server doesn't have a resource type \"\(text)\" (svclab knows \(kindList))")
    }
    return kind
  }
}
