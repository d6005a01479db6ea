import CLua
import CLuaGlue

/// A value of a ``LuaRecordTemplate``: constants, the constructor's arguments, and tables
/// (records fill their fields in the order given, lists their items).
public indirect enum LuaTemplateValue {
  case string(String)
  case integer(Int)
  case boolean(Bool)
  /// The constructor's argument `n` (from 1).
  case argument(Int)
  case record([(String, LuaTemplateValue)])
  case list([LuaTemplateValue])
}

/// A record table pushed many times with mostly the same contents, built by Lua itself: the
/// template is compiled once into a Lua function whose body is one table constructor with
/// the constant fields as literals, so each push costs what the same constructor costs in
/// a Lua script (no text hashed or copied) plus one call.
///
/// Fields keep the order given (the table is filled in that order, as `pushRecord` fills
/// it). The values of the `parameters` fields, and the list's first item when
/// `firstItemIsParameter`, are the constructor's arguments, pushed by the caller after
/// `pushConstructor(on:)`: the parameters in their order, then the first item. Then the
/// function returns `constructedResult()`.
public final class LuaRecordTemplate {
  private let constructor: LuaReference
  /// How many values each push takes.
  public let argumentCount: Int

  /// A template of `fields` in their order, then (if given) a list field `list.key`
  /// holding `list.items`; `parameters` name the fields given per push.
  public convenience init(
    fields: [LuaField], parameters: [StaticString] = [],
    list: (key: StaticString, items: [String], firstItemIsParameter: Bool)? = nil,
    on call: LuaCall
  ) throws {
    let names = parameters.map(Self.text)
    // A field copying a stack value has nothing to keep: it is left out.
    var record: [(String, LuaTemplateValue)] = fields.compactMap { f in
      let key = Self.text(f.key)
      if let i = names.firstIndex(of: key) { return (key, .argument(i + 1)) }
      switch f.value {
      case .string(let s): return (key, .string(s))
      case .literal(let s): return (key, .string(Self.text(s)))
      case .integer(let n): return (key, .integer(n))
      case .boolean(let b): return (key, .boolean(b))
      case .stackValue: return nil
      }
    }
    var count = names.count
    if let list {
      let items: [LuaTemplateValue] = list.items.enumerated().map { i, item in
        if i == 0 && list.firstItemIsParameter {
          count = names.count + 1
          return .argument(count)
        }
        return .string(item)
      }
      record.append((Self.text(list.key), .list(items)))
    }
    try self.init(.record(record), arguments: count, on: call)
  }

  /// A template of any table shape; `.argument(n)` values are the constructor's arguments
  /// (1 through `arguments`).
  public init(_ value: LuaTemplateValue, arguments: Int, on call: LuaCall) throws {
    argumentCount = arguments
    var body = ""
    Self.write(value, to: &body)
    let names = (0..<arguments).map { "a\($0 + 1)" }.joined(separator: ",")
    let source = "return function(\(names)) return \(body) end"

    let stack = call.stack
    try stack.reserve(2)
    let length = source.utf8.count
    var status = source.withCString { svl_load(stack.L, $0, length, "=record template", "t") }
    if status == LUA_OK { status = svl_pcall(stack.L, 0, 1, 0) }
    guard status == LUA_OK else {
      let message = stack.string(at: -1) ?? "record template failed"
      stack.pop()
      throw LuaError(message, kind: status == LUA_ERRMEM ? .memory : .runtime)
    }
    let ref = stack.reference(at: -1)
    stack.pop()
    guard let ref else { throw LuaError("not enough memory", kind: .memory) }
    constructor = ref
  }

  /// Lua source of a value: literals for constants, a constructor for tables.
  private static func write(_ value: LuaTemplateValue, to out: inout String) {
    switch value {
    case .string(let s): out += literal(s)
    case .integer(let n): out += n == Int.min ? "(-9223372036854775807-1)" : "(\(n))"
    case .boolean(let b): out += b ? "true" : "false"
    case .argument(let i): out += "a\(i)"
    case .record(let fields):
      out += "{"
      for (key, v) in fields {
        out += "[" + literal(key) + "]="
        write(v, to: &out)
        out += ","
      }
      out += "}"
    case .list(let items):
      out += "{"
      for v in items {
        write(v, to: &out)
        out += ","
      }
      out += "}"
    }
  }

  /// Pushes the constructor; its arguments follow, then the function returns
  /// `constructedResult()`.
  public func pushConstructor(on call: LuaCall) throws {
    try call.stack.reserve(argumentCount + 1)
    lua_rawgeti(call.stack.L, svl_registryindex(), lua_Integer(constructor.ref))
  }

  /// The constructor's table as the calling primitive's result: return this from the Swift
  /// function right after pushing the arguments. The C frame that called the function makes
  /// the call once Swift has returned, so no protected call is paid for and an error inside
  /// (the instruction budget, memory) is raised from C, as Lua's own would be.
  public func constructedResult() -> Int {
    Int(SVL_CALL_PUSHED) - argumentCount
  }

  private static func text(_ s: StaticString) -> String {
    s.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
  }

  /// A Lua string literal of `s`: letters, digits and a few marks as they are, every other
  /// byte as a decimal escape, so that any text reads back byte for byte.
  private static func literal(_ s: String) -> String {
    var out: [UInt8] = [UInt8(ascii: "\"")]
    out.reserveCapacity(s.utf8.count + 2)
    for byte in s.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: " "), UInt8(ascii: "."),
        UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "_"):
        out.append(byte)
      default:
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "0") + byte / 100)
        out.append(UInt8(ascii: "0") + byte / 10 % 10)
        out.append(UInt8(ascii: "0") + byte % 10)
      }
    }
    out.append(UInt8(ascii: "\""))
    return String(decoding: out, as: UTF8.self)
  }
}
