import Testing

@testable import LuaKit

/// One value pushed from Swift, read back by Lua and returned unchanged.
struct RoundTripCase: CustomTestStringConvertible, Sendable {
  let id: String
  let make: @Sendable () -> LuaValue
  /// What Lua's `math.type`/`type` says about it.
  let luaType: String
  var testDescription: String { id }
}

@Suite struct ValueRoundTripTests {
  static let cases: [RoundTripCase] = [
    RoundTripCase(id: "nil", make: { .nil }, luaType: "nil"),
    RoundTripCase(id: "true", make: { .boolean(true) }, luaType: "boolean"),
    RoundTripCase(id: "false", make: { .boolean(false) }, luaType: "boolean"),
    RoundTripCase(id: "integer", make: { .integer(42) }, luaType: "integer"),
    RoundTripCase(id: "min integer", make: { .integer(Int64.min) }, luaType: "integer"),
    RoundTripCase(
      id: "float with integral value stays a float", make: { .number(3.0) }, luaType: "float"),
    RoundTripCase(id: "float", make: { .number(0.25) }, luaType: "float"),
    RoundTripCase(id: "string", make: { .string("héllo") }, luaType: "string"),
    RoundTripCase(id: "string with embedded zeros", make: { .string("a\0b\0") }, luaType: "string"),
    RoundTripCase(
      id: "invalid UTF-8 bytes", make: { .bytes([0xff, 0x00, 0xfe]) }, luaType: "string"),
    RoundTripCase(id: "array", make: { [1, 2, "three"] }, luaType: "table"),
    RoundTripCase(id: "map", make: { ["a": 1, "b": true] }, luaType: "table"),
    RoundTripCase(
      id: "nested tables, array and map parts",
      make: {
        .table(
          LuaTable(
            array: [[1, 2], ["k": "v"]], map: ["x": [[3]], .integer(10): "ten", true: 0.5]))
      }, luaType: "table"),
  ]

  @Test(arguments: cases)
  func roundTrip(_ c: RoundTripCase) throws {
    let state = try LuaState()
    let identity = try state.load(
      "local v = ...; return v, math.type(v) or type(v)", name: "=roundtrip")
    let results = try identity.call([c.make()])
    #expect(results.count == 2)
    #expect(results[0] == c.make())
    #expect(results[1] == .string(c.luaType))
  }

  @Test func embeddedZerosHaveTheirLengthInLua() throws {
    let state = try LuaState()
    let f = try state.load("return #(...)", name: "=len")
    #expect(try f.call([.string("a\0b")]) == [.integer(3)])
  }

  @Test func floatKeysWithIntegerValueBecomeIntegers() throws {
    let state = try LuaState()
    let results = try state.run(chunk: "return {[1.0] = 'a', [2] = 'b', [2.5] = 'c'}", name: "=t")
    #expect(results == [.table(LuaTable(array: ["a", "b"], map: [.number(2.5): "c"]))])
  }

  @Test func cyclicTableConvertsWithoutLooping() throws {
    let state = try LuaState()
    let results = try state.run(
      chunk: "local t = {name = 'x'}; t.self = t; return t", name: "=cycle")
    guard case .table(let t) = results.first else {
      Issue.record("expected a table, got \(results)")
      return
    }
    #expect(t["name"] == "x")
    guard case .opaque(let ref) = t["self"] else {
      Issue.record("expected the back edge as a reference, got \(t["self"])")
      return
    }
    #expect(ref.type == .table)
  }

  @Test func stackIsBalancedAfterCalls() throws {
    let state = try LuaState()
    let before = state.activeStack.top
    _ = try state.run(chunk: "return 1, 2, {3}", name: "=x")
    _ = try? state.run(chunk: "error('x')", name: "=y")
    _ = try? state.run(chunk: "return +", name: "=z")
    #expect(state.activeStack.top == before)
  }
}
