import LuaKit

/// The calls that built the current lab, each with the random generator's state before it:
/// replaying them on a new lab gives the same objects, names, addresses, settings and clock.
struct Journal {
  struct Entry {
    var function: String
    var arguments: [LuaValue]
    var randomState: UInt64
  }

  private(set) var entries: [Entry] = [
    Entry(function: "reset", arguments: [], randomState: 0)
  ]

  /// Records a successful call; a `reset` starts the journal over.
  mutating func record(_ function: String, _ arguments: [LuaValue], randomState: UInt64) {
    // `importCluster` replaces the lab as `reset` does (it is kept by its paths: the dump
    // files must still be there when the lab file is loaded).
    if function == "reset" || function == "importCluster" { entries.removeAll() }
    entries.append(Entry(function: function, arguments: arguments, randomState: randomState))
  }
}

/// Lua values written as Lua source (the format of lab files): keys sorted, strings quoted
/// with escapes, integers and floats kept apart.
enum LuaSource {
  static func write(_ v: LuaValue, indent: String = "") -> String {
    switch v {
    case .nil: return "nil"
    case .boolean(let b): return b ? "true" : "false"
    case .integer(let n): return n == Int64.min ? "math.mininteger" : String(n)
    case .number(let d):
      if d.isNaN { return "(0/0)" }
      if d.isInfinite { return d > 0 ? "math.huge" : "-math.huge" }
      return d == d.rounded() && abs(d) < 1e15 ? "\(Int64(d)).0" : "\(d)"
    case .string(let s): return quote(Array(s.utf8))
    case .bytes(let b): return quote(b)
    case .table(let t): return table(t, indent: indent)
    case .function, .opaque: return "nil"
    }
  }

  private static func table(_ t: LuaTable, indent: String) -> String {
    if t.isEmpty { return "{}" }
    let inner = indent + "  "
    var items = t.array.map { inner + write($0, indent: inner) }
    let keyed = t.map.map { (key: write($0.key), value: $0.value) }.sorted { $0.key < $1.key }
    for (k, value) in keyed {
      let name = keyName(k)
      items.append("\(inner)\(name) = \(write(value, indent: inner))")
    }
    return "{\n" + items.joined(separator: ",\n") + ",\n\(indent)}"
  }

  /// `name` for identifier-like string keys, `[key]` otherwise.
  private static func keyName(_ source: String) -> String {
    let keywords: Set<String> = [
      "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
      "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    ]
    if source.hasPrefix("\""), source.hasSuffix("\""), source.count >= 3 {
      let body = source.dropFirst().dropLast()
      let isIdent =
        body.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
        && body.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
      if isIdent && !keywords.contains(String(body)) { return String(body) }
    }
    return "[\(source)]"
  }

  private static func quote(_ bytes: [UInt8]) -> String {
    var out = "\""
    for b in bytes {
      switch b {
      case UInt8(ascii: "\""): out += "\\\""
      case UInt8(ascii: "\\"): out += "\\\\"
      case UInt8(ascii: "\n"): out += "\\n"
      case 0x20...0x7e: out.unicodeScalars.append(Unicode.Scalar(b))
      default: out += "\\" + String(format3(b))
      }
    }
    return out + "\""
  }

  /// A byte as Lua's three-digit decimal escape.
  private static func format3(_ b: UInt8) -> String {
    let s = String(b)
    return String(repeating: "0", count: 3 - s.count) + s
  }
}
