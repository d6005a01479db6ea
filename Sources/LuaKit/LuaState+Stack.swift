import CLua
import CLuaGlue

/// One thread's stack, the view every wrapper works through.
///
/// Only calls that never raise (`-` in the manual) or raise memory errors only
/// (`m`, which the glue's allocator turns off while Swift runs) are made here.
struct LuaStack {
  let L: OpaquePointer
  /// Not reference counted: a stack is only used while its state is open (the state
  /// outlives every call into it), and counting here cost more than the call itself.
  unowned(unsafe) let state: LuaState

  /// Index of the top element. The corresponding C API is `lua_gettop`.
  var top: Int { Int(lua_gettop(L)) }

  /// Sets the top. The corresponding C API is `lua_settop`.
  func setTop(_ index: Int) { lua_settop(L, Int32(index)) }

  /// Pops `n` values. The corresponding C API is `lua_pop`.
  func pop(_ n: Int = 1) { svl_pop(L, Int32(n)) }

  /// The type at `index`. The corresponding C API is `lua_type`.
  func type(at index: Int) -> LuaType {
    LuaType(rawValue: lua_type(L, Int32(index))) ?? .none
  }

  /// Converts a relative index into an absolute one (`lua_absindex`).
  func absolute(_ index: Int) -> Int { Int(lua_absindex(L, Int32(index))) }

  /// Makes room for `n` more values. The corresponding C API is `lua_checkstack`.
  func reserve(_ n: Int = 1) throws {
    if lua_checkstack(L, Int32(n)) == 0 { throw LuaError("stack overflow") }
  }

  /// The name lauxlib's `luaL_typeerror` uses for the value at `index`: its `__name`,
  /// "light userdata", or the type name.
  func typeNameForError(at index: Int) -> String {
    if lua_getmetatable(L, Int32(index)) != 0 {
      pushString("__name")
      let t = lua_rawget(L, -2)
      defer { pop(2) }
      if t == LUA_TSTRING, let name = svl_tostring(L, -1) { return String(cString: name) }
    }
    let type = type(at: index)
    return type == .lightUserdata ? "light userdata" : type.name
  }

  /// Sets `t[key] = v` without metamethods, for the table below the value on top;
  /// pops the value. The corresponding C API is `lua_rawset`.
  func rawSetField(_ key: String) {
    pushString(key)
    lua_rotate(L, -2, 1)
    lua_rawset(L, -3)
  }
}
