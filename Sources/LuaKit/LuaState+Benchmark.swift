import CLua
import CLuaGlue

extension LuaState {
  /// Defines the global table `_bench` with `c` (an empty C function) and `swift`
  /// (an empty Swift function behind the error trampoline), to measure what calling
  /// into Swift costs compared with C.
  public func defineBenchmarkFunctions() throws {
    let stack = activeStack
    try stack.reserve(3)
    lua_createtable(stack.L, 0, 2)
    svl_pushcfunction(stack.L, svl_emptyfunction)
    stack.rawSetField("c")
    try stack.push(.function(try makeFunction(name: "swift") { _ in 0 }))
    stack.rawSetField("swift")
    svl_pushglobaltable(stack.L)
    lua_rotate(stack.L, -2, 1)
    stack.rawSetField("_bench")
    stack.pop()
  }
}
