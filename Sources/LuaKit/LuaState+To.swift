import CLua
import CLuaGlue

extension LuaStack {
  /// The string at `index` as ``LuaValue/string(_:)`` or ``LuaValue/bytes(_:)``.
  ///
  /// The corresponding C API is `lua_tolstring` (which converts a number in place).
  func stringValue(at index: Int) -> LuaValue {
    var length = 0
    guard let pointer = lua_tolstring(L, Int32(index), &length) else { return .nil }
    let buffer = UnsafeRawBufferPointer(start: pointer, count: length)
    if let string = String(validating: buffer, as: UTF8.self) { return .string(string) }
    return .bytes(Array(buffer))
  }

  /// The string at `index` as Swift text (invalid UTF-8 repaired), or nil.
  func string(at index: Int) -> String? {
    var length = 0
    guard let pointer = lua_tolstring(L, Int32(index), &length) else { return nil }
    return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
  }

  /// Keeps the value at `index` in the registry and returns its reference.
  ///
  /// The corresponding C API is `luaL_ref`.
  func reference(at index: Int) -> LuaReference? {
    let type = type(at: index)
    let identity = lua_topointer(L, Int32(index))
    lua_pushvalue(L, Int32(index))
    let ref = svl_ref(L)
    guard ref != LUA_NOREF else { return nil }
    return LuaReference(state: state, ref: ref, type: type, identity: identity)
  }

  /// Converts the value at `index` into Swift; tables are converted recursively and a
  /// table met again on its own path becomes ``LuaValue/opaque(_:)``.
  func value(at index: Int) -> LuaValue {
    var path: Set<UnsafeRawPointer> = []
    return value(at: absolute(index), path: &path)
  }

  private func value(at index: Int, path: inout Set<UnsafeRawPointer>) -> LuaValue {
    switch type(at: index) {
    case .none, .nil: return .nil
    case .boolean: return .boolean(lua_toboolean(L, Int32(index)) != 0)
    case .number:
      if lua_isinteger(L, Int32(index)) != 0 { return .integer(Int64(lua_tointegerx(L, Int32(index), nil))) }
      return .number(lua_tonumberx(L, Int32(index), nil))
    case .string: return stringValue(at: index)
    case .table: return table(at: index, path: &path)
    case .function: return reference(at: index).map { .function($0) } ?? .nil
    case .lightUserdata, .userdata, .thread: return reference(at: index).map { .opaque($0) } ?? .nil
    }
  }

  /// Converts the table at `index` (absolute) by walking it with `lua_next`.
  private func table(at index: Int, path: inout Set<UnsafeRawPointer>) -> LuaValue {
    guard let identity = lua_topointer(L, Int32(index)), lua_checkstack(L, 4) != 0,
      !path.contains(identity)
    else { return reference(at: index).map { .opaque($0) } ?? .nil }
    path.insert(identity)
    defer { path.remove(identity) }
    var entries: [LuaValue: LuaValue] = [:]
    lua_pushnil(L)
    while lua_next(L, Int32(index)) != 0 {
      let key = value(at: top - 1, path: &path)
      let element = value(at: top, path: &path)
      pop()
      if key != .nil { entries[key] = element }
    }
    var array: [LuaValue] = []
    while let element = entries.removeValue(forKey: .integer(Int64(array.count + 1))) {
      array.append(element)
    }
    return .table(LuaTable(array: array, map: entries))
  }
}
