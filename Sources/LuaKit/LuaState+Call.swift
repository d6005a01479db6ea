import CLua
import CLuaGlue

#if canImport(Glibc)
  import Glibc
#endif

extension LuaStack {
  /// Calls the function below `arguments` values under `lua_pcall` with lua.c's
  /// traceback handler, leaving all its results on the stack.
  ///
  /// The corresponding C code is lua.c's `docall`.
  /// - Parameters:
  ///   - toplevel: re-arm the instruction budget before and after the call.
  ///   - interruptible: let SIGINT stop the call with "interrupted!" (as lua.c).
  /// - Throws: ``LuaError`` with message and traceback; the function and its
  ///   arguments are popped either way.
  func call(arguments: Int, toplevel: Bool = false, interruptible: Bool = false) throws {
    let status = svl_docall(
      L, Int32(arguments), LUA_MULTRET, toplevel ? 1 : 0, interruptible ? 1 : 0)
    guard status != LUA_OK else { return }
    let text = string(at: -1) ?? "(error object is not a string)"
    pop()
    let kind: LuaError.Kind
    switch status {
    case LUA_ERRMEM: kind = .memory
    case LUA_ERRERR: kind = .handler
    default: kind = .runtime
    }
    throw LuaError(handled: text, kind: kind)
  }

  /// Compiles `chunk` and pushes it as a function.
  ///
  /// The corresponding C API is `luaL_loadbufferx`.
  /// - Parameter binary: accept precompiled chunks as well as text.
  /// - Throws: ``LuaError`` of kind ``LuaError/Kind/syntax`` (nothing is pushed).
  func load(_ chunk: [UInt8], name: String, binary: Bool) throws {
    try reserve()
    let status = chunk.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) {
        svl_load(L, $0.baseAddress, $0.count, name, binary ? "bt" : "t")
      }
    }
    guard status != LUA_OK else { return }
    let message = string(at: -1) ?? "cannot load chunk"
    pop()
    throw LuaError(message, kind: status == LUA_ERRMEM ? .memory : .syntax)
  }
}

extension LuaState {
  /// Compiles `chunk` into a function without running it.
  ///
  /// The corresponding C API is `luaL_loadbufferx`; `name` follows its conventions
  /// (`=stdin` is shown as `stdin`, `@file.lua` as `file.lua`).
  /// - Throws: ``LuaError`` of kind ``LuaError/Kind/syntax``; check
  ///   ``LuaError/isIncomplete`` to ask for more input.
  public func load(_ chunk: String, name: String) throws -> LuaFunctionRef {
    try load(bytes: Array(chunk.utf8), name: name)
  }

  /// Compiles raw bytes (text, or a binary chunk outside the sandbox).
  public func load(bytes: [UInt8], name: String) throws -> LuaFunctionRef {
    let stack = activeStack
    try stack.load(bytes, name: name, binary: !options.sandbox)
    defer { stack.pop() }
    guard let ref = stack.reference(at: -1) else {
      throw LuaError("not enough memory", kind: .memory)
    }
    return ref
  }

  /// Runs `chunk` and returns its results.
  ///
  /// - Parameters:
  ///   - name: the chunk name shown in messages (`=name` for a plain label).
  ///   - interruptible: let Ctrl-C (SIGINT) stop it with "interrupted!".
  /// - Throws: ``LuaError`` for syntax and runtime errors (with traceback).
  @discardableResult
  public func run(chunk: String, name: String, interruptible: Bool = false) throws -> [LuaValue] {
    try load(chunk, name: name).call(interruptible: interruptible)
  }

  /// Runs the Lua file at `path`, as `lua path` does; the chunk is named `@path`.
  /// A first line starting with `#` is skipped, as `luaL_loadfile` does.
  @discardableResult
  public func runFile(
    path: String, arguments: [LuaValue] = [], interruptible: Bool = false
  )
    throws -> [LuaValue]
  {
    try loadFile(path: path).call(arguments, interruptible: interruptible)
  }

  /// Compiles the Lua file at `path` (`luaL_loadfilex`'s behaviour, shebang skipped).
  public func loadFile(path: String) throws -> LuaFunctionRef {
    guard let bytes = readFile(path) else {
      throw LuaError("cannot open \(path)", kind: .file)
    }
    var chunk = bytes
    if chunk.first == UInt8(ascii: "#") {
      // Keep the newline so that line numbers stay right.
      chunk = Array(chunk.drop(while: { $0 != UInt8(ascii: "\n") }))
    }
    return try load(bytes: chunk, name: "@" + path)
  }

  /// Reads a whole file (nil when it cannot be opened).
  private func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = fread(&buffer, 1, buffer.count, file)
      if n > 0 { result.append(contentsOf: buffer[0..<n]) }
      if n < buffer.count { break }
    }
    if ferror(file) != 0 { return nil }
    return result
  }
}

extension LuaReference {
  /// Calls the referenced value with `arguments` under `lua_pcall` and returns its results.
  ///
  /// The corresponding C code is lua.c's `docall` (`lua_pcall` with a traceback handler).
  /// - Parameters:
  ///   - interruptible: let Ctrl-C (SIGINT) stop the call with "interrupted!".
  ///   - freshBudget: give the call a full instruction budget (and restore a full one
  ///     afterwards). A call made while no Lua code runs always gets one.
  /// - Throws: ``LuaError`` with the message and traceback when the call fails.
  @discardableResult
  public func call(
    _ arguments: [LuaValue] = [], interruptible: Bool = false, freshBudget: Bool = false
  ) throws -> [LuaValue] {
    guard let state else { throw LuaError("attempt to call into a closed Lua state") }
    let toplevel = freshBudget || !state.isInsideCall
    let stack = state.activeStack
    let base = stack.top
    defer { stack.setTop(base) }
    try stack.push(reference: self)
    for argument in arguments { try stack.push(argument) }
    try stack.call(arguments: arguments.count, toplevel: toplevel, interruptible: interruptible)
    return stack.top > base ? (base + 1...stack.top).map { stack.value(at: $0) } : []
  }
}

extension LuaReference {
  /// Calls the referenced value like ``call(_:interruptible:freshBudget:)``, for Lua read
  /// from data (a lab file), which must not run without end: in a state with no instruction
  /// budget the call may run at most `instructions`; in a state with one it counts against
  /// the running call's budget like any other call made from Lua.
  @discardableResult
  public func call(_ arguments: [LuaValue] = [], instructions: Int) throws -> [LuaValue] {
    guard let state else { throw LuaError("attempt to call into a closed Lua state") }
    guard state.options.maxInstructions == nil else { return try call(arguments) }
    let thread = state.activeStack.L
    svl_setbudget(thread, lua_Integer(instructions))
    defer { svl_setbudget(thread, 0) }
    return try call(arguments)
  }
}

extension LuaReference {
  /// Calls the referenced function like ``call(_:interruptible:freshBudget:)`` and
  /// returns its results as the REPL shows them (``PrettyPrinter``, `__tostring`
  /// honoured, top-level strings as they are).
  public func callDescribing(
    _ arguments: [LuaValue] = [], interruptible: Bool = false,
    printer: PrettyPrinter = PrettyPrinter()
  ) throws -> [String] {
    guard let state else { throw LuaError("attempt to call into a closed Lua state") }
    let stack = state.activeStack
    let base = stack.top
    defer { stack.setTop(base) }
    try stack.push(reference: self)
    for argument in arguments { try stack.push(argument) }
    try stack.call(arguments: arguments.count, toplevel: true, interruptible: interruptible)
    guard stack.top > base else { return [] }
    return (base + 1...stack.top).map { printer.render(stack: stack, index: $0, topLevel: true) }
  }
}
