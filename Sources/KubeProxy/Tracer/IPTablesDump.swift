/// A parsed `iptables-save` output or `iptables-restore` input: tables, their chains in
/// declaration order, and each chain's rules in order (kube-proxy's test `IPTablesDump`).
public struct IPTablesDump: Hashable, Sendable {
  public struct Chain: Hashable, Sendable {
    public var name: String
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    public var rules: [IPTablesRule] = []
    /// A built-in chain's policy (`ACCEPT`, `DROP`); nil for user chains (`-`).
    public var policy: String?
    /// The input contained `-X <name>` (a restore input deleting a stale chain).
    public var deleted = false
  }

  public struct Table: Hashable, Sendable {
    public var name: String
    public var chains: [Chain] = []

    /// The chain called `name`, if declared.
    public func chain(_ name: String) -> Chain? { chains.first { $0.name == name } }
  }

  public var tables: [Table] = []

  /// Parses `text`; blank lines and `#` comments are skipped.
  public init(parsing text: String) throws(IPTablesDumpError) {
    do {
      self = try IPTablesDump(parsingNumbered: text, strict: false)
    } catch {
      throw error.error
    }
  }

  /// Parses `text` (`iptables-save` output, with or without `-c` counters, or restore
  /// input), naming the line of the first error as `iptables-restore` does. `strict` also
  /// refuses rules iptables would not load (an option without its value, a stray word);
  /// otherwise their matches are read as far as they go.
  public init(parsingNumbered text: String, strict: Bool = true) throws(IPTablesParseError) {
    var current: Table? = nil
    // The current table's chains by name (the first declaration of a name), so that a rule
    // finds its chain in one lookup: a node's dump has tens of thousands of chains.
    var positions: [String: Int] = [:]
    var number = 0
    var tableLine = 0
    // Split as bytes ("\r\n", one Character, ends a line too; `trimmingSpaces` drops the
    // "\r"): a node's dump is tens of megabytes.
    for raw in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      number += 1
      let line = Substring(raw).trimmingSpaces()
      if line.isEmpty || line.hasPrefix("#") { continue }
      guard current != nil else {
        guard line.hasPrefix("*") else {
          throw IPTablesParseError(line: number, error: .noTable(line: line))
        }
        current = Table(name: String(line.dropFirst()))
        positions = [:]
        tableLine = number
        continue
      }
      if line == "COMMIT" {
        if let table = current { tables.append(table) }
        current = nil
      } else {
        do {
          // Changed where it is: a copy would copy every chain at every line.
          try Self.apply(line, number: number, strict: strict, to: &current!, positions: &positions)
        } catch {
          throw IPTablesParseError(line: number, error: error)
        }
      }
    }
    if current != nil { throw IPTablesParseError(line: tableLine, error: .noCommit) }
  }

  /// Applies one chain declaration, `-A` rule or `-X` deletion to `table`.
  private static func apply(
    _ line: String, number: Int, strict: Bool, to table: inout Table,
    positions: inout [String: Int]
  ) throws(IPTablesDumpError) {
    // `iptables-save -c` writes each rule's counters first: `[pkts:bytes] -A …`.
    var line = line
    var counters: (UInt64, UInt64)? = nil
    if line.hasPrefix("["), let close = line.firstIndex(of: "]") {
      let parts = line[line.index(after: line.startIndex)..<close].split(separator: ":")
      guard parts.count == 2, let p = UInt64(parts[0]), let b = UInt64(parts[1]) else {
        throw .badLine(line)
      }
      counters = (p, b)
      line = String(line[line.index(after: close)...]).trimmingCharacters()
    }
    if line.hasPrefix(":") {
      let fields = line.dropFirst().split(separator: " ")
      guard let name = fields.first else { throw .badLine(line) }
      var chain = Chain(name: String(name))
      if fields.count >= 2, fields[1] != "-" { chain.policy = String(fields[1]) }
      if let counters = fields.last, counters.hasPrefix("["), counters.hasSuffix("]") {
        let parts = counters.dropFirst().dropLast().split(separator: ":")
        chain.packets = parts.first.flatMap { UInt64($0) } ?? 0
        chain.bytes = parts.last.flatMap { UInt64($0) } ?? 0
      }
      if positions[chain.name] == nil { positions[chain.name] = table.chains.count }
      table.chains.append(chain)
    } else if line.hasPrefix("-A ") {
      var rule = try IPTablesRule(parsing: line)
      if strict { try rule.parseMatches() } else { try? rule.parseMatches() }
      rule.line = number
      if let (p, b) = counters {
        rule.packets = p
        rule.bytes = b
      }
      guard let index = positions[rule.chain] else { throw .undeclaredChain(rule.chain) }
      guard !table.chains[index].deleted else { throw .deletedChain(rule.chain) }
      table.chains[index].rules.append(rule)
    } else if line.hasPrefix("-X ") {
      let name = String(line.dropFirst(3))
      guard let index = positions[name] else { throw .undeclaredChain(name) }
      table.chains[index].deleted = true
    } else {
      throw .badLine(line)
    }
  }

  /// The table called `name`, if present.
  public func table(_ name: String) -> Table? { tables.first { $0.name == name } }

  /// The dump as restore text: per table the declarations, then every chain's rules in
  /// chain order, then deletions, then `COMMIT`.
  public var text: String {
    var lines: [String] = []
    for table in tables {
      lines.append("*\(table.name)")
      lines += table.chains.map { ":\($0.name) \($0.policy ?? "-") [\($0.packets):\($0.bytes)]" }
      lines += table.chains.flatMap { $0.rules.map(\.raw) }
      lines += table.chains.filter(\.deleted).map { "-X \($0.name)" }
      lines.append("COMMIT")
    }
    return lines.map { $0 + "\n" }.joined()
  }
}

/// A dump error and the line it is on (1-based).
public struct IPTablesParseError: Error, Hashable, Sendable, CustomStringConvertible {
  public var line: Int
  public var error: IPTablesDumpError

  public init(line: Int, error: IPTablesDumpError) {
    self.line = line
    self.error = error
  }

  public var description: String { "line \(line): \(error)" }
}

/// Why a rules dump could not be read.
public enum IPTablesDumpError: Error, Hashable, Sendable, CustomStringConvertible {
  case noTable(line: String)
  case noCommit
  case badLine(String)
  case undeclaredChain(String)
  case deletedChain(String)

  public var description: String {
    switch self {
    case .noTable(let line):
      "could not parse iptables data (starts with \"\(line)\" not a table name)"
    case .noCommit: "could not parse iptables data (no COMMIT line?)"
    case .badLine(let line): "error parsing rule \"\(line)\""
    case .undeclaredChain(let chain): "no such chain \"\(chain)\""
    case .deletedChain(let chain): "cannot add rules to deleted chain \"\(chain)\""
    }
  }
}

extension String {
  func trimmingCharacters() -> String { self[...].trimmingSpaces() }
}

extension Substring {
  /// The substring without leading and trailing spaces and tabs, as a String.
  func trimmingSpaces() -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
    guard let start = firstIndex(where: { !isSpace($0) }),
      let end = lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(self[start...end])
  }
}
