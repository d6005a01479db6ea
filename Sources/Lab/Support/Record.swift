import LuaKit

/// Builds a flat Lua record (a result table); nil values leave the field out, as Lua does.
struct Record {
  /// Sized for a whole object's fields up front, so that filling it never rehashes.
  private(set) var map = [LuaValue: LuaValue](minimumCapacity: 24)

  subscript(key: String) -> LuaValue {
    get { map[.string(key)] ?? .nil }
    set { map[.string(key)] = newValue == .nil ? nil : newValue }
  }

  var value: LuaValue { .table(LuaTable(map: map)) }
}

extension LuaValue {
  /// A string, or nil for nil.
  static func optional(_ s: String?) -> LuaValue { s.map { .string($0) } ?? .nil }
  /// An integer, or nil for nil.
  static func optional(_ n: Int?) -> LuaValue { n.map { .integer(Int64($0)) } ?? .nil }
  /// A boolean, or nil for nil.
  static func optional(_ b: Bool?) -> LuaValue { b.map { .boolean($0) } ?? .nil }
  /// An integer value.
  static func int(_ n: Int) -> LuaValue { .integer(Int64(n)) }
  /// A 1-based Lua list.
  static func list(_ items: [LuaValue]) -> LuaValue { .table(LuaTable(array: items)) }
  /// A list of strings.
  static func strings(_ items: [String]) -> LuaValue { .list(items.map { .string($0) }) }
  /// A string-keyed map of strings.
  static func stringMap(_ m: [String: String]) -> LuaValue {
    .table(
      LuaTable(
        map: Dictionary(uniqueKeysWithValues: m.map { (.string($0.key), .string($0.value)) })))
  }
  /// A number that prints as an integer when it is whole (clock times).
  static func seconds(_ d: Double) -> LuaValue {
    if let n = Int64(exactly: d) { return .integer(n) }
    return .number(d)
  }
}
