/// An error raised by Lua code or by the glue around it.
///
/// Errors from Lua carry the error message and, for runtime errors, the traceback
/// built by lua.c's message handler. A Swift function registered with
/// ``LuaState/register(_:help:_:)`` may throw a `LuaError` (or any `Error`, whose
/// description is used): Lua receives a catchable error whose message is prefixed with
/// the caller's `chunk:line:`.
public struct LuaError: Error, CustomStringConvertible, Equatable {
  /// What went wrong, in the order Lua reports it.
  public enum Kind: Sendable, Equatable {
    /// A runtime error (`LUA_ERRRUN`), including errors raised by Swift functions.
    case runtime
    /// A syntax error found while loading (`LUA_ERRSYNTAX`).
    case syntax
    /// The memory cap was reached (`LUA_ERRMEM`).
    case memory
    /// The message handler itself failed (`LUA_ERRERR`).
    case handler
    /// A file could not be read.
    case file
  }

  /// The error message, without traceback.
  public var message: String
  /// The kind of failure.
  public var kind: Kind
  /// The `stack traceback:` text, when Lua produced one.
  public var traceback: String?

  /// Creates an error carrying `message`.
  public init(_ message: String, kind: Kind = .runtime, traceback: String? = nil) {
    self.message = message
    self.kind = kind
    self.traceback = traceback
  }

  /// The message followed by the traceback, as lua.c reports it.
  public var description: String {
    guard let traceback, !traceback.isEmpty else { return message }
    return message + "\n" + traceback
  }

  /// True for a syntax error that more input could fix (lua.c's `incomplete`: the
  /// message ends with `<eof>`).
  public var isIncomplete: Bool {
    kind == .syntax && message.hasSuffix("<eof>")
  }

  /// Splits a handler message ("msg\nstack traceback:\n...") into its two parts.
  init(handled text: String, kind: Kind) {
    let marker = "\nstack traceback:\n"
    var index = text.startIndex
    while index < text.endIndex {
      if text[index...].hasPrefix(marker) {
        self.init(
          String(text[..<index]), kind: kind,
          traceback: String(text[text.index(after: index)...]))
        return
      }
      index = text.index(after: index)
    }
    self.init(text, kind: kind)
  }
}
