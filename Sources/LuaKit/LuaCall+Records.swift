import CLua
import CLuaGlue

/// One field of a record table pushed in a single C call (``LuaCall/pushRecord(_:)``).
///
/// Keys are string literals: Lua's string cache finds a literal's text by its address, so a
/// key costs no hashing after its first use.
public struct LuaField {
  /// What the field holds.
  public enum Value {
    case string(String)
    /// A string literal, found by address like the keys.
    case literal(StaticString)
    case integer(Int)
    case boolean(Bool)
    /// A copy of the value at this (absolute) stack index.
    case stackValue(Int)
  }

  public let key: StaticString
  public let value: Value

  public init(_ key: StaticString, _ value: Value) {
    self.key = key
    self.value = value
  }
}

extension LuaCall {
  /// Pushes a new table holding `fields`, sized exactly, in one C call (`svl_pushrecord`).
  public func pushRecord(_ fields: LuaField...) throws {
    try pushRecord(fields: fields)
  }

  /// Pushes a new table holding `fields` (some of them optional), in one C call.
  public func pushRecord(fields: [LuaField]) throws {
    try stack.reserve(3)
    var bytes = 0
    for f in fields {
      bytes += Self.scratchBytes(f.key)
      switch f.value {
      case .string(let s): bytes += s.utf8.count
      case .literal(let s): bytes += Self.scratchBytes(s)
      default: break
      }
    }
    // Text without a lasting address is copied into one scratch buffer that outlives the call.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(bytes, 1)) { scratch in
      guard let base = scratch.baseAddress else { return }
      withUnsafeTemporaryAllocation(of: svl_Field.self, capacity: fields.count) { out in
        var used = 0
        for (i, f) in fields.enumerated() {
          out.initializeElement(at: i, to: Self.cField(f, base, &used))
        }
        svl_pushrecord(stack.L, out.baseAddress, Int32(fields.count))
      }
    }
  }

  /// The C form of a field; text without a lasting address goes to `scratch` at `used`.
  private static func cField(
    _ f: LuaField, _ scratch: UnsafeMutablePointer<UInt8>, _ used: inout Int
  ) -> svl_Field {
    var field = svl_Field(
      key: cString(f.key, scratch, &used), string: nil, length: 0, integer: 0,
      kind: Int32(SVL_FIELD_STRING))
    switch f.value {
    case .string(var s):
      let start = scratch + used
      let count = s.withUTF8 { utf8 in
        guard let from = utf8.baseAddress else { return 0 }
        start.initialize(from: from, count: utf8.count)
        return utf8.count
      }
      used += count
      field.string = UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self)
      field.length = count
    case .literal(let s):
      field.string = cString(s, scratch, &used)
      field.kind = Int32(SVL_FIELD_STATICSTRING)
    case .integer(let n):
      field.integer = lua_Integer(n)
      field.kind = Int32(SVL_FIELD_INTEGER)
    case .boolean(let b):
      field.integer = b ? 1 : 0
      field.kind = Int32(SVL_FIELD_BOOLEAN)
    case .stackValue(let index):
      field.integer = lua_Integer(index)
      field.kind = Int32(SVL_FIELD_STACKVALUE)
    }
    return field
  }

  /// Scratch bytes a literal needs: none when it has an address (a one-character literal
  /// may be held as a scalar instead), else its text and a NUL.
  private static func scratchBytes(_ s: StaticString) -> Int {
    s.hasPointerRepresentation ? 0 : s.withUTF8Buffer { $0.count } + 1
  }

  /// A literal's text as a NUL-terminated C string: its own address when it has one
  /// (literals never move), else a copy in `scratch` at `used`.
  private static func cString(
    _ s: StaticString, _ scratch: UnsafeMutablePointer<UInt8>, _ used: inout Int
  ) -> UnsafePointer<CChar> {
    if s.hasPointerRepresentation {
      return UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
    }
    let start = scratch + used
    let count = s.withUTF8Buffer { utf8 in
      if let from = utf8.baseAddress { start.initialize(from: from, count: utf8.count) }
      return utf8.count
    }
    (start + count).initialize(to: 0)
    used += count + 1
    return UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self)
  }

  /// Pops the value on top into field `key` (a literal of two or more characters, so that it
  /// has an address) of the table below it (raw), the key found in Lua's string cache.
  public func setField(literal key: StaticString) {
    guard key.hasPointerRepresentation else {
      return setField(key.withUTF8Buffer { String(decoding: $0, as: UTF8.self) })
    }
    lua_pushstring(stack.L, UnsafeRawPointer(key.utf8Start).assumingMemoryBound(to: CChar.self))
    lua_rotate(stack.L, -2, 1)
    lua_rawset(stack.L, -3)
  }
}
