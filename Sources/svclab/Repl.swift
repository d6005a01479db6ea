import CLuaGlue
import LuaKit

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// The read-eval-print loop, as lua.c's chain of one-step functions: `loadLine`
/// (with `addReturn`, then `multiline` while the input is `incomplete`), `execute`,
/// `printResults`.
struct Repl {
  let state: LuaState
  let defaultPrompt = "svclab> "
  let defaultContinuation = ">> "
  let colour: Bool

  init(state: LuaState) {
    self.state = state
    colour = isatty(2) != 0 && getenv("NO_COLOR") == nil
  }

  /// Runs until end of input.
  func run() {
    var reader: any LineReader = isatty(0) != 0 ? ReadlineReader(state: state) : PlainReader()
    // Between statements Ctrl-C only marks itself (the prompt cancels its line);
    // while a statement runs, svl_docall swaps in lua.c's interrupting handler.
    svl_catchsigint(1)
    defer { svl_catchsigint(0) }
    while true {
      switch loadLine(&reader) {
      case .chunk(let chunk): execute(chunk)
      case .failed(let error): show(error)
      case .cancelled: continue
      case .finished:
        reader.finish()
        printRaw("\n")
        return
      }
    }
  }

  enum Loaded {
    case chunk(LuaFunctionRef)
    case failed(LuaError)
    case cancelled
    case finished
  }

  /// Reads a whole statement: an expression to print, or statements over one or
  /// more lines (lua.c's `loadline`).
  func loadLine(_ reader: inout any LineReader) -> Loaded {
    var line: String
    switch reader.read(prompt: prompt(global: "_PROMPT", default: defaultPrompt)) {
    case .line(let text): line = text
    case .interrupted: return .cancelled
    case .endOfFile: return .finished
    }
    if line.hasPrefix("=") { line = "return " + line.dropFirst() }  // Lua 5.x's `=expr`
    if let chunk = addReturn(line) {
      if !line.isEmpty { reader.remember(line) }
      return .chunk(chunk)
    }
    return multiline(line, &reader)
  }

  /// The prompt: the global `_PROMPT` (or `_PROMPT2` for continuation lines) when set to a
  /// string or number, as lua.c's `get_prompt` reads it, else the default.
  func prompt(global name: String, default fallback: String) -> String {
    switch state.global(name) {
    case .string(let s): return s
    case .integer(let n): return String(n)
    case .number(let d): return String(d)
    default: return fallback
    }
  }

  /// Tries `return <line>;` so that expressions print their value (lua.c's `addreturn`).
  func addReturn(_ line: String) -> LuaFunctionRef? {
    try? state.load("return " + line + ";", name: "=stdin")
  }

  /// Keeps reading continuation lines while the chunk is incomplete (lua.c's `multiline`).
  func multiline(_ first: String, _ reader: inout any LineReader) -> Loaded {
    var buffer = first
    while true {
      do {
        let chunk = try state.load(buffer, name: "=stdin")
        reader.remember(buffer)
        return .chunk(chunk)
      } catch let error as LuaError where error.isIncomplete {
        switch reader.read(prompt: prompt(global: "_PROMPT2", default: defaultContinuation)) {
        case .line(let more): buffer += "\n" + more
        case .interrupted: return .cancelled
        case .endOfFile: return .finished
        }
      } catch let error as LuaError {
        reader.remember(buffer)
        return .failed(error)
      } catch {
        return .failed(LuaError(String(describing: error)))
      }
    }
  }

  /// Runs a chunk with Ctrl-C armed and prints its results (lua.c's `docall` + `l_print`).
  func execute(_ chunk: LuaFunctionRef) {
    do {
      let results = try chunk.callDescribing(interruptible: true)
      if !results.isEmpty { print(results.joined(separator: "\t")) }
    } catch {
      show(error)
    }
    flushOutput()
  }

  /// Prints an error with its traceback, in red on a colour terminal.
  func show(_ error: Error) {
    let text = String(describing: error)
    printError(colour ? "\u{1b}[31m\(text)\u{1b}[0m" : text)
  }
}
