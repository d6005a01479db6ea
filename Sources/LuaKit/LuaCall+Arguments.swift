import CLua
import CLuaGlue

// MARK: - Argument checks (lauxlib's luaL_check* and luaL_opt*)

extension LuaCall {
  /// Argument `i` as a string; numbers are converted as `luaL_checklstring` does.
  public func checkString(_ i: Int) throws -> String {
    let t = type(at: i)
    if let count = stringLength(i), count > LuaLimits.maxStringBytes {
      throw argumentError(i, "string too long: \(count) bytes, limit \(LuaLimits.maxStringBytes)")
    }
    guard t == .string || t == .number, let s = stack.string(at: i) else {
      throw typeError(i, expected: "string")
    }
    return s
  }

  /// The length in bytes of argument `i` when it is a string, without copying it; nil for any
  /// other type. The corresponding C API is `lua_rawlen`.
  public func stringLength(_ i: Int) -> Int? {
    type(at: i) == .string ? Int(lua_rawlen(stack.L, Int32(i))) : nil
  }

  /// Argument `i` as a string, or `default` when it is absent or nil.
  public func optString(_ i: Int, default value: String? = nil) throws -> String? {
    isAbsent(i) ? value : try checkString(i)
  }

  /// Argument `i` as an integer: an integer, a float with an exact integer value, or a
  /// string convertible to one (`luaL_checkinteger`).
  public func checkInteger(_ i: Int) throws -> Int {
    var isNumber: Int32 = 0
    let n = lua_tointegerx(stack.L, Int32(i), &isNumber)
    if isNumber != 0 { return Int(n) }
    if lua_isnumber(stack.L, Int32(i)) != 0 {
      throw argumentError(i, "number has no integer representation")
    }
    throw typeError(i, expected: "number")
  }

  /// Argument `i` as an integer, or `default` when it is absent or nil.
  public func optInteger(_ i: Int, default value: Int? = nil) throws -> Int? {
    isAbsent(i) ? value : try checkInteger(i)
  }

  /// Argument `i` as a number (`luaL_checknumber`).
  public func checkNumber(_ i: Int) throws -> Double {
    var isNumber: Int32 = 0
    let n = lua_tonumberx(stack.L, Int32(i), &isNumber)
    guard isNumber != 0 else { throw typeError(i, expected: "number") }
    return n
  }

  /// Argument `i` as a number, or `default` when it is absent or nil.
  public func optNumber(_ i: Int, default value: Double? = nil) throws -> Double? {
    isAbsent(i) ? value : try checkNumber(i)
  }

  /// Argument `i`, which must be a boolean.
  public func checkBoolean(_ i: Int) throws -> Bool {
    guard type(at: i) == .boolean else { throw typeError(i, expected: "boolean") }
    return lua_toboolean(stack.L, Int32(i)) != 0
  }

  /// Argument `i` as a boolean, or `default` when it is absent or nil.
  public func optBoolean(_ i: Int, default value: Bool? = nil) throws -> Bool? {
    isAbsent(i) ? value : try checkBoolean(i)
  }

  /// Argument `i`, which must be a table, converted into Swift. A table nested deeper than
  /// ``LuaLimits/maxDepth`` (or too large, or past the memory cap) is refused with
  /// `fname: name.key: nested too deeply (limit 200)`, `name` naming the argument as the
  /// primitive's errors do (`spec`, `opts`); without one, `bad argument #i (...)`.
  public func checkTable(_ i: Int, name: String? = nil) throws -> LuaTable {
    guard type(at: i) == .table else { throw typeError(i, expected: "table") }
    do {
      guard case .table(let table) = try stack.checkedValue(at: i) else {
        throw typeError(i, expected: "table")
      }
      return table
    } catch let error as LuaConversionError {
      throw conversionError(error, argument: i, name: name)
    }
  }

  /// Argument `i` as a table, or nil when it is absent or nil (`name` as for `checkTable`,
  /// `opts` unless given).
  public func optTable(_ i: Int, name: String = "opts") throws -> LuaTable? {
    isAbsent(i) ? nil : try checkTable(i, name: name)
  }

  /// Field `key` of the table at argument `i` (raw, no metamethods), converted with the
  /// limits of ``checkTable(_:name:)`` without converting the rest of the table; nil when
  /// the argument is not a table.
  public func rawField(_ i: Int, _ key: String) throws -> LuaValue {
    guard type(at: i) == .table else { return .nil }
    try stack.reserve(2)
    stack.pushString(key)
    lua_rawget(stack.L, Int32(i))
    defer { stack.pop() }
    do {
      return try stack.checkedValue(at: stack.top)
    } catch {
      throw conversionError(error, argument: i, name: nil)
    }
  }

  /// Argument `i` converted into Swift with the limits of ``checkTable(_:name:)``.
  public func checkedValue(at i: Int, name: String? = nil) throws -> LuaValue {
    do {
      return try stack.checkedValue(at: i)
    } catch {
      throw conversionError(error, argument: i, name: name)
    }
  }

  /// The error for a conversion refused at argument `i`.
  func conversionError(_ error: LuaConversionError, argument i: Int, name: String?) -> LuaError {
    let kind: LuaError.Kind
    if case .memory = error.reason { kind = .memory } else { kind = .runtime }
    if case .memory = error.reason {
      return LuaError("\(functionName): \(error.message(under: ""))", kind: kind)
    }
    if let name { return LuaError("\(functionName): \(error.message(under: name))", kind: kind) }
    return LuaError(
      "\(functionName): bad argument #\(i) (\(error.message(under: "#\(i)")))", kind: kind)
  }

  /// Argument `i` as one of `options` (`luaL_checkoption`), or `default` when absent.
  public func checkOption(
    _ i: Int, _ options: [String], default value: String? = nil
  ) throws
    -> String
  {
    if isAbsent(i), let value { return value }
    let name = try checkString(i)
    guard options.contains(name) else { throw argumentError(i, "invalid option '\(name)'") }
    return name
  }

  /// Requires argument `i` to be present (any value, nil included; `luaL_checkany`).
  public func checkAny(_ i: Int) throws {
    if type(at: i) == .none { throw argumentError(i, "value expected") }
  }

  /// True when argument `i` is absent or nil (`lua_isnoneornil`).
  public func isAbsent(_ i: Int) -> Bool { svl_isnoneornil(stack.L, Int32(i)) != 0 }
}

// MARK: - Results

extension LuaCall {
  /// Pushes any converted value.
  public func push(_ value: LuaValue) throws { try stack.push(value) }

  /// Pushes a string. The corresponding C API is `lua_pushlstring`.
  public func pushString(_ value: String) throws {
    try stack.reserve()
    stack.pushString(value)
  }

  /// Pushes UTF-8 bytes as a string. The corresponding C API is `lua_pushlstring`.
  public func pushString(utf8 bytes: UnsafeBufferPointer<UInt8>) throws {
    try stack.reserve()
    bytes.withMemoryRebound(to: CChar.self) {
      _ = lua_pushlstring(stack.L, $0.baseAddress, $0.count)
    }
  }

  /// Pushes an integer. The corresponding C API is `lua_pushinteger`.
  public func pushInteger(_ value: Int) throws {
    try stack.reserve()
    lua_pushinteger(stack.L, lua_Integer(value))
  }

  /// Pushes a float. The corresponding C API is `lua_pushnumber`.
  public func pushNumber(_ value: Double) throws {
    try stack.reserve()
    lua_pushnumber(stack.L, value)
  }

  /// Pushes a boolean. The corresponding C API is `lua_pushboolean`.
  public func pushBoolean(_ value: Bool) throws {
    try stack.reserve()
    lua_pushboolean(stack.L, value ? 1 : 0)
  }

  /// Pushes nil. The corresponding C API is `lua_pushnil`.
  public func pushNil() throws {
    try stack.reserve()
    lua_pushnil(stack.L)
  }

  /// Pushes the value a reference holds.
  public func push(reference: LuaReference) throws { try stack.push(reference: reference) }

  /// Pushes a new empty table sized for the entries to come (`lua_createtable`).
  public func newTable(arrayCount: Int = 0, recordCount: Int = 0) throws {
    try stack.reserve(3)
    lua_createtable(stack.L, Int32(clamping: arrayCount), Int32(clamping: recordCount))
  }

  /// Sets `t[key] = value` (raw) on the table at the top of the stack.
  public func setField(_ key: String, _ value: String) {
    stack.pushString(value)
    stack.rawSetField(key)
  }

  /// Sets an integer field on the table at the top of the stack.
  public func setField(_ key: String, _ value: Int) {
    lua_pushinteger(stack.L, lua_Integer(value))
    stack.rawSetField(key)
  }

  /// Sets a float field on the table at the top of the stack.
  public func setField(_ key: String, _ value: Double) {
    lua_pushnumber(stack.L, value)
    stack.rawSetField(key)
  }

  /// Sets a boolean field on the table at the top of the stack.
  public func setField(_ key: String, _ value: Bool) {
    lua_pushboolean(stack.L, value ? 1 : 0)
    stack.rawSetField(key)
  }

  /// Sets a field to any converted value on the table at the top of the stack.
  public func setField(_ key: String, _ value: LuaValue) throws {
    try stack.push(value)
    stack.rawSetField(key)
  }

  /// Pops the value on top into field `key` of the table below it (`lua_rawset`).
  public func setField(_ key: String) {
    stack.rawSetField(key)
  }

  /// Pops the value on top into `t[i]` of the table below it (`lua_rawseti`).
  public func setIndex(_ i: Int) {
    lua_rawseti(stack.L, -2, lua_Integer(i))
  }

  /// Gives the table at the top the metatable `name` from
  /// ``LuaState/defineMetatable(_:functions:)``
  /// (`luaL_setmetatable`); a name never defined gets a fresh empty metatable.
  public func setMetatable(named name: String) throws {
    try stack.reserve(2)
    _ = luaL_newmetatable(stack.L, name)
    lua_setmetatable(stack.L, -2)
  }
}
