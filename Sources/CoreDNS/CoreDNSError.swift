/// Every error the CoreDNS module throws, worded as CoreDNS (and its Caddy config parser) or
/// the named tool words it.
public enum CoreDNSError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A query type name that is not a DNS type.
  case unknownType(String)
  /// A Corefile error reported by the config lexer or a directive outside any plugin.
  case corefile(line: Int, message: String)
  /// A Corefile error raised by one plugin's setup, with the Caddy location when it has one.
  case plugin(name: String, line: Int?, message: String)

  public var description: String {
    switch self {
    case .unknownType(let t):
      return "unknown query type '\(t)'"
    case .corefile(let line, let message):
      return "Corefile:\(line) - Error during parsing: \(message)"
    case .plugin(let name, let line, let message):
      guard let line else { return "plugin/\(name): \(message)" }
      return "plugin/\(name): Corefile:\(line) - Error during parsing: \(message)"
    }
  }
}
