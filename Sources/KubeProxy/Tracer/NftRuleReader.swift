/// Reads nft's rule grammar from tokens, one statement at a time. A statement starts with a
/// verdict or action keyword, or with a selector (`ip daddr`, `meta l4proto`, `ct state`,
/// `fib daddr type`, `numgen random mod 2`), possibly concatenated with ` . `, followed by
/// a mask, an operator and a value, `set` (mangle), or `vmap`. A word nft would not accept
/// there is an error; a statement nft accepts but the trace cannot decide is read as opaque.
struct NftTokenReader {
  let tokens: [String]
  var i = 0

  init(_ tokens: [String]) { self.tokens = tokens }

  var atEnd: Bool { i >= tokens.count }
  func peek(_ ahead: Int = 0) -> String? {
    i + ahead < tokens.count ? tokens[i + ahead] : nil
  }
  mutating func next() -> String? {
    defer { i += 1 }
    return peek()
  }
  mutating func take(_ word: String) -> Bool {
    guard peek() == word else { return false }
    i += 1
    return true
  }
  mutating func require(_ what: String) throws(NftSyntaxError) -> String {
    guard let t = next() else { throw NftSyntaxError("syntax error, \(what) expected at the end") }
    return t
  }

  static let verdicts: Set<String> = ["accept", "drop", "continue", "return", "jump", "goto"]
  static let operators: Set<String> = ["==", "!=", "<", ">", "<=", ">=", "eq", "ne", "lt", "gt"]
  static let bitwise: Set<String> = ["&", "|", "^", "<<", ">>", "and", "or", "xor"]
  static let headers: Set<String> = [
    "ip", "ip6", "th", "tcp", "udp", "udplite", "sctp", "dccp", "icmp", "icmpv6", "igmp",
    "ether", "vlan", "arp", "esp", "ah", "comp", "rt", "socket", "ipsec", "exthdr", "frag",
    "hbh", "mh", "srh", "rt0", "rt2", "dst", "osf", "tunnel", "cgroupv2", "dccp", "sctp",
  ]
  /// `log` options, each followed by its value.
  static let logOptions: Set<String> = [
    "prefix", "level", "flags", "group", "snaplen", "queue-threshold",
  ]
  /// meta keys nft prints without `meta` in front.
  static let bareMeta: Set<String> = [
    "iifname", "oifname", "iif", "oif", "mark", "iiftype", "oiftype", "skuid", "skgid",
    "nftrace", "rtclassid", "ibrname", "obrname", "pkttype", "cpu", "iifgroup", "oifgroup",
    "cgroup", "ibriport", "obriport", "ipsec", "sdif", "sdifname",
  ]

  // MARK: - Statements

  mutating func statement() throws(NftSyntaxError) -> NftStatement {
    guard let word = peek() else { throw NftSyntaxError("syntax error, empty statement") }
    if word.filter({ $0 == "\"" }).count % 2 != 0 {
      throw NftSyntaxError("syntax error, unterminated string \(word)")
    }
    if Self.verdicts.contains(word) || word == "reject" { return .verdict(try verdict()) }
    switch word {
    case "counter":
      i += 1
      guard take("packets") else { return .counter(nil, nil) }
      let p = UInt64(try require("a packet count"))
      guard take("bytes"), let p, let b = UInt64(try require("a byte count")) else {
        throw NftSyntaxError("syntax error, expected \"counter packets N bytes M\"")
      }
      return .counter(p, b)
    case "comment":
      i += 1
      let c = try require("a comment string")
      guard c.hasPrefix("\""), c.hasSuffix("\""), c.count >= 2 else {
        throw NftSyntaxError("syntax error, comment must be a quoted string, got \(c)")
      }
      return .comment(String(c.dropFirst().dropLast()))
    case "dnat", "snat": return try nat()
    case "masquerade", "redirect":
      i += 1
      var to: String? = nil
      while let w = peek(), ["to", "random", "fully-random", "persistent"].contains(w) {
        i += 1
        if w == "to" { to = try require("a port") }
      }
      return .nat(word, to)
    case "log":
      i += 1
      while let w = peek(), Self.logOptions.contains(w) { i += 2 }
      return .action("log")
    case "limit", "quota":
      return .action(restUntilStatement())
    case "notrack", "flow":
      return .action(restUntilStatement())
    case "update", "add", "delete":
      i += 1
      let set = try require("a set")
      guard set.hasPrefix("@"), peek() == "{" else {
        throw NftSyntaxError("syntax error, expected \"\(word) @set { … }\"")
      }
      let body = try braced()
      return .update(String(set.dropFirst()), body.joined(separator: " "))
    case "xt":
      i += 1
      let kind = try require("match or target")
      let name = try require("a name")
      // A comment iptables-nft could not store as nft's own always matches.
      if kind == "match" && (name == "comment" || name == "\"comment\"") {
        return .action("xt match comment")
      }
      return kind == "match" ? .opaque("xt match \(name)") : .opaqueTarget("xt \(kind) \(name)")
    case "queue", "tproxy", "dup", "fwd", "synproxy":
      return .opaqueTarget(restUntilStatement())
    default:
      return try expression()
    }
  }

  /// `accept`, `drop`, `reject [with …]`, `return`, `continue`, `jump c`, `goto c`.
  mutating func verdict() throws(NftSyntaxError) -> NftVerdict {
    let word = try require("a verdict")
    switch word {
    case "jump", "goto":
      let target = try require("a chain name after \(word)")
      guard !target.hasPrefix("@"), target != "{", target != "}" else {
        throw NftSyntaxError("syntax error, \(word) needs a chain name, got \(target)")
      }
      return word == "jump" ? .jump(target) : .goto(target)
    case "reject":
      if take("with") {
        _ = try require("icmp, icmpv6, icmpx or tcp")
        _ = take("type")
        _ = try require("a reject type")
      }
      return .reject
    default:
      guard let v = NftVerdict(words: [word]) else {
        throw NftSyntaxError("syntax error, unexpected \(word)")
      }
      return v
    }
  }

  /// `dnat [ip|ip6] to 10.0.0.1:80 [fully-random]`; a mapped address is opaque.
  mutating func nat() throws(NftSyntaxError) -> NftStatement {
    let kind = try require("dnat or snat")
    if peek() == "ip" || peek() == "ip6" { i += 1 }
    guard take("to") else { throw NftSyntaxError("syntax error, \(kind) needs \"to <address>\"") }
    let to = try require("an address after \(kind) to")
    if isSelectorStart(to) {
      i -= 1
      return .opaqueTarget("\(kind) to " + restUntilStatement())
    }
    while let w = peek(), ["random", "fully-random", "persistent"].contains(w) { i += 1 }
    return .nat(kind, to)
  }

  /// The words up to the next verdict, counter or comment (for statements only shown).
  mutating func restUntilStatement() -> String {
    var words: [String] = []
    while let w = peek() {
      if !words.isEmpty && (Self.verdicts.contains(w) || w == "counter" || w == "comment") {
        break
      }
      words.append(w)
      i += 1
    }
    return words.joined(separator: " ")
  }

  // MARK: - Expressions

  func isSelectorStart(_ word: String) -> Bool {
    Self.headers.contains(word) || Self.bareMeta.contains(word)
      || ["meta", "ct", "fib", "numgen", "jhash", "symhash"].contains(word)
  }

  /// A selector, concatenations, then what is done with it.
  mutating func expression() throws(NftSyntaxError) -> NftStatement {
    guard let first = peek(), isSelectorStart(first) else {
      throw NftSyntaxError("syntax error, unexpected \(peek() ?? "end of rule")")
    }
    var selectors = [try selector()]
    while take(".") { selectors.append(try selector()) }
    let name = selectors.joined(separator: " . ")
    if take("set") {
      let value = try setValue()
      if selectors == ["meta mark"] { return .setMark(value) }
      return .mangle("\(name) set " + value.joined(separator: " "))
    }
    var maskOp: String? = nil
    var mask: String? = nil
    if let w = peek(), Self.bitwise.contains(w) {
      i += 1
      maskOp = w
      mask = try require("a mask after \(w)")
    }
    if take("vmap") {
      return .vmap(selectors, try mapValue("vmap"))
    }
    if take("map") {
      let m = try mapValue("map")
      _ = m
      return .opaque("\(name) map …")
    }
    var op = "=="
    if let w = peek(), Self.operators.contains(w) {
      i += 1
      op = ["eq": "==", "ne": "!=", "lt": "<", "gt": ">"][w] ?? w
    }
    let value = try matchValue(name)
    return .match(
      NftMatch(selectors: selectors, maskOp: maskOp, mask: mask, op: op, value: value))
  }

  /// `@map` or `{ … }` after `vmap`/`map`.
  mutating func mapValue(_ kind: String) throws(NftSyntaxError) -> NftValue {
    guard let w = peek() else { throw NftSyntaxError("syntax error, \(kind) needs a map") }
    if w.hasPrefix("@"), w.count > 1 {
      i += 1
      return .set(String(w.dropFirst()))
    }
    guard w == "{" else { throw NftSyntaxError("syntax error, \(kind) needs a map, got \(w)") }
    let elements = try anonymousSet()
    if let bad = elements.first(where: { $0.value == nil }) {
      throw NftSyntaxError("syntax error, \(kind) element \"\(bad.text)\" has no value")
    }
    return .anonymous(elements)
  }

  /// The value compared: `@set`, `{ … }`, or literals joined by ` . ` (with `/ mask` flags).
  mutating func matchValue(_ selector: String) throws(NftSyntaxError) -> NftValue {
    guard let w = peek(), !Self.verdicts.contains(w), w != "counter", w != "comment", w != "}"
    else {
      throw NftSyntaxError("syntax error, \(selector) needs a value")
    }
    if w.hasPrefix("@") {
      i += 1
      return .set(String(w.dropFirst()))
    }
    if w == "{" { return .anonymous(try anonymousSet()) }
    var parts = [try literal()]
    while take(".") { parts.append(try literal()) }
    return .literal(parts)
  }

  mutating func literal() throws(NftSyntaxError) -> String {
    var v = try require("a value")
    if take("/") { v += " / " + (try require("a mask")) }
    return v
  }

  /// After `set`: a literal, or a selector with an optional bitwise operation.
  mutating func setValue() throws(NftSyntaxError) -> [String] {
    guard let w = peek() else { throw NftSyntaxError("syntax error, set needs a value") }
    guard isSelectorStart(w) else { return [try require("a value")] }
    var out = [try selector()]
    if let op = peek(), Self.bitwise.contains(op) {
      i += 1
      out += [op, try require("an operand after \(op)")]
    }
    return out
  }

  /// One field: `ip daddr`, `meta l4proto`, `iifname`, `ct original ip saddr`, `fib saddr .
  /// iif oif`, `numgen random mod 2 offset 1`.
  mutating func selector() throws(NftSyntaxError) -> String {
    let head = try require("a selector")
    switch head {
    case "meta":
      return "meta " + (try require("a meta key"))
    case let h where Self.bareMeta.contains(h):
      return "meta \(h)"
    case "ct":
      var words = ["ct"]
      if let d = peek(), d == "original" || d == "reply" {
        words.append(d)
        i += 1
        if let f = peek(), f == "ip" || f == "ip6" {
          words.append(f)
          i += 1
        }
      }
      words.append(try require("a ct key"))
      return words.joined(separator: " ")
    case "fib":
      var words = ["fib", try require("a fib input")]
      while take(".") { words += [".", try require("a fib input")] }
      let result = try require("type, oif or oifname after fib")
      guard ["type", "oif", "oifname"].contains(result) else {
        throw NftSyntaxError("syntax error, fib result must be type, oif or oifname: \(result)")
      }
      return (words + [result]).joined(separator: " ")
    case "numgen", "jhash", "symhash":
      var words = [head]
      while let w = peek(), !["mod", "vmap", "map"].contains(w) {
        words.append(w)
        i += 1
      }
      if take("mod") { words += ["mod", try require("a modulus")] }
      if take("offset") { words += ["offset", try require("an offset")] }
      return words.joined(separator: " ")
    default:
      guard let field = peek(), field.first?.isLetter == true, !Self.verdicts.contains(field)
      else {
        throw NftSyntaxError("syntax error, \(head) needs a field")
      }
      i += 1
      return "\(head) \(field)"
    }
  }

  // MARK: - Sets

  /// `{ e, e, … }` as elements (keys split on ` . `, map values after ` : `).
  mutating func anonymousSet() throws(NftSyntaxError) -> [NftElement] {
    let body = try braced()
    var elements: [NftElement] = []
    var current: [String] = []
    var depth = 0
    for t in body + [","] {
      if t == "{" { depth += 1 }
      if t == "}" { depth -= 1 }
      if t == "," && depth == 0 {
        if !current.isEmpty { elements.append(try Self.element(current)) }
        current = []
      } else {
        current.append(t)
      }
    }
    return elements
  }

  /// The tokens between a `{` and its `}`, which are consumed.
  mutating func braced() throws(NftSyntaxError) -> [String] {
    guard take("{") else { throw NftSyntaxError("syntax error, \"{\" expected") }
    var depth = 1
    var body: [String] = []
    while let t = next() {
      if t == "{" { depth += 1 }
      if t == "}" {
        depth -= 1
        if depth == 0 { return body }
      }
      body.append(t)
    }
    throw NftSyntaxError("syntax error, unbalanced braces: \"}\" expected")
  }

  /// One element: `key [timeout t] [expires t] [counter …] [comment "…"] [: value]`.
  static func element(_ tokens: [String]) throws(NftSyntaxError) -> NftElement {
    var key: [String] = []
    var value: [String]? = nil
    var comment: String? = nil
    var j = 0
    while j < tokens.count {
      let t = tokens[j]
      if value != nil {
        value?.append(t)
      } else if t == ":" {
        value = []
      } else if t == "comment", j + 1 < tokens.count {
        comment = String(tokens[j + 1].dropFirst().dropLast())
        j += 1
      } else if ["timeout", "expires"].contains(t) {
        j += 1
      } else if t == "counter" {
        j += 4
      } else {
        key.append(t)
      }
      j += 1
    }
    guard !key.isEmpty else { throw NftSyntaxError("syntax error, an element has no key") }
    if let v = value, v.isEmpty {
      throw NftSyntaxError("syntax error, element \(key.joined(separator: " ")) has no value")
    }
    let parts = key.split(separator: ".").map { $0.joined(separator: " ") }
    let text = key.joined(separator: " ") + (value.map { " : " + $0.joined(separator: " ") } ?? "")
    return NftElement(
      key: parts, value: value?.joined(separator: " "), comment: comment, text: text)
  }
}
