import LuaKit

/// Deep comparison for `assertEqual`: finds the first path where two values differ.
enum DeepCompare {
  /// Where and how two values differ.
  struct Difference: CustomStringConvertible {
    var path: String
    var actual: LuaValue
    var expected: LuaValue

    var description: String {
      let printer = PrettyPrinter()
      let place = path.isEmpty ? "values differ" : "values differ at \(path)"
      return "\(place)\n  expected: \(printer.render(expected, topLevel: false))"
        + "\n  actual:   \(printer.render(actual, topLevel: false))"
    }
  }

  /// The first difference between `actual` and `expected` (keys in sorted order), or
  /// nil when they are equal. Numbers compare as Lua's `==` does.
  static func firstDifference(
    _ actual: LuaValue, _ expected: LuaValue, path: String = ""
  )
    -> Difference?
  {
    switch (actual, expected) {
    case (.table(let a), .table(let e)):
      for key in keys(a, e) {
        if let d = firstDifference(a[key], e[key], path: path + step(key)) { return d }
      }
      return nil
    case (.integer, .number), (.number, .integer), (.number, .number):
      return number(actual) == number(expected)
        ? nil : Difference(path: path, actual: actual, expected: expected)
    default:
      return actual == expected ? nil : Difference(path: path, actual: actual, expected: expected)
    }
  }

  private static func number(_ v: LuaValue) -> Double? {
    switch v {
    case .integer(let i): return Double(i)
    case .number(let d): return d
    default: return nil
    }
  }

  /// Every key of either table: the sequence first, then the other keys in text order.
  private static func keys(_ a: LuaTable, _ e: LuaTable) -> [LuaValue] {
    let count = max(a.array.count, e.array.count)
    let sequence = (0..<count).map { LuaValue.integer(Int64($0 + 1)) }
    let printer = PrettyPrinter()
    let others = Set(a.map.keys).union(e.map.keys).subtracting(sequence)
      .sorted { printer.render($0, topLevel: false) < printer.render($1, topLevel: false) }
    return sequence + others
  }

  /// `.name` for identifier keys, `[k]` otherwise.
  private static func step(_ key: LuaValue) -> String {
    if case .string(let s) = key, let first = s.first, first == "_" || first.isLetter,
      s.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
    {
      return "." + s
    }
    return "[\(PrettyPrinter().render(key, topLevel: false))]"
  }
}
