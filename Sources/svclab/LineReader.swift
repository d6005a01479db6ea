import CLuaGlue
@preconcurrency import CReadline
import LuaKit

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// What reading one line at a prompt gave.
enum LineResult: Equatable {
  case line(String)
  /// Ctrl-C at the prompt: the line was thrown away.
  case interrupted
  case endOfFile
}

/// A source of REPL input lines.
protocol LineReader {
  /// Shows `prompt` and reads one line.
  mutating func read(prompt: String) -> LineResult
  /// Records a complete statement in the history.
  mutating func remember(_ statement: String)
  /// Saves what needs saving before exit.
  mutating func finish()
}

/// Input without a terminal: prompts are printed, lines read with `readLine`.
struct PlainReader: LineReader {
  mutating func read(prompt: String) -> LineResult {
    printRaw(prompt)
    guard let line = readLine(strippingNewline: true) else { return .endOfFile }
    return .line(line)
  }

  mutating func remember(_ statement: String) {}
  mutating func finish() {}
}

// The readline callbacks are C function pointers; their state lives in globals,
// touched only from the main thread between `read` calls.
nonisolated(unsafe) private var receivedLine: LineResult?
nonisolated(unsafe) private var completionSource: LuaState?
nonisolated(unsafe) private var completionCandidates: [String] = []
nonisolated(unsafe) private var completionIndex = 0

/// readline's line handler (CPython's `rlhandler`): keeps the line, removes itself.
private func lineHandler(_ text: UnsafeMutablePointer<CChar>?) {
  if let text {
    receivedLine = .line(String(cString: text))
    free(text)
  } else {
    receivedLine = .endOfFile
  }
  rl_callback_handler_remove()
}

/// Hands readline the next candidate; each must be malloc'ed (readline frees it).
private func candidateGenerator(
  _ text: UnsafePointer<CChar>?, _ state: Int32
)
  -> UnsafeMutablePointer<CChar>?
{
  if state == 0 { completionIndex = 0 }
  guard completionIndex < completionCandidates.count else { return nil }
  defer { completionIndex += 1 }
  return strdup(completionCandidates[completionIndex])
}

/// Computes candidates for the word before the cursor from the Lua state.
private func attemptCompletion(
  _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
)
  -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
{
  rl_attempted_completion_over = 1  // never fall back to file names
  rl_completion_append_character = 0  // readline resets it to ' ' before each attempt
  guard let buffer = rl_line_buffer, let state = completionSource else { return nil }
  let bytes = UnsafeRawBufferPointer(start: buffer, count: Int(max(0, rl_point)))
  completionCandidates = state.completions(
    forLineUpToCursor: String(decoding: bytes, as: UTF8.self))
  return rl_completion_matches(text, candidateGenerator)
}

/// Terminal input through GNU readline's callback interface, so that Ctrl-C at the
/// prompt cancels the line instead of killing the process (CPython's approach).
struct ReadlineReader: LineReader {
  let historyPath: String?
  static let historyLimit: Int32 = 1000

  init(state: LuaState) {
    historyPath = ReadlineReader.historyFile()
    completionSource = state
    rl_readline_name = UnsafePointer(strdup("svclab"))
    rl_catch_signals = 0
    rl_attempted_completion_function = attemptCompletion
    rl_completer_word_break_characters = UnsafePointer(strdup(LuaState.completionWordBreaks))
    rl_completion_append_character = 0
    using_history()
    stifle_history(ReadlineReader.historyLimit)
    // Timestamp lines mark where an entry starts, so a statement typed over several lines
    // comes back as one entry after a restart (as lua.c keeps it in memory).
    history_comment_char = CChar(UInt8(ascii: "#"))
    history_write_timestamps = 1
    history_multiline_entries = 1
    if let historyPath { _ = read_history(historyPath) }
  }

  /// `SVCLAB_HISTORY`, else `~/.svclab_history`; nil without a home.
  static func historyFile() -> String? {
    if let path = getenv("SVCLAB_HISTORY") { return String(cString: path) }
    guard let home = getenv("HOME") else { return nil }
    return String(cString: home) + "/.svclab_history"
  }

  mutating func read(prompt: String) -> LineResult {
    receivedLine = nil
    rl_callback_handler_install(prompt, lineHandler)
    while receivedLine == nil {
      if svl_takesigint() != 0 {
        cancelLine()
        return .interrupted
      }
      var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
      let ready = poll(&fds, 1, -1)
      if ready > 0 {
        rl_callback_read_char()
      } else if ready < 0 && errno != EINTR {
        rl_callback_handler_remove()
        return .endOfFile
      }
    }
    return receivedLine ?? .endOfFile
  }

  /// Throws the edited line away after Ctrl-C and leaves the cursor on a new line.
  private func cancelLine() {
    rl_free_line_state()
    rl_callback_sigcleanup()
    rl_cleanup_after_signal()
    rl_callback_handler_remove()
    printRaw("\n")
  }

  mutating func remember(_ statement: String) {
    add_history(statement)
    guard let historyPath else { return }
    // Append at once so that history survives os.exit and crashes.
    if append_history(1, historyPath) != 0 { _ = write_history(historyPath) }
    _ = history_truncate_file(historyPath, ReadlineReader.historyLimit)
  }

  mutating func finish() {
    completionSource = nil
  }
}
