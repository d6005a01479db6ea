/// A Lua value converted into Swift.
///
/// Strings: a Lua string that is valid UTF-8 becomes ``string(_:)`` (embedded zero
/// bytes included); any other byte sequence becomes ``bytes(_:)`` so that it
/// round-trips exactly. Numbers keep Lua 5.4's subtype: ``integer(_:)`` or
/// ``number(_:)``. Functions, userdata, threads, and a table met again while it is
/// being converted (a cycle) stay in Lua and are held by a ``LuaReference``.
public enum LuaValue: Hashable {
  case `nil`
  case boolean(Bool)
  case integer(Int64)
  case number(Double)
  case string(String)
  case bytes([UInt8])
  case table(LuaTable)
  case function(LuaReference)
  /// A userdata, a thread, or a table that contains itself (the back edge of a cycle).
  case opaque(LuaReference)

  /// The Lua type of the value.
  public var type: LuaType {
    switch self {
    case .nil: return .nil
    case .boolean: return .boolean
    case .integer, .number: return .number
    case .string, .bytes: return .string
    case .table: return .table
    case .function: return .function
    case .opaque(let ref): return ref.type
    }
  }

  /// The value as a Swift string, if it is a string.
  public var stringValue: String? {
    switch self {
    case .string(let s): return s
    case .bytes(let b): return String(decoding: b, as: UTF8.self)
    default: return nil
    }
  }

  /// The value as an integer: an integer, or a float with an exact integer value.
  public var integerValue: Int64? {
    switch self {
    case .integer(let i): return i
    case .number(let d): return Int64(exactly: d)
    default: return nil
    }
  }

  /// The value as a table, if it is one.
  public var tableValue: LuaTable? {
    if case .table(let t) = self { return t }
    return nil
  }

  /// False only for `nil` and `false`, as Lua's truth.
  public var isTruthy: Bool {
    switch self {
    case .nil, .boolean(false): return false
    default: return true
    }
  }
}

/// A Lua table converted into Swift: its sequence `1...n` and every other key.
public struct LuaTable: Hashable {
  /// Values at keys `1...n`, where `n` is the first border (no holes).
  public var array: [LuaValue]
  /// Every other entry. Keys are never `nil`; float keys with an integer value
  /// are stored as integers, as Lua normalises them.
  public var map: [LuaValue: LuaValue]

  /// Creates a table from its two parts.
  public init(array: [LuaValue] = [], map: [LuaValue: LuaValue] = [:]) {
    self.array = array
    self.map = map
  }

  /// The value at `key` (`nil` when absent), as `t[key]` without metamethods.
  public subscript(key: LuaValue) -> LuaValue {
    if let i = key.integerValue, i >= 1, i <= array.count { return array[Int(i - 1)] }
    return map[key] ?? .nil
  }

  /// The value of the string key `key`.
  public subscript(key: String) -> LuaValue {
    map[.string(key)] ?? .nil
  }

  /// True when the table has no entries.
  public var isEmpty: Bool { array.isEmpty && map.isEmpty }
}

extension LuaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral,
  ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int64) { self = .integer(value) }
  public init(floatLiteral value: Double) { self = .number(value) }
  public init(booleanLiteral value: Bool) { self = .boolean(value) }
  public init(nilLiteral: ()) { self = .nil }
  public init(arrayLiteral elements: LuaValue...) { self = .table(LuaTable(array: elements)) }
  public init(dictionaryLiteral elements: (LuaValue, LuaValue)...) {
    var table = LuaTable()
    for (k, v) in elements where k != .nil && v != .nil { table.map[k] = v }
    self = .table(table)
  }
}
