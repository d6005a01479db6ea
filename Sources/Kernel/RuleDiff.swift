/// kube-proxy's partial sync: the `iptables-restore --noflush` input that turns the rules
/// loaded from `old` into `new` touching only the chains whose rules changed (declaring a
/// chain flushes it; a chain that disappeared is flushed and deleted with `-X`).
public enum RuleDiff {
  /// One table of an iptables-restore input: its chains in order and each chain's rules.
  struct Table: Equatable {
    var chains: [String] = []
    var declarations: [String: String] = [:]
    var rules: [String: [String]] = [:]
  }

  static func parse(_ text: String) -> [(name: String, table: Table)] {
    var tables: [(name: String, table: Table)] = []
    var current: Table?
    var name = ""
    for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
      let line = String(raw)
      if line.hasPrefix("*") {
        name = String(line.dropFirst())
        current = Table()
      } else if line == "COMMIT" {
        if let t = current { tables.append((name, t)) }
        current = nil
      } else if line.hasPrefix(":"), current != nil {
        let chain = String(line.dropFirst().split(separator: " ").first ?? "")
        if current?.declarations[chain] == nil { current?.chains.append(chain) }
        current?.declarations[chain] = line
      } else if line.hasPrefix("-A "), current != nil {
        let chain = String(line.dropFirst(3).split(separator: " ").first ?? "")
        current?.rules[chain, default: []].append(line)
      }
    }
    return tables
  }

  /// The partial restore input, or nil when nothing changed; `changed` lists the chains
  /// rewritten or deleted ("nat/KUBE-SVC-…").
  public static func partial(
    from old: String, to new: String
  ) -> (input: String, changed: [String])? {
    let before = Dictionary(parse(old).map { ($0.name, $0.table) }, uniquingKeysWith: { a, _ in a })
    var out: [String] = []
    var changed: [String] = []
    var names = Set<String>()
    for (name, table) in parse(new) {
      names.insert(name)
      let previous = before[name] ?? Table()
      var lines: [String] = []
      var rules: [String] = []
      var removed: [String] = []
      for chain in table.chains
      where previous.rules[chain] != table.rules[chain]
        || previous.declarations[chain] == nil
      {
        lines.append(table.declarations[chain] ?? ":\(chain) - [0:0]")
        rules += table.rules[chain] ?? []
        changed.append("\(name)/\(chain)")
      }
      for chain in previous.chains where table.declarations[chain] == nil {
        lines.append(":\(chain) - [0:0]")
        removed.append("-X \(chain)")
        changed.append("\(name)/\(chain) (deleted)")
      }
      guard !lines.isEmpty else { continue }
      out.append("*\(name)")
      out += lines + rules + removed
      out.append("COMMIT")
    }
    for (name, table) in parse(old) where !names.contains(name) && !table.chains.isEmpty {
      out.append("*\(name)")
      out += table.chains.map { ":\($0) - [0:0]" } + table.chains.map { "-X \($0)" }
      out.append("COMMIT")
      changed += table.chains.map { "\(name)/\($0) (deleted)" }
    }
    return out.isEmpty ? nil : (out.joined(separator: "\n") + "\n", changed)
  }
}
