import Testing

@testable import LuaKit

/// Converting Lua tables into Swift is bounded: depth (LUAI_MAXCCALLS), entries, and the
/// process memory cap; past a bound a primitive gets an error, never a stack overflow.
@Suite struct ConversionLimitTests {
  struct DepthCase: CustomTestStringConvertible, Sendable {
    let id: String
    /// Lua code returning the table to convert (`deep(n)` makes n + 1 nested tables).
    let table: String
    /// The error of `checkTable(1, name: "spec")`, or nil when it converts.
    let error: String?
    var testDescription: String { id }
  }

  static let depthCases: [DepthCase] = [
    DepthCase(id: "200 levels convert", table: "deep(199)", error: nil),
    DepthCase(
      id: "201 levels do not", table: "{ ports = deep(199) }",
      error: "f: spec.ports: nested too deeply (limit 200)"),
    DepthCase(
      id: "200,000 levels do not", table: "{ ports = deep(200000) }",
      error: "f: spec.ports: nested too deeply (limit 200)"),
    DepthCase(
      id: "deep labels", table: "{ labels = deepmap(100000) }",
      error: "f: spec.labels: nested too deeply (limit 200)"),
    DepthCase(
      id: "deep in the array part", table: "{ deep(300) }",
      error: "f: spec[0]: nested too deeply (limit 200)"),
    DepthCase(
      id: "deep table as a key", table: "{ [deep(300)] = 1 }",
      error: "nested too deeply (limit 200)"),
    DepthCase(
      id: "a cycle is not depth",
      table: "(function() local t = { a = 1 } t.self = t return t end)()", error: nil),
    DepthCase(
      id: "wide is fine",
      table: "(function() local t = {} for i = 1, 100000 do t[i] = { i } end return t end)()",
      error: nil),
  ]

  static let helpers = """
    function deep(n) local t = {} for _ = 1, n do t = { t } end return t end
    function deepmap(n) local t = {} for _ = 1, n do t = { app = t } end return t end
    """

  @Test(arguments: depthCases) func depth(_ c: DepthCase) throws {
    let state = try LuaState()
    try state.register("f") { call in
      _ = try call.checkTable(1, name: "spec")
      return 0
    }
    try state.run(chunk: Self.helpers, name: "=helpers")
    if let expected = c.error {
      let error = #expect(throws: LuaError.self) {
        try state.run(chunk: "f(\(c.table))", name: "=case")
      }
      #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error")")
    } else {
      try state.run(chunk: "f(\(c.table))", name: "=case")
    }
  }

  @Test func unnamedArgumentsSayWhichArgument() throws {
    let state = try LuaState()
    try state.register("g") { call in
      _ = try call.checkTable(2)
      return 0
    }
    try state.run(chunk: Self.helpers, name: "=helpers")
    let error = #expect(throws: LuaError.self) {
      try state.run(chunk: "g(1, { x = deep(500) })", name: "=case")
    }
    #expect(
      error?.message.hasSuffix("g: bad argument #2 (#2.x: nested too deeply (limit 200))") == true)
  }

  @Test func theUncheckedConversionStopsAtTheLimitWithoutFailing() throws {
    let state = try LuaState()
    var depth = 0
    try state.register("measure") { call in
      var v = call.value(at: 1)
      while case .table(let t) = v, let inner = t.array.first {
        depth += 1
        v = inner
      }
      if case .opaque = v { depth += 1000 }
      return 0
    }
    try state.run(chunk: Self.helpers + "\nmeasure(deep(100000))", name: "=case")
    // 199 tables converted below the top one, the 201st level left in Lua (opaque).
    #expect(depth == 1000 + LuaLimits.maxDepth)
  }

  @Test func theProcessMemoryCapStopsALargeConversion() throws {
    let state = try LuaState(options: LuaOptions(maxMemory: 128 << 20))
    try state.register("f") { call in
      _ = try call.checkTable(1, name: "spec")
      return 0
    }
    let error = #expect(throws: LuaError.self) {
      try state.run(
        chunk: "local s, t = ('x'):rep(200), {} for i = 1, 900000 do t[i] = s end f({ ports = t })",
        name: "=case")
    }
    #expect(error?.message.contains("f: not enough memory") == true, "\(error?.message ?? "")")
    #expect(try state.run(chunk: "return 1 + 1", name: "=ok") == [2])
  }
}
