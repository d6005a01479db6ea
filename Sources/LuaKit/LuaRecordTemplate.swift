import CLua
import CLuaGlue

/// A record table pushed many times with mostly the same contents, built by Lua itself: the
/// template is compiled once into a Lua function whose body is one table constructor with
/// the constant fields as literals, so each push costs what the same constructor costs in
/// a Lua script (no text hashed or copied) plus one protected call.
///
/// Fields keep the order given (the table is filled in that order, as `pushRecord` fills
/// it). The values of the `parameters` fields, and the list's first item when
/// `firstItemIsParameter`, are the constructor's arguments, pushed by the caller between
/// `pushConstructor(on:)` and `construct(on:)`: the parameters in their order, then the
/// first item.
public final class LuaRecordTemplate {
  private let constructor: LuaReference
  /// How many values each push takes.
  public let argumentCount: Int

  public init(
    fields: [LuaField], parameters: [StaticString] = [],
    list: (key: StaticString, items: [String], firstItemIsParameter: Bool)? = nil,
    on call: LuaCall
  ) throws {
    let names = parameters.map(Self.text)
    var source = ""
    var count = 0
    var body = "{"
    for f in fields {
      let key = Self.text(f.key)
      body += "[" + Self.literal(key) + "]="
      if let i = names.firstIndex(of: key) {
        body += "a\(i + 1)"
        count = max(count, i + 1)
      } else {
        switch f.value {
        case .string(let s): body += Self.literal(s)
        case .literal(let s): body += Self.literal(Self.text(s))
        case .integer(let n): body += n == Int.min ? "(-9223372036854775807-1)" : "(\(n))"
        case .boolean(let b): body += b ? "true" : "false"
        case .stackValue: body += "nil"
        }
      }
      body += ","
    }
    if let list {
      body += "[" + Self.literal(Self.text(list.key)) + "]={"
      for (i, item) in list.items.enumerated() {
        if i == 0 && list.firstItemIsParameter {
          count = names.count + 1
          body += "a\(count)"
        } else {
          body += Self.literal(item)
        }
        body += ","
      }
      body += "},"
    }
    body += "}"
    argumentCount = max(count, names.count)
    let arguments = (0..<argumentCount).map { "a\($0 + 1)" }.joined(separator: ",")
    source = "return function(\(arguments)) return \(body) end"

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

  /// Pushes the constructor; its arguments follow, then `construct(on:)`.
  public func pushConstructor(on call: LuaCall) throws {
    try call.stack.reserve(argumentCount + 1)
    lua_rawgeti(call.stack.L, svl_registryindex(), lua_Integer(constructor.ref))
  }

  /// Calls the constructor with the arguments pushed since `pushConstructor(on:)`, leaving
  /// the new table in their place. An error inside (no memory, the instruction budget) is
  /// caught by the protected call and thrown.
  public func construct(on call: LuaCall) throws {
    let status = svl_pcall(call.stack.L, Int32(argumentCount), 1, 0)
    guard status == LUA_OK else {
      let message = call.stack.string(at: -1) ?? "error in a record template"
      call.stack.pop()
      throw LuaError(message, kind: status == LUA_ERRMEM ? .memory : .runtime)
    }
  }

  private static func text(_ s: StaticString) -> String {
    s.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
  }

  /// A Lua string literal of `s`: letters, digits and a few marks as they are, every other
  /// byte as a decimal escape, so that any text reads back byte for byte.
  private static func literal(_ s: String) -> String {
    var out = "\""
    for byte in s.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: " "), UInt8(ascii: "."),
        UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "_"):
        out.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let digits = String(byte)
        out += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
      }
    }
    return out + "\""
  }
}
