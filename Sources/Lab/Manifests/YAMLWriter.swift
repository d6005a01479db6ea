/// Writes values as YAML the way `kubectl get -o yaml` does (go-yaml v2 through JSON): two-space
/// indentation, list items at their key's indentation, strings quoted only when they would
/// otherwise read as another type.
enum YAMLWriter {
  /// Several documents separated by `---`.
  static func documents(_ docs: [YAMLValue]) -> String {
    docs.map { "---\n" + document($0) }.joined()
  }

  /// One document.
  static func document(_ v: YAMLValue) -> String {
    var out = ""
    write(v, indent: 0, into: &out, inList: false)
    return out
  }

  private static func write(_ v: YAMLValue, indent: Int, into out: inout String, inList: Bool) {
    let pad = String(repeating: " ", count: indent)
    switch v {
    case .map(let m):
      for (i, (k, value)) in m.pairs.enumerated() {
        let prefix = (inList && i == 0) ? "" : pad
        switch value {
        case .map(let inner) where !inner.isEmpty:
          out += "\(prefix)\(scalar(k)):\n"
          write(value, indent: indent + 2, into: &out, inList: false)
        case .list(let items) where !items.isEmpty:
          out += "\(prefix)\(scalar(k)):\n"
          write(value, indent: indent, into: &out, inList: false)
        default:
          out += "\(prefix)\(scalar(k)): \(inline(value))\n"
        }
      }
    case .list(let items):
      for item in items {
        switch item {
        case .map(let m) where !m.isEmpty:
          out += "\(pad)- "
          write(item, indent: indent + 2, into: &out, inList: true)
        case .list(let inner) where !inner.isEmpty:
          out += "\(pad)-\n"
          write(item, indent: indent + 2, into: &out, inList: false)
        default:
          out += "\(pad)- \(inline(item))\n"
        }
      }
    default:
      out += pad + inline(v) + "\n"
    }
  }

  private static func inline(_ v: YAMLValue) -> String {
    switch v {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let n): return String(n)
    case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    case .string(let s): return scalar(s)
    case .list: return "[]"
    case .map: return "{}"
    }
  }

  /// A string, quoted when plain YAML would read it as something else.
  static func scalar(_ s: String) -> String {
    needsQuotes(s) ? "\"" + escaped(s) + "\"" : s
  }

  private static let reserved: Set<String> = [
    "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes",
    "Yes",
    "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
  ]

  private static func needsQuotes(_ s: String) -> Bool {
    if reserved.contains(s) { return true }
    if Double(s) != nil || Int(s) != nil { return true }
    if s.hasPrefix("0x") || s.hasPrefix("0o") || s.hasPrefix(".") { return true }
    guard let first = s.first, let last = s.last else { return true }
    if " -?:,[]{}#&*!|>'\"%@`".contains(first) { return true }
    if last == " " || last == ":" { return true }
    if s.contains(": ") || s.contains(" #") { return true }
    return s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
  }

  private static func escaped(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      default: out.unicodeScalars.append(u)
      }
    }
    return out
  }
}
