/// One match option of a rule: `-m conntrack --ctstate NEW` is module `conntrack`, option
/// `--ctstate`, values `["NEW"]`; `! -s 10.0.0.0/8` is negated.
public struct IPTablesMatch: Hashable, Sendable {
  /// The `-m` module the option came after ("" for the basic `-s -d -p -i -o`).
  public var module: String
  public var option: String
  public var values: [String]
  public var negated: Bool

  public init(module: String, option: String, values: [String], negated: Bool) {
    self.module = module
    self.option = option
    self.values = values
    self.negated = negated
  }

  /// The first value ("" for a flag).
  public var value: String { values.first ?? "" }

  /// The match as iptables-save writes it (`! --ctstate NEW`).
  public var text: String {
    ([negated ? "!" : nil, option] + values.map(IPTablesTarget.quoted)).compactMap { $0 }
      .joined(separator: " ")
  }
}

/// Where a rule sends a matching packet: `-j TARGET` or `-g CHAIN`, and the target's options
/// (`--to-destination`, `--set-xmark`, …) in order.
public struct IPTablesTarget: Hashable, Sendable {
  public var name: String
  /// `-g`: the chain is entered without a return to this one.
  public var isGoto: Bool
  public var options: [(String, String)]

  public init(name: String, isGoto: Bool, options: [(String, String)]) {
    self.name = name
    self.isGoto = isGoto
    self.options = options
  }

  public func option(_ name: String) -> String? { options.first { $0.0 == name }?.1 }
  public func has(_ name: String) -> Bool { options.contains { $0.0 == name } }

  public static func == (a: IPTablesTarget, b: IPTablesTarget) -> Bool {
    a.name == b.name && a.isGoto == b.isGoto && a.options.map(\.0) == b.options.map(\.0)
      && a.options.map(\.1) == b.options.map(\.1)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(name)
    hasher.combine(isGoto)
    for (k, v) in options {
      hasher.combine(k)
      hasher.combine(v)
    }
  }

  static func quoted(_ s: String) -> String { s.contains(" ") || s.isEmpty ? "\"\(s)\"" : s }
}

extension IPTablesRule {
  /// Options that take no value.
  static let valueless: Set<String> = [
    "--random-fully", "--random", "--persistent", "--rcheck", "--set", "--update", "--remove",
    "--reap",
    "--rttl", "--limit-iface-in", "--limit-iface-out", "--restore-mark", "--save-mark", "--invert",
    "--loose", "--validmark", "--accept-local", "--syn", "-f", "--fragment", "--physdev-is-in",
    "--physdev-is-out", "--physdev-is-bridged", "--notrack", "--log-uid", "--log-tcp-sequence",
    "--log-tcp-options", "--log-ip-options", "--clamp-mss-to-pmtu", "--return-nomatch",
    "--reject-with-tcp-reset", "--nflog-size",
  ]
  /// Options that take two values.
  static let twoValued: Set<String> = ["--match-set", "--tcp-flags"]

  /// Reads every match and the target in order; throws `badLine` for a rule iptables would
  /// not load (an option without its value, an unterminated quote, two targets, a `!` before
  /// nothing).
  public mutating func parseMatches() throws(IPTablesDumpError) {
    // Counted as bytes: walking the Characters of every line cost more than the parse.
    if raw.utf8.count(where: { $0 == UInt8(ascii: "\"") }) % 2 != 0 { throw .badLine(raw) }
    let words = Self.words(raw)
    var out: [IPTablesMatch] = []
    var module = ""
    var negated = false
    var target: IPTablesTarget?
    var i = 2
    func value(_ at: Int) throws(IPTablesDumpError) -> String {
      guard at < words.count else { throw .badLine(raw) }
      return words[at]
    }
    while i < words.count {
      let word = words[i]
      if word == "!" {
        if negated || i + 1 >= words.count { throw .badLine(raw) }
        negated = true
        i += 1
        continue
      }
      if word == "-m" || word == "--match" {
        module = try value(i + 1)
        i += 2
        continue
      }
      if word == "-j" || word == "--jump" || word == "-g" || word == "--goto" {
        guard target == nil else { throw .badLine(raw) }
        target = IPTablesTarget(
          name: try value(i + 1), isGoto: word.hasPrefix("-g") || word == "--goto", options: [])
        module = ""
        i += 2
        continue
      }
      guard word.hasPrefix("-") else { throw .badLine(raw) }
      var values: [String] = []
      if Self.valueless.contains(word) {
      } else if Self.twoValued.contains(word) {
        values = [try value(i + 1), try value(i + 2)]
      } else if i + 1 < words.count, !(words[i + 1].hasPrefix("-") && Int(words[i + 1]) == nil),
        words[i + 1] != "!"
      {
        values = [words[i + 1]]
      } else if i + 1 >= words.count {
        throw .badLine(raw)
      }
      if target != nil && !negated {
        target?.options.append((word, values.first ?? ""))
      } else {
        out.append(IPTablesMatch(module: module, option: word, values: values, negated: negated))
      }
      negated = false
      i += 1 + values.count
    }
    if negated { throw .badLine(raw) }
    matches = out
    self.target = target
  }
}
