import Testing

@testable import LuaKit

@Suite struct SwiftFunctionTests {
  @Test func swiftErrorIsCaughtByPcallWithPosition() throws {
    let state = try LuaState()
    try state.register("fail") { call in throw call.error("it broke") }
    let results = try state.run(
      chunk: "local ok, msg = pcall(function() fail() end)\nreturn ok, msg", name: "@script.lua")
    #expect(results == [false, "script.lua:1: fail: it broke"])
  }

  @Test func anySwiftErrorUsesItsDescription() throws {
    struct Oops: Error, CustomStringConvertible { var description: String { "oops happened" } }
    let state = try LuaState()
    try state.register("boom") { _ in throw Oops() }
    let results = try state.run(chunk: "\n\nreturn pcall(function() boom() end)", name: "@x.lua")
    #expect(results == [false, "x.lua:3: oops happened"])
  }

  @Test func uncaughtErrorReachesHostWithTraceback() throws {
    let state = try LuaState()
    try state.register("fail") { call in throw call.error("no") }
    let error = #expect(throws: LuaError.self) {
      try state.run(chunk: "local function f() fail() end\nf()", name: "@t.lua")
    }
    #expect(error?.message == "t.lua:1: fail: no")
    #expect(error?.traceback?.hasPrefix("stack traceback:") == true)
    #expect(error?.traceback?.contains("in main chunk") == true)
  }

  struct ArgumentCase: CustomTestStringConvertible, Sendable {
    let id: String
    let call: String
    let message: String
    var testDescription: String { id }
  }

  static let argumentCases: [ArgumentCase] = [
    ArgumentCase(
      id: "table expected, got nil", call: "f('web', nil)",
      message: "f: bad argument #2 (table expected, got nil)"),
    ArgumentCase(
      id: "string expected, got no value", call: "f()",
      message: "f: bad argument #1 (string expected, got no value)"),
    ArgumentCase(
      id: "integer from a fraction", call: "f('a', {}, 1.5)",
      message: "f: bad argument #3 (number has no integer representation)"),
    ArgumentCase(
      id: "integer from a string", call: "f('a', {}, 'x')",
      message: "f: bad argument #3 (number expected, got string)"),
    ArgumentCase(
      id: "boolean expected", call: "f('a', {}, 1, 0)",
      message: "f: bad argument #4 (boolean expected, got number)"),
    ArgumentCase(
      id: "named userdata", call: "f(io.stdout)",
      message: "f: bad argument #1 (string expected, got FILE*)"),
  ]

  @Test(arguments: argumentCases)
  func argumentErrorsReadLikeLauxlib(_ c: ArgumentCase) throws {
    let state = try LuaState()
    try state.register("f") { call in
      _ = try call.checkString(1)
      _ = try call.checkTable(2)
      _ = try call.optInteger(3)
      _ = try call.optBoolean(4)
      return 0
    }
    let results = try state.run(chunk: "return pcall(function() \(c.call) end)", name: "=t")
    #expect(results == [false, .string("t:1: " + c.message)])
  }

  @Test func integerAcceptsFloatsWithIntegralValue() throws {
    let state = try LuaState()
    try state.register("twice") { call in
      try call.pushInteger(2 * (try call.checkInteger(1)))
      return 1
    }
    #expect(try state.run(chunk: "return twice(21.0), twice('4')", name: "=t") == [42, 8])
  }

  @Test func resultBuildersMakeTables() throws {
    let state = try LuaState()
    try state.register("pod") { call in
      try call.newTable(recordCount: 4)
      call.setField("name", "web-1")
      call.setField("ready", true)
      call.setField("port", 80)
      try call.newTable(arrayCount: 2)
      try call.pushString("10.0.0.1")
      call.setIndex(1)
      try call.pushString("fd00::1")
      call.setIndex(2)
      call.setField("ips")
      return 1
    }
    let results = try state.run(chunk: "return pod()", name: "=t")
    #expect(
      results == [["name": "web-1", "ready": true, "port": 80, "ips": ["10.0.0.1", "fd00::1"]]])
  }

  @Test func swiftCallsBackIntoLua() throws {
    let state = try LuaState()
    try state.register("apply") { call in
      let f = try call.function(at: 1)
      let results = try f.call([call.value(at: 2)])
      try call.push(results.first ?? .nil)
      return 1
    }
    #expect(
      try state.run(chunk: "return apply(function(x) return x * 2 end, 21)", name: "=t") == [42])
    let caught = try state.run(
      chunk: "return pcall(apply, function() error('inner') end, 1)", name: "@cb.lua")
    #expect(caught.first == false)
    #expect(caught.last?.stringValue?.contains("cb.lua:1: inner") == true)
  }

  @Test func metatableToStringIsUsedByTostring() throws {
    let state = try LuaState()
    try state.defineMetatable(
      "Pod",
      functions: [
        "__tostring": { call in
          try call.pushString("pod " + (call.value(at: 1).tableValue?["name"].stringValue ?? "?"))
          return 1
        }
      ])
    try state.register("mk") { call in
      try call.newTable()
      call.setField("name", "a")
      try call.setMetatable(named: "Pod")
      return 1
    }
    #expect(try state.run(chunk: "return tostring(mk())", name: "=t") == ["pod a"])
  }

  /// Counts deinitialisations of objects captured by registered closures.
  final class Tracker: @unchecked Sendable {
    nonisolated(unsafe) static var deinits = 0
    deinit { Tracker.deinits += 1 }
  }

  @Test func closuresAreReleasedWhenTheStateCloses() throws {
    weak var weakTracker: Tracker?
    do {
      let tracker = Tracker()
      weakTracker = tracker
      let state = try LuaState()
      try state.register("f") { _ in
        _ = tracker
        return 0
      }
      try state.run(chunk: "f() f()", name: "=t")
      #expect(weakTracker != nil)
      _ = state
    }
    #expect(weakTracker == nil)
  }

  @Test func referencesDoNotKeepTheStateAlive() throws {
    var ref: LuaFunctionRef?
    weak var weakState: LuaState?
    do {
      let state = try LuaState()
      weakState = state
      ref = try state.load("return 1", name: "=t")
    }
    #expect(weakState == nil)
    #expect(throws: LuaError.self) { try ref?.call() }
  }
}
