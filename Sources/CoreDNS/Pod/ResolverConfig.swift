/// A stub resolver's configuration, as read from resolv.conf.
public struct ResolverConfig: Hashable, Sendable {
  public var nameservers: [String]
  public var search: [String]
  /// Option words as written (`ndots:5`, `single-request-reopen`).
  public var options: [String]

  public init(nameservers: [String] = [], search: [String] = [], options: [String] = []) {
    self.nameservers = nameservers
    self.search = search
    self.options = options
  }

  /// `ndots` from the options (last one wins), default 1, capped at 15 as both libcs do.
  public var ndots: Int {
    var n = 1
    for op in options where op.hasPrefix("ndots:") {
      if let v = Int(op.dropFirst(6)) { n = min(max(v, 0), 15) }
    }
    return n
  }

  /// Reads resolv.conf text: `nameserver`, `search`/`domain` (the last one wins) and
  /// `options` lines; the kubelet drops `.` and trailing dots from search domains.
  public init(parsing text: String) {
    self.init()
    for raw in text.split(separator: "\n") {
      let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard let key = fields.first, !key.hasPrefix("#"), !key.hasPrefix(";") else { continue }
      let rest = Array(fields.dropFirst())
      switch key {
      case "nameserver": if let ns = rest.first { nameservers.append(ns) }
      case "search", "domain":
        search = rest.filter { $0 != "." }.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
      case "options": options += rest
      default: continue
      }
    }
  }

  /// The file as the container runtime writes it.
  public var fileText: String {
    var out = ""
    if !search.isEmpty { out += "search \(search.joined(separator: " "))\n" }
    for ns in nameservers { out += "nameserver \(ns)\n" }
    if !options.isEmpty { out += "options \(options.joined(separator: " "))\n" }
    return out
  }
}
