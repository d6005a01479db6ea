import CLua
import CLuaGlue

/// The Swift closure behind one Lua function, owned by its Lua userdata.
final class FunctionBox {
  let name: String
  let function: LuaFunction

  init(name: String, function: @escaping LuaFunction) {
    self.name = name
    self.function = function
  }
}

/// The one dispatcher the C trampoline calls: runs the boxed closure and turns a
/// thrown error into a pushed message plus `SVL_ERROR_PUSHED`. It never raises.
/// The state and the box are borrowed without reference counting: the trampoline's
/// upvalue keeps the box alive for the call, and the state outlives its calls. The C
/// trampoline records the running thread, so no bookkeeping happens here.
private let dispatch: svl_Dispatcher = { L, owner, raw in
  guard let L, let owner, let raw else {
    if let L { lua_pushstring(L, "Lua state is closing") }
    return Int32(SVL_ERROR_PUSHED)
  }
  return Unmanaged<LuaState>.fromOpaque(owner)._withUnsafeGuaranteedRef { state in
    guard !state.closing else {
      lua_pushstring(L, "Lua state is closing")
      return Int32(SVL_ERROR_PUSHED)
    }
    state.drainUnrefs()
    return Unmanaged<FunctionBox>.fromOpaque(raw)._withUnsafeGuaranteedRef { box in
      guard let memory = state.processMemory else {
        return run(box.function, LuaCall(L: L, state: state, functionName: box.name))
      }
      // The process-wide cap: refuse to start over it (nothing changes), then measure
      // what the call left on the Swift side for Lua's allocator to count.
      if state.memoryUsed + memory.external > memory.limit, !memory.releasing.contains(box.name),
        memory.isOverLimit
      {
        lua_pushstring(L, memory.error(box.name).message)
        return Int32(SVL_ERROR_PUSHED)
      }
      let n = run(box.function, LuaCall(L: L, state: state, functionName: box.name))
      memory.external = max(0, memory.growth - state.memoryUsed)
      svl_setexternal(L, memory.external)
      return n
    }
  }
}

/// Runs `function`, pushing the message of a thrown error and returning the sentinel.
private func run(_ function: LuaFunction, _ call: LuaCall) -> Int32 {
  do {
    return Int32(try function(call))
  } catch let error as LuaError {
    call.stack.pushString(error.message)
  } catch {
    call.stack.pushString(String(describing: error))
  }
  return Int32(SVL_ERROR_PUSHED)
}

/// Drops the reference a Lua userdata held on its box (its `__gc`).
private let release: svl_Releaser = { raw in
  guard let raw else { return }
  Unmanaged<FunctionBox>.fromOpaque(raw).release()
}

extension LuaState {
  /// Hands the dispatcher and releaser to the C glue (idempotent).
  static func installCallbacks() {
    svl_setcallbacks(dispatch, release)
  }

  /// Makes `function` callable from Lua as the global `name`, optionally with help text.
  ///
  /// The corresponding C API is `lua_pushcclosure` + `lua_setglobal`; the closure is
  /// released when Lua collects the function or the state closes.
  /// - Throws: ``LuaError`` when memory runs out.
  public func register(
    _ name: String, help: HelpEntry? = nil, _ function: @escaping LuaFunction
  )
    throws
  {
    let stack = activeStack
    try pushFunction(name: name, function, on: stack)
    svl_pushglobaltable(stack.L)
    lua_rotate(stack.L, -2, 1)  // globals, function
    stack.rawSetField(name)
    stack.pop()
    if let help { registerHelp(name, help) }
  }

  /// Records help text for `name` (shown by `help()` and `help(name)`).
  public func registerHelp(_ name: String, _ entry: HelpEntry) {
    helpEntries[name] = entry
  }

  /// Makes a Lua function value out of a Swift closure (for tables of methods).
  public func makeFunction(name: String, _ function: @escaping LuaFunction) throws -> LuaFunctionRef
  {
    let stack = activeStack
    try pushFunction(name: name, function, on: stack)
    defer { stack.pop() }
    guard let ref = stack.reference(at: -1) else {
      throw LuaError("not enough memory", kind: .memory)
    }
    return ref
  }

  /// Creates (or extends) the metatable `name` in the registry with Swift metamethods
  /// and fields such as `__tostring`, `__index`; ``LuaCall/setMetatable(named:)`` attaches it.
  ///
  /// The corresponding C API is `luaL_newmetatable`.
  public func defineMetatable(_ name: String, functions: [String: LuaFunction]) throws {
    let stack = activeStack
    try stack.reserve(4)
    _ = luaL_newmetatable(stack.L, name)
    defer { stack.pop() }
    for (field, function) in functions.sorted(by: { $0.key < $1.key }) {
      try pushFunction(name: field, function, on: stack)
      stack.rawSetField(field)
    }
  }

  /// Sets the global `name` to `value`. The corresponding C API is `lua_setglobal`.
  public func setGlobal(_ name: String, _ value: LuaValue) throws {
    let stack = activeStack
    svl_pushglobaltable(stack.L)
    try stack.push(value)
    stack.rawSetField(name)
    stack.pop()
  }

  /// The global `name`, read without metamethods (`lua_rawget` on `_G`).
  public func global(_ name: String) -> LuaValue {
    let stack = activeStack
    svl_pushglobaltable(stack.L)
    stack.pushString(name)
    lua_rawget(stack.L, -2)
    defer { stack.pop(2) }
    return stack.value(at: -1)
  }

  /// Pushes a C closure over a retained box (see `svl_pushswiftfunction`).
  private func pushFunction(
    name: String, _ function: @escaping LuaFunction, on stack: LuaStack
  )
    throws
  {
    try stack.reserve(3)
    let box = Unmanaged.passRetained(FunctionBox(name: name, function: function)).toOpaque()
    if svl_pushswiftfunction(stack.L, box) != LUA_OK {
      stack.pop()
      throw LuaError("not enough memory", kind: .memory)
    }
  }
}
