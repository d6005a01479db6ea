import CLua
import CLuaGlue

extension LuaCall {
  /// Calls `function` with this call's own arguments and returns its results as this call's
  /// results, left on the stack without converting them (a wrapper around a primitive).
  ///
  /// The call runs under `lua_pcall` (through the message handler), so an error in
  /// `function` comes back as a thrown ``LuaError`` and never unwinds through Swift.
  /// The corresponding C API is `lua_pcall` with `LUA_MULTRET`.
  public func forward(to function: LuaReference) throws -> Int {
    let n = argumentCount
    try stack.reserve(n + 2)
    try stack.push(reference: function)
    for i in 0..<n { lua_pushvalue(stack.L, Int32(i + 1)) }
    try stack.call(arguments: n)
    return stack.top - n
  }
}
