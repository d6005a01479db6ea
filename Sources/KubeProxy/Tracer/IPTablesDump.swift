/// A parsed `iptables-save` output or `iptables-restore` input: tables, their chains in
/// declaration order, and each chain's rules in order (kube-proxy's test `IPTablesDump`).
public struct IPTablesDump: Hashable, Sendable {
  public struct Chain: Hashable, Sendable {
    public var name: String
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    public var rules: [IPTablesRule] = []
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
    var current: Table? = nil
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = raw.trimmingSpaces()
      if line.isEmpty || line.hasPrefix("#") { continue }
      guard var table = current else {
        guard line.hasPrefix("*") else { throw .noTable(line: line) }
        current = Table(name: String(line.dropFirst()))
        continue
      }
      if line == "COMMIT" {
        tables.append(table)
        current = nil
      } else {
        try Self.apply(line, to: &table)
        current = table
      }
    }
    if current != nil { throw .noCommit }
  }

  /// Applies one chain declaration, `-A` rule or `-X` deletion to `table`.
  private static func apply(_ line: String, to table: inout Table) throws(IPTablesDumpError) {
    if line.hasPrefix(":") {
      let fields = line.dropFirst().split(separator: " ")
      guard let name = fields.first else { throw .badLine(line) }
      var chain = Chain(name: String(name))
      if let counters = fields.last, counters.hasPrefix("["), counters.hasSuffix("]") {
        let parts = counters.dropFirst().dropLast().split(separator: ":")
        chain.packets = parts.first.flatMap { UInt64($0) } ?? 0
        chain.bytes = parts.last.flatMap { UInt64($0) } ?? 0
      }
      table.chains.append(chain)
    } else if line.hasPrefix("-A ") {
      let rule = try IPTablesRule(parsing: line)
      guard let index = table.chains.firstIndex(where: { $0.name == rule.chain }) else {
        throw .undeclaredChain(rule.chain)
      }
      guard !table.chains[index].deleted else { throw .deletedChain(rule.chain) }
      table.chains[index].rules.append(rule)
    } else if line.hasPrefix("-X ") {
      let name = String(line.dropFirst(3))
      guard let index = table.chains.firstIndex(where: { $0.name == name }) else {
        throw .undeclaredChain(name)
      }
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
      lines += table.chains.map { ":\($0.name) - [\($0.packets):\($0.bytes)]" }
      lines += table.chains.flatMap { $0.rules.map(\.raw) }
      lines += table.chains.filter(\.deleted).map { "-X \($0.name)" }
      lines.append("COMMIT")
    }
    return lines.map { $0 + "\n" }.joined()
  }
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
