import Cluster
import Foundation

/// The cluster as a Graphviz graph: each node a `cluster_<node>` subgraph holding its pods,
/// each Service a node with an edge to every pod behind it (solid when the endpoint is
/// ready, dashed when not), read from the Service's EndpointSlices.
enum Graph {
  static func dot(_ c: Cluster, namespace: String?) -> String {
    let pods = c.pods(namespace: namespace)
    let services = c.services(namespace: namespace)
    var out = "digraph svclab {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
    var byNode: [String: [Pod]] = [:]
    for p in pods { byNode[p.nodeName, default: []].append(p) }
    let nodeNames =
      namespace == nil ? c.nodes().map(\.name) : byNode.keys.filter { !$0.isEmpty }.sorted()
    for name in nodeNames {
      let ip = c.node(name).map { " (\($0.internalIP))" } ?? ""
      out += "  subgraph \(quote("cluster_" + name)) {\n    label=\(quote(name + ip));\n"
      for p in byNode[name] ?? [] { out += "    " + podNode(p) + "\n" }
      out += "  }\n"
    }
    for p in byNode[""] ?? [] { out += "  " + podNode(p) + "\n" }
    for s in services {
      let ip = s.spec.type == .externalName ? (s.spec.externalName ?? "") : s.spec.clusterIP
      out +=
        "  \(quote("svc/" + s.namespace + "/" + s.name)) "
        + "[label=\(quote("svc \(s.name)\n\(ip)")), shape=ellipse];\n"
      var seen = Set<String>()
      for e in c.endpoints(of: s.key) {
        guard let pod = e.pod, seen.insert(pod).inserted else { continue }
        let style = e.ready ? "solid" : "dashed"
        out +=
          "  \(quote("svc/" + s.namespace + "/" + s.name)) -> "
          + "\(quote("pod/" + s.namespace + "/" + pod)) [style=\(style)];\n"
      }
    }
    return out + "}\n"
  }

  private static func podNode(_ p: Pod) -> String {
    let label = "\(p.name)\n\(p.podIP?.description ?? "<none>")"
    let style = p.ready ? "" : ", style=dashed"
    return
      "\(quote("pod/" + p.namespace + "/" + p.name)) [label=\(quote(label)), shape=box\(style)];"
  }

  /// A DOT string (escaping quotes and line breaks).
  static func quote(_ s: String) -> String {
    "\""
      + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n") + "\""
  }

  enum RenderError: Error { case message(String) }

  /// Renders DOT to SVG through Graphviz's `dot` program.
  static func svg(_ dot: String) throws(RenderError) -> String {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(
      separator: ":")
    guard
      let exe = paths.map({ "\($0)/dot" }).first(where: {
        FileManager.default.isExecutableFile(atPath: $0)
      })
    else {
      throw .message(
        "graphviz is not installed (no dot program on PATH); "
          + "install it, e.g. apt-get install graphviz"
      )
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = ["-Tsvg"]
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    p.standardInput = input
    p.standardOutput = output
    p.standardError = errors
    do { try p.run() } catch { throw .message("cannot run \(exe): \(error)") }
    input.fileHandleForWriting.write(Data(dot.utf8))
    try? input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
      throw .message("dot failed: \(String(decoding: err, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
  }
}
