/// A parsed `nft list ruleset` (or `nft list table`) listing, as nft 1.0.x prints it: tables
/// of any family, each with its named sets and maps (and their elements) and its chains
/// (base chains with their hook, type, priority and policy), rules in listing order.
/// Stateful objects nft also lists (flowtables, named counters, quotas, ct helpers) are
/// skipped: no rule of a packet's walk depends on their contents.
public struct NftRuleset: Hashable, Sendable {
  /// A named set or map: `set cluster-ips { type ipv4_addr; elements = { … } }`.
  public struct Set: Hashable, Sendable {
    public var name: String
    public var isMap: Bool
    /// The declaration after `type` (or `typeof`): `ipv4_addr . inet_proto . inet_service :
    /// verdict`.
    public var type = ""
    public var flags: [String] = []
    public var elements: [NftElement] = []
    public var line: Int
  }

  /// A chain; base chains carry their netfilter hook.
  public struct Chain: Hashable, Sendable {
    public var name: String
    /// `filter`, `nat`, `route` (nil for a regular chain).
    public var type: String?
    /// `prerouting`, `input`, `forward`, `output`, `postrouting`, `ingress`…
    public var hook: String?
    /// The priority as a number (`dstnat - 10` is −110).
    public var priority = 0
    /// `accept` or `drop` (base chains).
    public var policy: String?
    public var rules: [NftRule] = []
    public var line: Int
  }

  public struct Table: Hashable, Sendable {
    /// `ip`, `ip6`, `inet`, `arp`, `bridge`, `netdev`.
    public var family: String
    public var name: String
    public var line: Int
    public private(set) var sets: [Set] = []
    public private(set) var chains: [Chain] = []
    /// Positions by name: a listing of a large cluster has tens of thousands of chains.
    private var chainIndex: [String: Int] = [:]
    private var setIndex: [String: Int] = [:]

    init(family: String, name: String, line: Int) {
      self.family = family
      self.name = name
      self.line = line
    }

    /// `ip kube-proxy`: how nft names a table.
    public var id: String { "\(family) \(name)" }
    public func chain(_ name: String) -> Chain? { chainIndex[name].map { chains[$0] } }
    public func set(_ name: String) -> Set? { setIndex[name].map { sets[$0] } }

    mutating func add(_ chain: Chain) {
      chainIndex[chain.name] = chains.count
      chains.append(chain)
    }

    mutating func add(_ set: Set) {
      setIndex[set.name] = sets.count
      sets.append(set)
    }
  }

  public var tables: [Table] = []

  public init() {}

  /// The table `family name`, if listed.
  public func table(_ family: String, _ name: String) -> Table? {
    tables.first { $0.family == family && $0.name == name }
  }

  /// Whether `text` is an nft listing rather than iptables-save text: its first line that is
  /// not blank or a `#` comment opens a table (`table ip kube-proxy {`).
  public static func isListing(_ text: String) -> Bool {
    for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
      let line = raw.trimmingSpaces()
      if line.isEmpty || line.hasPrefix("#") { continue }
      return line.hasPrefix("table ")
    }
    return false
  }

  /// Parses `text`, naming the line of the first error; every `jump`/`goto` must name a chain
  /// of its table and every `@set` a set or map of its table, as nft requires to load them.
  public init(parsing text: String) throws(NftParseError) {
    var parser = NftListingParser()
    var number = 0
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      number += 1
      do { try parser.feed(raw.trimmingSpaces(), line: number) } catch {
        throw NftParseError(line: parser.errorLine ?? number, message: error.message)
      }
    }
    do { try parser.finish() } catch {
      throw NftParseError(line: parser.errorLine ?? number, message: error.message)
    }
    tables = parser.tables
    try validate()
  }

  /// Every chain and set a rule or map element names exists in its table.
  private func validate() throws(NftParseError) {
    for table in tables {
      for set in table.sets {
        for element in set.elements {
          for target in element.verdict?.chainTarget.map({ [$0] }) ?? [] {
            guard table.chain(target) != nil else {
              throw NftParseError(
                line: element.line, message: "map \(set.name): no such chain \"\(target)\"")
            }
          }
        }
      }
      for chain in table.chains {
        for rule in chain.rules {
          for target in rule.chainTargets where table.chain(target) == nil {
            throw NftParseError(line: rule.line, message: "no such chain \"\(target)\"")
          }
          for name in rule.setReferences where table.set(name) == nil {
            throw NftParseError(
              line: rule.line, message: "no such set or map \"@\(name)\" in table \(table.id)")
          }
        }
      }
    }
  }
}

/// A listing error and the line it is on (1-based).
public struct NftParseError: Error, Hashable, Sendable, CustomStringConvertible {
  public var line: Int
  public var message: String
  public var description: String { "line \(line): \(message)" }
}

/// A message without its line (a rule read on its own, the parser's helpers).
public struct NftSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// The line-by-line reader behind `NftRuleset(parsing:)`: one open block at a time (table,
/// then chain, set or map, or a skipped object), `elements = { … }` across lines.
struct NftListingParser {
  enum Block {
    case top
    case table(NftRuleset.Table)
    case chain(NftRuleset.Table, NftRuleset.Chain)
    case set(NftRuleset.Table, NftRuleset.Set)
    /// A flowtable, named counter, quota…: skipped up to its closing brace.
    case skipped(NftRuleset.Table, depth: Int)
  }

  var tables: [NftRuleset.Table] = []
  var block = Block.top
  /// An `elements = {` list not closed yet: its tokens so far, the line it started on, and
  /// how many braces are open.
  var pendingElements: (tokens: [String], line: Int, depth: Int)?
  var openLine = 0
  /// The line an error belongs to when it is not the current one.
  var errorLine: Int?

  static let families: Swift.Set<String> = ["ip", "ip6", "inet", "arp", "bridge", "netdev"]
  static let skippedObjects: Swift.Set<String> = [
    "flowtable", "counter", "quota", "limit", "ct", "secmark", "synproxy",
  ]

  mutating func feed(_ line: String, line number: Int) throws(NftSyntaxError) {
    if pendingElements != nil, case .set(let table, var set) = block {
      block = .top
      try continueElements(line, number, &set)
      block = .set(table, set)
      return
    }
    if line.isEmpty || line.hasPrefix("#") { return }
    // `nft -a list ruleset` ends each rule and object line with its handle.
    var line = line
    if let handle = line.range(of: " # handle ") { line = String(line[..<handle.lowerBound]) }
    switch block {
    case .top:
      let words = line.split(separator: " ").map(String.init)
      guard words.count == 4, words[0] == "table", words[3] == "{" else {
        throw NftSyntaxError("syntax error, expected \"table <family> <name> {\", got \"\(line)\"")
      }
      guard Self.families.contains(words[1]) else {
        throw NftSyntaxError("unknown table family \"\(words[1])\"")
      }
      block = .table(NftRuleset.Table(family: words[1], name: words[2], line: number))
      openLine = number
    case .table(let table):
      try tableLine(line, number, table)
    case .chain(var table, var chain):
      // Released first, so that the chain and table are changed in place, not copied.
      block = .top
      guard line != "}" else {
        table.add(chain)
        block = .table(table)
        return
      }
      try chainLine(line, number, &chain)
      block = .chain(table, chain)
    case .set(var table, var set):
      block = .top
      if line == "}" { table.add(set) } else { try setLine(line, number, &set) }
      block = line == "}" ? .table(table) : .set(table, set)
    case .skipped(let table, let depth):
      let opens = line.filter { $0 == "{" }.count
      let closes = line.filter { $0 == "}" }.count
      let d = depth + opens - closes
      block = d <= 0 ? .table(table) : .skipped(table, depth: d)
    }
  }

  /// A line directly inside a table: a chain, set or map opening, a comment, or the end.
  mutating func tableLine(
    _ line: String, _ number: Int, _ table: NftRuleset.Table
  ) throws(NftSyntaxError) {
    if line == "}" {
      tables.append(table)
      block = .top
      return
    }
    let words = line.split(separator: " ").map(String.init)
    if words.first == "comment" || words.first == "flags" {
      block = .table(table)
      return
    }
    guard words.count >= 3, words.last == "{" else {
      throw NftSyntaxError("syntax error in table \(table.id): unexpected \"\(line)\"")
    }
    openLine = number
    switch words[0] {
    case "chain" where words.count == 3:
      guard table.chain(words[1]) == nil else {
        throw NftSyntaxError("chain \"\(words[1])\" is listed twice in table \(table.id)")
      }
      block = .chain(table, NftRuleset.Chain(name: words[1], line: number))
    case "set", "map":
      guard words.count == 3 else { throw NftSyntaxError("syntax error: \"\(line)\"") }
      block = .set(table, NftRuleset.Set(name: words[1], isMap: words[0] == "map", line: number))
    case let kind where Self.skippedObjects.contains(kind):
      block = .skipped(table, depth: 1)
    default:
      throw NftSyntaxError("syntax error in table \(table.id): unexpected \"\(words[0])\"")
    }
  }

  /// A chain's declaration (`type … hook … priority …; policy …;`), comment, or rule.
  func chainLine(
    _ line: String, _ number: Int, _ chain: inout NftRuleset.Chain
  ) throws(NftSyntaxError) {
    if line.hasPrefix("type ") {
      try Self.declare(line, &chain)
    } else if line.hasPrefix("comment \"") && line.hasSuffix("\"") {
      return
    } else if line.hasPrefix("policy ") {
      chain.policy = String(line.dropFirst(7).prefix { $0 != ";" })
    } else {
      var rule = try NftRule(parsing: line)
      rule.line = number
      chain.rules.append(rule)
    }
  }

  /// `type nat hook prerouting priority dstnat; policy accept;` (also `device "eth0"`).
  static func declare(_ line: String, _ chain: inout NftRuleset.Chain) throws(NftSyntaxError) {
    for part in line.split(separator: ";") {
      let words = part.split(separator: " ").map(String.init)
      guard let first = words.first else { continue }
      if first == "policy", words.count == 2 {
        guard words[1] == "accept" || words[1] == "drop" else {
          throw NftSyntaxError("chain \(chain.name): policy must be accept or drop")
        }
        chain.policy = words[1]
        continue
      }
      guard first == "type", words.count >= 6, words[2] == "hook",
        let p = words.firstIndex(of: "priority"), p + 1 < words.count
      else {
        throw NftSyntaxError(
          "chain \(chain.name): syntax error, expected \"type <type> hook <hook> priority <p>\"")
      }
      chain.type = words[1]
      chain.hook = words[3]
      guard let priority = priority(Array(words[(p + 1)...]), hook: words[3]) else {
        throw NftSyntaxError(
          "chain \(chain.name): unknown priority \"\(words[(p + 1)...].joined(separator: " "))\"")
      }
      chain.priority = priority
    }
    if chain.hook != nil && chain.policy == nil { chain.policy = "accept" }
  }

  /// nft's standard priority names (ip, ip6, inet: `raw` −300 … `srcnat` 100; bridge:
  /// `dstnat` −300, `filter` −200, `out` 100, `srcnat` 300), a number, or `name ± n`.
  static func priority(_ words: [String], hook: String) -> Int? {
    let names = [
      "raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50, "srcnat": 100,
      "out": 100,
    ]
    guard let first = words.first else { return nil }
    guard let base = Int(first) ?? names[first] else { return nil }
    if words.count == 1 { return base }
    guard words.count == 3, let offset = Int(words[2]) else { return nil }
    switch words[1] {
    case "+": return base + offset
    case "-": return base - offset
    default: return nil
    }
  }

  /// A set or map line: `type`, `typeof`, `flags`, `elements = { …`, and the attributes that
  /// do not change lookups (`size`, `timeout`, `comment`, …).
  mutating func setLine(
    _ line: String, _ number: Int, _ set: inout NftRuleset.Set
  ) throws(NftSyntaxError) {
    let words = line.split(separator: " ").map(String.init)
    switch words.first ?? "" {
    case "type", "typeof":
      set.type = words.dropFirst().joined(separator: " ")
    case "flags":
      set.flags = words.dropFirst().joined().split(separator: ",").map(String.init)
    case "size", "timeout", "gc-interval", "policy", "auto-merge", "counter", "comment":
      break
    case "elements":
      guard words.count >= 3, words[1] == "=", words[2] == "{" else {
        throw NftSyntaxError("set \(set.name): syntax error, expected \"elements = {\"")
      }
      pendingElements = ([], number, 0)
      try continueElements(String(line.drop { $0 != "{" }), number, &set)
    default:
      throw NftSyntaxError("set \(set.name): syntax error, unexpected \"\(words[0])\"")
    }
  }

  /// Adds one line of an `elements = { … }` list; when its braces close, parses the elements.
  mutating func continueElements(
    _ line: String, _ number: Int, _ set: inout NftRuleset.Set
  ) throws(NftSyntaxError) {
    guard var pending = pendingElements else { return }
    let lineTokens = NftTokens.split(line)
    pending.tokens += lineTokens
    pending.depth += lineTokens.filter { $0 == "{" }.count - lineTokens.filter { $0 == "}" }.count
    guard pending.depth <= 0 else {
      pendingElements = pending
      return
    }
    pendingElements = nil
    errorLine = pending.line
    var reader = NftTokenReader(pending.tokens)
    let elements = try reader.anonymousSet()
    guard reader.atEnd else { throw NftSyntaxError("set \(set.name): text after its elements") }
    set.elements = elements.map {
      var e = $0
      e.line = pending.line
      return e
    }
    if set.isMap, let bad = set.elements.first(where: { $0.value == nil }) {
      throw NftSyntaxError("map \(set.name): element \"\(bad.text)\" has no value")
    }
    errorLine = nil
  }

  mutating func finish() throws(NftSyntaxError) {
    if let pending = pendingElements {
      errorLine = pending.line
      throw NftSyntaxError("elements list is not closed")
    }
    switch block {
    case .top: return
    case .table(let t):
      errorLine = t.line
      throw NftSyntaxError("table \(t.id) is not closed")
    case .skipped(let t, _):
      errorLine = openLine
      throw NftSyntaxError("an object of table \(t.id) is not closed")
    case .chain(_, let c):
      errorLine = c.line
      throw NftSyntaxError("chain \(c.name) is not closed")
    case .set(_, let s):
      errorLine = s.line
      throw NftSyntaxError("set \(s.name) is not closed")
    }
  }
}
