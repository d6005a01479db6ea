import Testing

@testable import LuaKit

/// A record template must build the same table `pushRecord` builds, whatever bytes its text
/// holds, and fail like any other call when Lua refuses to run it.
@Suite struct RecordTemplateTests {
  /// Registers `make(id)`: a template of `fields` (with `id` a parameter) and a `hops` list
  /// whose first item is "first <id>".
  private func state(_ fields: [LuaField], items: [String], options: LuaOptions = LuaOptions()) throws
    -> LuaState
  {
    let state = try LuaState(options: options)
    var template: LuaRecordTemplate?
    try state.register("make") { call in
      let id = try call.checkInteger(1)
      let t = try template ?? LuaRecordTemplate(
        fields: fields + [LuaField("id", .integer(0))], parameters: ["id"],
        list: (key: "hops", items: items, firstItemIsParameter: true), on: call)
      template = t
      try t.pushConstructor(on: call)
      try call.pushInteger(id)
      try call.pushString("first \(id)")
      return t.constructedResult()
    }
    return state
  }

  static let texts = [
    "plain", "", "quote \" and backslash \\", "new\nline\tand\r", "nul \u{0} inside",
    "ünïcødé → ✓", "[[long]] ]=] --comment", "%d %s", String(repeating: "x", count: 300),
  ]

  @Test(arguments: texts)
  func textReadsBackByteForByte(_ text: String) throws {
    let state = try state([LuaField("name", .string(text))], items: ["", text])
    let results = try state.run(chunk: "local r = make(7) return r.name, r.hops[2], #r.name", name: "=t")
    #expect(results == [.string(text), .string(text), .integer(Int64(text.utf8.count))])
  }

  @Test func valuesKeepTheirTypesAndParametersChangePerCall() throws {
    let fields = [
      LuaField("port", .integer(8080)), LuaField("min", .integer(Int.min)),
      LuaField("max", .integer(Int.max)), LuaField("kept", .boolean(false)),
      LuaField("on", .boolean(true)), LuaField("label", .literal("web")),
    ]
    let state = try state(fields, items: ["", "second", "third"])
    let results = try state.run(chunk: """
      local a, b = make(1), make(2)
      return math.type(a.port), a.port, a.min == math.mininteger, a.max == math.maxinteger,
        a.kept, a.on, a.label, a.id, b.id, a.hops[1], b.hops[1], #b.hops, b.hops[3], a ~= b
      """, name: "=t")
    #expect(results == [
      "integer", 8080, true, true, false, true, "web", 1, 2, "first 1", "first 2", 3, "third", true,
    ])
  }

  @Test func fieldsAreTheSameAsPushRecords() throws {
    let fields = [
      LuaField("pod", .string("web-1")), LuaField("namespace", .string("default")),
      LuaField("port", .integer(8080)), LuaField("kept", .boolean(false)),
    ]
    let state = try state(fields, items: ["", "b"])
    try state.register("record") { call in
      try call.pushRecord(fields: fields + [LuaField("id", .integer(5))])
      try call.newTable(arrayCount: 2)
      try call.pushString("first 5")
      call.setIndex(1)
      try call.pushString("b")
      call.setIndex(2)
      call.setField(literal: "hops")
      return 1
    }
    let results = try state.run(chunk: """
      local a, b = make(5), record()
      local keysA, keysB = {}, {}
      for k, v in pairs(a) do keysA[#keysA + 1] = k .. "=" .. tostring(v ~= nil) end
      for k, v in pairs(b) do keysB[#keysB + 1] = k .. "=" .. tostring(v ~= nil) end
      for k, v in pairs(b) do
        if k ~= "hops" and a[k] ~= v then return false, k end
      end
      return table.concat(keysA, ","), table.concat(keysB, ","), a.hops[1] == b.hops[1], a.hops[2] == b.hops[2]
      """, name: "=t")
    // Same fields, filled in the same order: even `pairs` walks them alike.
    #expect(results.count == 4)
    #expect(results[0] == results[1])
    #expect(results[2] == true && results[3] == true)
  }

  /// The same template returned as the function's result: the trampoline makes the call.
  @Test func aConstructedResultIsTheFunctionsResult() throws {
    let state = try LuaState(options: LuaOptions(maxInstructions: 50_000))
    var template: LuaRecordTemplate?
    try state.register("make") { call in
      let t = try template ?? LuaRecordTemplate(
        fields: [LuaField("name", .string("web")), LuaField("id", .integer(0))], parameters: ["id"],
        on: call)
      template = t
      try t.pushConstructor(on: call)
      try call.pushInteger(try call.checkInteger(1))
      return t.constructedResult()
    }
    let results = try state.run(
      chunk: "local a, b = make(1), make(2) return a.name, a.id, b.id, select('#', make(3))", name: "=t")
    #expect(results == ["web", 1, 2, 1])
    let error = #expect(throws: LuaError.self) {
      try state.run(chunk: "while true do make(1) end", name: "=loop")
    }
    #expect(error?.message.contains("instruction budget exceeded") == true)
    #expect(try state.run(chunk: "return make(4).id", name: "=ok") == [4])
  }

  @Test func anExhaustedBudgetInsideTheConstructorIsAnErrorNotACrash() throws {
    let state = try state(
      [LuaField("a", .string("x"))], items: [""], options: LuaOptions(maxInstructions: 20_000))
    let error = #expect(throws: LuaError.self) {
      try state.run(chunk: "while true do make(1) end", name: "=loop")
    }
    #expect(error?.message.contains("instruction budget exceeded") == true)
    #expect(try state.run(chunk: "return make(3).id", name: "=ok") == [3])
  }

  @Test func aFullMemoryCapInsideTheConstructorIsAnErrorNotACrash() throws {
    let state = try state(
      [LuaField("a", .string("x"))], items: ["", String(repeating: "y", count: 200)],
      options: LuaOptions(maxMemory: 4 << 20))
    let error = #expect(throws: LuaError.self) {
      try state.run(chunk: "local keep = {} for i = 1, 1e8 do keep[i] = make(i) end", name: "=mem")
    }
    #expect(error?.kind == .memory || error?.message.contains("not enough memory") == true)
    #expect(try state.run(chunk: "collectgarbage() return make(4).id", name: "=ok") == [4])
  }
}
