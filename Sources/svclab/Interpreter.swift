import Lab
import LuaKit

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// Runs svclab as a lua.c-compatible interpreter (lua.c's `pmain`): `-e`/`-l` in
/// order, then the script with its `arg` table, then the REPL when asked for.
struct Interpreter {
  let argv: [String]
  let invocation: Invocation

  /// Creates a state with svclab's primitives installed, as every entry point does.
  static func makeState(options: LuaOptions) throws -> LuaState {
    let state = try LuaState(options: options)
    try Lab.install(in: state)
    return state
  }

  /// Runs everything the invocation asks for; returns the process exit status.
  func run() -> Int32 {
    let options = LuaOptions(
      maxInstructions: invocation.maxInstructions, maxMemory: invocation.maxMemory,
      sandbox: invocation.sandbox)
    let state: LuaState
    do {
      state = try Interpreter.makeState(options: options)
      try createArgTable(in: state)
      if invocation.benchmark { try state.defineBenchmarkFunctions() }
      if invocation.warnings { try state.run(chunk: "warn('@on')", name: "=(command line)") }
    } catch {
      return report(error)
    }
    let terminal = isatty(0) != 0
    if invocation.version { printVersion() }
    if !invocation.ignoreEnvironment, let status = runInit(state), status != 0 { return status }
    for action in invocation.actions {
      if let status = perform(action, in: state), status != 0 { return status }
    }
    if let script = invocation.script {
      if let status = runScript(script, in: state), status != 0 { return status }
    }
    if let path = invocation.graphOutput, let status = writeGraph(path, in: state), status != 0 {
      return status
    }
    if invocation.interactive {
      Repl(state: state).run()
    } else if invocation.script == nil && invocation.actions.isEmpty && !invocation.version {
      if terminal {
        printVersion()
        Repl(state: state).run()
      } else {
        return runScript("-", in: state) ?? 0
      }
    }
    return 0
  }

  /// The global `arg`: the script at 0, options before it negative (lua.c's `createargtable`).
  private func createArgTable(in state: LuaState) throws {
    let scriptIndex = invocation.scriptIndex ?? 0
    var table = LuaTable()
    for (i, a) in argv.enumerated() {
      let key = i - scriptIndex
      if key >= 1 {
        table.array.append(.string(a))
      } else {
        table.map[.integer(Int64(key))] = .string(a)
      }
    }
    try state.setGlobal("arg", .table(table))
  }

  /// Runs `LUA_INIT_5_4` or `LUA_INIT` (`@file` or code), as lua.c's `handle_luainit`.
  private func runInit(_ state: LuaState) -> Int32? {
    let env =
      getenv("LUA_INIT_5_4").map { ("LUA_INIT_5_4", String(cString: $0)) }
      ?? getenv("LUA_INIT").map { ("LUA_INIT", String(cString: $0)) }
    guard let (name, code) = env else { return nil }
    do {
      if code.hasPrefix("@") {
        try state.runFile(path: String(code.dropFirst()), interruptible: true)
      } else {
        try state.run(chunk: code, name: "=" + name, interruptible: true)
      }
      return nil
    } catch {
      return report(error)
    }
  }

  /// Runs one `-e` chunk or `-l` require.
  private func perform(_ action: Invocation.Action, in state: LuaState) -> Int32? {
    do {
      switch action {
      case .execute(let chunk):
        try state.run(chunk: chunk, name: "=(command line)", interruptible: true)
      case .require(let global, let module):
        let results = try state.load("return require(...)", name: "=(command line)")
          .call([.string(module)], interruptible: true)
        try state.setGlobal(global, results.first ?? .nil)
      }
      return nil
    } catch {
      return report(error)
    }
  }

  /// Runs the script (or standard input for `-`) with the script arguments as `...`.
  private func runScript(_ path: String, in state: LuaState) -> Int32? {
    if path != "-" && Lab.isClusterDump(path: path) { return importDump(path, in: state) }
    do {
      let chunk: LuaFunctionRef
      if path == "-" {
        chunk = try state.load(bytes: readStandardInput(), name: "=stdin")
      } else {
        chunk = try state.loadFile(path: path)
      }
      try chunk.call(invocation.scriptArguments.map { .string($0) }, interruptible: true)
      return nil
    } catch {
      return report(error)
    }
  }

  /// `svclab DUMP`: a cluster dump (`kubectl get … -o yaml|json`) instead of a script is
  /// imported, its summary printed; with a terminal (or -i) the REPL follows.
  private func importDump(_ path: String, in state: LuaState) -> Int32? {
    do {
      let chunk =
        "local r = importCluster(...)\nprint(r.summary)\n"
        + "for _, n in ipairs(r.notes) do print('  ' .. n) end\n"
      try state.load(chunk, name: "=(import)").call([.string(path)], interruptible: true)
      if isatty(0) != 0 && !invocation.interactive { Repl(state: state).run() }
      return nil
    } catch {
      return report(error)
    }
  }

  /// Writes the lab's graph after the script (`--graph FILE`): SVG, or DOT for a `.dot` file.
  private func writeGraph(_ path: String, in state: LuaState) -> Int32? {
    let format = path.hasSuffix(".dot") ? "dot" : "svg"
    let chunk =
      "local path, format = ...\n"
      + "local f = assert(io.open(path, 'w'))\n"
      + "f:write(graph{ format = format })\n"
      + "f:close()\n"
    do {
      try state.load(chunk, name: "=(--graph)").call(
        [.string(path), .string(format)], interruptible: true)
      return nil
    } catch {
      return report(error)
    }
  }

  /// Prints an error the way lua.c's `l_message` does and returns the failure status.
  func report(_ error: Error) -> Int32 {
    printError("svclab: \(error)")
    return 1
  }

  private func printVersion() {
    print("svclab \(svclabVersion) (Lua 5.4)")
  }
}

/// The version `-v` prints.
let svclabVersion = "0.1.0"

/// Reads all of standard input.
func readStandardInput() -> [UInt8] {
  var bytes: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65536)
  while true {
    let n = read(0, &buffer, buffer.count)
    if n <= 0 { break }
    bytes.append(contentsOf: buffer[0..<n])
  }
  return bytes
}
