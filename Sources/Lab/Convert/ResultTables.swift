import KubeProxy
import LuaKit

/// Connection results and traces pushed straight onto the Lua stack.
enum ResultTables {
  static func pushConnection(_ c: Connection, trace: [TraceStep], on call: LuaCall) throws {
    try call.newTable(recordCount: 12)
    if let pod = c.pod {
      try call.pushString(pod.name)
      call.setField(literal: "pod")
      try call.pushString(pod.namespace)
      call.setField(literal: "namespace")
    }
    try call.pushString(c.podIP.description)
    call.setField(literal: "podIP")
    try call.pushInteger(c.port)
    call.setField(literal: "port")
    if let sp = c.servicePort {
      try call.pushInteger(sp)
      call.setField(literal: "servicePort")
    }
    try call.pushString(c.node)
    call.setField(literal: "node")
    try call.pushString(c.entryNode)
    call.setField(literal: "entryNode")
    if let s = c.service {
      try call.pushString(s.name)
      call.setField(literal: "service")
    }
    try call.pushString(c.sourceIP.description)
    call.setField(literal: "sourceIP")
    try call.pushInteger(c.id)
    call.setField(literal: "id")
    try call.pushBoolean(c.kept)
    call.setField(literal: "kept")
    try call.newTable(arrayCount: trace.count)
    for (i, step) in trace.enumerated() {
      try call.pushString(step.description)
      call.setIndex(i + 1)
    }
    call.setField(literal: "hops")
  }

  static func pushTrace(
    steps: [(kind: String, node: String?, chain: String?, text: String)], connection: Connection?,
    reason: String?, on call: LuaCall
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
      try pushConnection(c, trace: [], on: call)
      call.setField("result")
      lines.append("→ \(c.pod.map { "pod \($0)" } ?? c.podIP.description) port \(c.port), source \(c.sourceIP)")
    }
    if let reason {
      call.setField("reason", reason)
      lines.append("→ \(reason)")
    }
    call.setField("text", lines.joined(separator: "\n"))
    try call.setMetatable(named: TrafficAPI.traceMetatable)
  }
}
