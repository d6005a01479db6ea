import KubeProxy
import LuaKit

/// Connection results and traces pushed straight onto the Lua stack.
enum ResultTables {
  /// `connect`'s result: one record pushed in one C call, then `hops`, each line written into
  /// one reused buffer and pushed from there.
  static func pushConnection(_ c: Connection, trace: [TraceStep], on call: LuaCall) throws {
    try call.pushRecord(fields: connectionFields(c, sourceReason: SourceReason.explain(trace)))
    try call.newTable(arrayCount: trace.count)
    let text = TraceText()
    var i = 0
    try text.forEachLine(of: trace) { line in
      i += 1
      try call.pushString(utf8: line)
      call.setIndex(i)
    }
    call.setField(literal: "hops")
  }

  /// The fields of `connect`'s result but `hops`; `id` and `kept` come last. `sourceReason`
  /// (``SourceReason``) is there when the source the backend sees is not the client's own.
  static func connectionFields(_ c: Connection, sourceReason: String? = nil) -> [LuaField] {
    var fields: [LuaField] = []
    fields.reserveCapacity(11)
    if let pod = c.pod {
      fields.append(LuaField("pod", .string(pod.name)))
      fields.append(LuaField("namespace", .string(pod.namespace)))
    }
    fields.append(LuaField("podIP", .string(c.podIP.description)))
    fields.append(LuaField("port", .integer(c.port)))
    if let sp = c.servicePort { fields.append(LuaField("servicePort", .integer(sp))) }
    fields.append(LuaField("node", .string(c.node)))
    fields.append(LuaField("entryNode", .string(c.entryNode)))
    if let s = c.service { fields.append(LuaField("service", .string(s.name))) }
    fields.append(LuaField("sourceIP", .string(c.sourceIP.description)))
    if let why = sourceReason { fields.append(LuaField("sourceReason", .string(why))) }
    fields.append(LuaField("id", .integer(c.id)))
    fields.append(LuaField("kept", .boolean(c.kept)))
    return fields
  }

  static func pushTrace(
    steps: [(kind: String, node: String?, chain: String?, text: String)], connection: Connection?,
    reason: String?, sourceReason: String? = nil, on call: LuaCall
  ) throws {
    try call.newTable(recordCount: 5)
    try call.newTable(arrayCount: steps.count)
    var lines: [String] = []
    for (i, s) in steps.enumerated() {
      try call.newTable(recordCount: 4)
      call.setField("kind", s.kind)
      if let n = s.node { call.setField("node", n) }
      if let c = s.chain { call.setField("chain", c) }
      call.setField("text", s.text)
      call.setIndex(i + 1)
      let place = s.node.map { "[\($0)] " } ?? ""
      let chain = s.chain.map { "\($0): " } ?? ""
      lines.append("\(i + 1). \(place)\(chain)\(s.text)")
    }
    call.setField("steps")
    call.setField("ok", connection != nil)
    if let c = connection {
      try call.pushRecord(fields: connectionFields(c, sourceReason: sourceReason))
      try call.newTable(arrayCount: 0)
      call.setField(literal: "hops")
      call.setField("result")
      lines.append(
        "→ \(c.pod.map { "pod \($0)" } ?? c.podIP.description) port \(c.port), "
          + "source \(c.sourceIP)"
      )
      if let sourceReason { lines.append("→ source \(c.sourceIP): \(sourceReason)") }
    }
    if let reason {
      call.setField("reason", reason)
      lines.append("→ \(reason)")
    }
    call.setField("text", lines.joined(separator: "\n"))
    try call.setMetatable(named: TrafficAPI.traceMetatable)
  }
}
