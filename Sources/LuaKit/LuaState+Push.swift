import CLua
import CLuaGlue

extension LuaStack {
  /// Pushes a string's UTF-8 bytes (embedded zeros kept). The C API is `lua_pushlstring`.
  func pushString(_ string: String) {
    var string = string
    string.withUTF8 { buffer in
      _ = lua_pushlstring(L, buffer.baseAddress, buffer.count)
    }
  }

  /// Pushes raw bytes as a Lua string. The corresponding C API is `lua_pushlstring`.
  func pushBytes(_ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
    }
  }

  /// Pushes the value a registry reference holds. The C API is `lua_rawgeti`.
  func push(reference: LuaReference) throws {
    guard reference.state === state else {
      throw LuaError("value belongs to another Lua state")
    }
    try reserve()
    lua_rawgeti(L, svl_registryindex(), lua_Integer(reference.ref))
  }

  /// Pushes any converted value, building tables recursively.
  func push(_ value: LuaValue) throws {
    try reserve(3)
    switch value {
    case .nil: lua_pushnil(L)
    case .boolean(let b): lua_pushboolean(L, b ? 1 : 0)
    case .integer(let i): lua_pushinteger(L, lua_Integer(i))
    case .number(let d): lua_pushnumber(L, d)
    case .string(let s): pushString(s)
    case .bytes(let b): pushBytes(b)
    case .function(let ref), .opaque(let ref): try push(reference: ref)
    case .table(let table): try push(table)
    }
  }

  /// Pushes a new table with the converted entries (raw sets, no metamethods).
  func push(_ table: LuaTable) throws {
    lua_createtable(L, Int32(clamping: table.array.count), Int32(clamping: table.map.count))
    for (i, element) in table.array.enumerated() {
      try push(element)
      lua_rawseti(L, -2, lua_Integer(i + 1))
    }
    for (key, element) in table.map where key != .nil {
      try push(key)
      try push(element)
      lua_rawset(L, -3)
    }
  }
}
