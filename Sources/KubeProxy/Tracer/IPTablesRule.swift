/// A parameter value of a rule, possibly negated with `!`.
public struct IPTablesValue: Hashable, Sendable {
  public var negated: Bool
  public var value: String

  /// Whether `other` equals (or, negated, differs from) the value.
  public func matches(_ other: String) -> Bool { negated ? value != other : value == other }
}

/// One `-A` rule, split into the parameters kube-proxy's rules use (the fields of kube-proxy's
/// test `Rule`); `-m <module>` words are skipped since parameter names are unique enough.
public struct IPTablesRule: Hashable, Sendable {
  public var raw: String
  public var chain: String = ""
  public var comment: IPTablesValue?
  public var proto: IPTablesValue?
  public var source: IPTablesValue?
  public var sourceType: IPTablesValue?
  public var sourcePort: IPTablesValue?
  public var destination: IPTablesValue?
  public var destinationType: IPTablesValue?
  public var destinationPort: IPTablesValue?
  public var matchSet: IPTablesValue?
  public var jump: IPTablesValue?
  public var randomFully: Bool?
  public var probability: IPTablesValue?
  public var dnatDestination: IPTablesValue?
  public var affinityCheck: Bool?
  public var markCheck: IPTablesValue?
  public var ctStateCheck: IPTablesValue?
  public var affinityName: IPTablesValue?
  public var affinitySeconds: IPTablesValue?
  public var affinitySet: Bool?
  public var affinityReap: Bool?
  public var statisticMode: IPTablesValue?
  /// The line of the dump the rule is on (0 when parsed alone).
  public var line = 0
  /// The rule's counters, when the dump has them (`iptables-save -c`).
  public var packets: UInt64?
  public var bytes: UInt64?
  /// Every match option in order, with the module that provides it (`parseMatches`).
  public var matches: [IPTablesMatch] = []
  /// `-j TARGET` or `-g CHAIN` with the target's own options (`parseMatches`).
  public var target: IPTablesTarget?

  /// Flags without an argument.
  private static let flags: Set<String> = ["--random-fully", "--rcheck", "--set", "--reap"]

  /// Parses one `-A CHAIN …` line; unknown parameters are skipped.
  public init(parsing line: String) throws(IPTablesDumpError) {
    raw = line
    let words = Self.words(line)
    guard words.count >= 3, words[0] == "-A" else { throw .badLine(line) }
    chain = words[1]
    var negated = false
    var i = 2
    while i < words.count {
      let word = words[i]
      if word == "-m" && i + 1 < words.count {
        i += 2
        continue
      }
      if word == "!" {
        negated = true
        i += 1
        continue
      }
      if Self.flags.contains(word) {
        setFlag(word, !negated)
        i += 1
      } else if i + 1 < words.count,
        setValue(word, IPTablesValue(negated: negated, value: words[i + 1]))
      {
        i += 2
      } else {
        i += 1
      }
      negated = false
    }
  }

  /// Stores a flag parameter.
  private mutating func setFlag(_ name: String, _ value: Bool) {
    switch name {
    case "--random-fully": randomFully = value
    case "--rcheck": affinityCheck = value
    case "--set": affinitySet = value
    default: affinityReap = value
    }
  }

  /// Stores a valued parameter; false when `name` is not one the rules use.
  private mutating func setValue(_ name: String, _ value: IPTablesValue) -> Bool {
    switch name {
    case "--comment": comment = value
    case "-p": proto = value
    case "-s": source = value
    case "--src-type": sourceType = value
    case "--sport": sourcePort = value
    case "-d": destination = value
    case "--dst-type": destinationType = value
    case "--dport": destinationPort = value
    case "--match-set": matchSet = value
    case "-j": jump = value
    case "--probability": probability = value
    case "--to-destination": dnatDestination = value
    case "--mark": markCheck = value
    case "--ctstate": ctStateCheck = value
    case "--name": affinityName = value
    case "--seconds": affinitySeconds = value
    case "--mode": statisticMode = value
    default: return false
    }
    return true
  }

  /// Splits a rule into words, a double-quoted string being one word (quotes removed).
  static func words(_ line: String) -> [String] {
    // Read as bytes: the separators are ASCII, and a dump's rules are hundreds of thousands
    // of lines (reading Characters cost ten times as much).
    let bytes = line.utf8
    let space = UInt8(ascii: " ")
    let tab = UInt8(ascii: "\t")
    let quote = UInt8(ascii: "\"")
    var words: [String] = []
    var index = bytes.startIndex
    while index < bytes.endIndex {
      let byte = bytes[index]
      if byte == space || byte == tab {
        index = bytes.index(after: index)
        continue
      }
      if byte == quote {
        let start = bytes.index(after: index)
        let end = bytes[start...].firstIndex(of: quote) ?? bytes.endIndex
        words.append(String(decoding: bytes[start..<end], as: UTF8.self))
        index = end < bytes.endIndex ? bytes.index(after: end) : end
      } else {
        let end = bytes[index...].firstIndex { $0 == space || $0 == tab } ?? bytes.endIndex
        words.append(String(decoding: bytes[index..<end], as: UTF8.self))
        index = end
      }
    }
    return words
  }
}
