/// One rule of an nft listing, read into its statements in order: matches (`ip daddr
/// 10.96.0.10`, `ct state new`, `meta mark & 0x4000 == 0`), lookups in sets and verdict maps,
/// actions (`counter`, `meta mark set …`, `dnat to …`, `masquerade`) and the verdict.
public struct NftRule: Hashable, Sendable {
  /// The rule as listed, spaces collapsed.
  public var text: String
  /// The rule without its `counter packets N bytes M` (shown apart in a trace, and no part
  /// of what the rule does).
  public var uncounted: String
  public var statements: [NftStatement]
  /// The listing line (0 when the rule was not read from a listing).
  public var line = 0
  /// `counter packets N bytes M`, when the rule has a counter.
  public var packets: UInt64?
  public var bytes: UInt64?
  public var comment: String?

  public init(parsing text: String) throws(NftSyntaxError) {
    guard text.filter({ $0 == "\"" }).count % 2 == 0 else {
      throw NftSyntaxError("syntax error, unterminated string")
    }
    let tokens = NftTokens.split(text)
    self.text = NftTokens.words(text).joined(separator: " ")
    var reader = NftTokenReader(tokens)
    var out: [NftStatement] = []
    while !reader.atEnd {
      let statement = try reader.statement()
      switch statement {
      case .counter(let p, let b):
        packets = p
        bytes = b
      case .comment(let c): comment = c
      default: break
      }
      out.append(statement)
    }
    statements = out
    uncounted = Self.withoutCounter(self.text, hasCounts: packets != nil)
  }

  /// `text` with its `counter` statement (and the counts after it) left out.
  static func withoutCounter(_ text: String, hasCounts: Bool) -> String {
    var words: [String] = []
    var skip = 0
    for w in text.split(separator: " ").map(String.init) {
      if skip > 0 {
        skip -= 1
      } else if w == "counter" {
        skip = hasCounts ? 4 : 0
      } else {
        words.append(w)
      }
    }
    return words.isEmpty ? "counter" : words.joined(separator: " ")
  }

  /// Chains this rule may jump or go to (its verdicts and anonymous verdict maps).
  public var chainTargets: [String] {
    statements.flatMap { s -> [String] in
      switch s {
      case .verdict(let v): return v.chainTarget.map { [$0] } ?? []
      case .vmap(_, .anonymous(let elements)):
        return elements.compactMap { $0.verdict?.chainTarget }
      default: return []
      }
    }
  }

  /// The named sets and maps this rule reads or updates.
  public var setReferences: [String] {
    statements.compactMap { s -> String? in
      switch s {
      case .match(let m): if case .set(let name) = m.value { return name }
      case .vmap(_, .set(let name)): return name
      case .update(let name, _): return name
      default: break
      }
      return nil
    }
  }
}

/// What a rule does, statement by statement.
public enum NftStatement: Hashable, Sendable {
  /// `selector [& mask] [op] value`: every selector of a concatenation, compared at once.
  case match(NftMatch)
  /// `selector vmap @map` or `vmap { key : verdict, … }` (also `numgen random mod N vmap`).
  case vmap([String], NftValue)
  case verdict(NftVerdict)
  /// `dnat to …`, `snat to …`, `masquerade`, `redirect to :port`: the address given, if any.
  case nat(String, String?)
  /// `meta mark set <expression>` (the expression's words).
  case setMark([String])
  /// Another header or conntrack field set (`ct mark set …`): changes nothing the trace reads.
  case mangle(String)
  case counter(UInt64?, UInt64?)
  case comment(String)
  /// `update @set { ip saddr }` and friends: remembers the packet for later ones.
  case update(String, String)
  /// `log`, `limit`, `notrack`…: no effect on where the packet goes.
  case action(String)
  /// A match the listing alone cannot decide (`xt match "recent"`, a data map): its text.
  case opaque(String)
  /// A target the trace cannot follow (`xt target "…"`, `queue`, `tproxy`): its text.
  case opaqueTarget(String)
}

/// One comparison: `ip daddr != 10.0.0.0/8`, `meta mark & 0x4000 == 0x0`, `ip daddr @set`.
public struct NftMatch: Hashable, Sendable {
  /// `["ip daddr", "meta l4proto", "th dport"]` for a concatenation.
  public var selectors: [String]
  /// A bitwise operation applied first (`&`, `|`, `^`) and its operand.
  public var maskOp: String?
  public var mask: String?
  /// `==`, `!=`, `<`, `>`, `<=`, `>=`.
  public var op = "=="
  public var value: NftValue
}

/// The right side of a match or a map lookup.
public enum NftValue: Hashable, Sendable {
  /// One value per selector of the concatenation (`10.96.0.10`, `tcp`, `53`).
  case literal([String])
  /// A named set or map (`@cluster-ips`).
  case set(String)
  /// An anonymous set or verdict map written in the rule (`{ 0 : goto a, 1 : goto b }`).
  case anonymous([NftElement])
}

/// An element of a set or map: its key (one part per concatenated field), and for maps the
/// value (`goto service-…`, `drop`).
public struct NftElement: Hashable, Sendable {
  public var key: [String]
  public var value: String?
  public var comment: String?
  /// The element as listed (`10.96.0.10 . tcp . 53 : goto service-…`), without its comment
  /// and timers.
  public var text: String
  public var line = 0

  /// The element's value read as a verdict (verdict maps).
  public var verdict: NftVerdict? {
    value.flatMap { NftVerdict(words: $0.split(separator: " ").map(String.init)) }
  }
}

/// Where a rule sends the packet.
public enum NftVerdict: Hashable, Sendable {
  case accept, drop, reject, `return`, `continue`
  case jump(String)
  case goto(String)

  init?(words: [String]) {
    switch (words.first ?? "", words.count) {
    case ("accept", 1): self = .accept
    case ("drop", 1): self = .drop
    case ("reject", _): self = .reject
    case ("return", 1): self = .return
    case ("continue", 1): self = .continue
    case ("jump", 2): self = .jump(words[1])
    case ("goto", 2): self = .goto(words[1])
    default: return nil
    }
  }

  public var chainTarget: String? {
    switch self {
    case .jump(let c), .goto(let c): return c
    default: return nil
    }
  }
}

/// Splits rule text into nft's words: quoted strings whole, braces and separating commas as
/// their own tokens.
enum NftTokens {
  static func split(_ text: String) -> [String] {
    var tokens: [String] = []
    for word in words(text) {
      var w = Substring(word)
      var trailing: [String] = []
      while let last = w.last, last == "," || last == "}" || last == ";" {
        trailing.insert(String(last), at: 0)
        w = w.dropLast()
      }
      while let first = w.first, first == "{" {
        tokens.append("{")
        w = w.dropFirst()
      }
      if !w.isEmpty { tokens.append(String(w)) }
      tokens += trailing
    }
    return tokens
  }

  /// The words of `text` split at spaces and tabs outside quoted strings.
  static func words(_ text: String) -> [String] {
    var out: [String] = []
    var word = ""
    var quoted = false
    for ch in text {
      if ch == "\"" { quoted.toggle() }
      if !quoted && (ch == " " || ch == "\t") {
        if !word.isEmpty { out.append(word) }
        word = ""
      } else {
        word.append(ch)
      }
    }
    if !word.isEmpty { out.append(word) }
    return out
  }
}
