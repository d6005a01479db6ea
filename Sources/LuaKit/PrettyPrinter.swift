import CLua
import CLuaGlue

#if canImport(Glibc)
  import Glibc
#endif

/// Renders Lua values as readable text: tables with sorted keys and nesting, cycles
/// marked, long lists abbreviated, `__tostring` honoured. The REPL prints results
/// with it; strings at the top level are shown as they are, inside tables quoted.
public struct PrettyPrinter: Sendable {
  /// Elements of one table shown before the rest is summarised.
  public var maxItems = 40
  /// Nesting shown before inner tables become `{...}`.
  public var maxDepth = 6
  /// Width under which a table stays on one line.
  public var lineWidth = 78

  /// Creates a printer with default limits.
  public init() {}

  /// A value reduced to what the renderer needs.
  indirect enum Node {
    case atom(String)
    case table([(key: Key, value: Node)], more: Int)
  }

  /// A table key: the position it sorts by and how it is written.
  struct Key {
    var rank: Int  // 0 sequence, 1 number, 2 string, 3 other
    var number: Double
    var text: String
  }

  /// Renders a converted value (`topLevel`: strings unquoted).
  public func render(_ value: LuaValue, topLevel: Bool = true) -> String {
    if topLevel, let text = value.stringValue { return text }
    return layout(node(value, depth: 0), indent: 0)
  }

  /// Renders the value at `index` of a stack.
  func render(stack: LuaStack, index: Int, topLevel: Bool) -> String {
    if topLevel, stack.type(at: index) == .string { return stack.string(at: index) ?? "" }
    var path: Set<UnsafeRawPointer> = []
    return layout(node(stack, stack.absolute(index), 0, &path), indent: 0)
  }

  // MARK: - Building nodes

  private func node(_ value: LuaValue, depth: Int) -> Node {
    switch value {
    case .table(let table):
      if depth >= maxDepth { return .atom("{...}") }
      var entries: [(Key, Node)] = []
      for (i, v) in table.array.enumerated() {
        entries.append((Key(rank: 0, number: Double(i + 1), text: ""), node(v, depth: depth + 1)))
      }
      for (k, v) in table.map {
        entries.append((key(for: k), node(v, depth: depth + 1)))
      }
      return sortedTable(entries)
    case .opaque(let ref) where ref.type == .table: return .atom("<cycle>")
    default: return .atom(scalar(value))
    }
  }

  private func node(
    _ stack: LuaStack, _ index: Int, _ depth: Int, _ path: inout Set<UnsafeRawPointer>
  )
    -> Node
  {
    let L = stack.L
    guard stack.type(at: index) == .table else {
      if stack.type(at: index) == .string { return .atom(quote(stack.stringValue(at: index))) }
      return .atom(tostring(stack, index))
    }
    if luaL_getmetafield(L, Int32(index), "__tostring") != LUA_TNIL {
      stack.pop()
      return .atom(tostring(stack, index))
    }
    guard let identity = lua_topointer(L, Int32(index)) else { return .atom("table") }
    if path.contains(identity) { return .atom("<cycle>") }
    if depth >= maxDepth || lua_checkstack(L, 4) == 0 { return .atom("{...}") }
    path.insert(identity)
    defer { path.remove(identity) }
    let length = Int(lua_rawlen(L, Int32(index)))
    var entries: [(Key, Node)] = []
    lua_pushnil(L)
    while lua_next(L, Int32(index)) != 0 {
      let top = stack.top
      var key = stackKey(stack, top - 1)
      if key.rank == 1, key.number >= 1, key.number <= Double(length),
        key.number.rounded() == key.number
      {
        key.rank = 0
      }
      entries.append((key, node(stack, top, depth + 1, &path)))
      stack.pop()
    }
    return sortedTable(entries)
  }

  private func sortedTable(_ entries: [(Key, Node)]) -> Node {
    let sorted = entries.sorted { a, b in
      if a.0.rank != b.0.rank { return a.0.rank < b.0.rank }
      if a.0.rank <= 1 { return a.0.number < b.0.number }
      return a.0.text < b.0.text
    }
    let shown = sorted.prefix(maxItems).map { (key: $0.0, value: $0.1) }
    return .table(Array(shown), more: sorted.count - shown.count)
  }

  private func key(for value: LuaValue) -> Key {
    switch value {
    case .integer(let i): return Key(rank: 1, number: Double(i), text: "[\(i)]")
    case .number(let d): return Key(rank: 1, number: d, text: "[\(formatNumber(d))]")
    case .string(let s) where isIdentifier(s): return Key(rank: 2, number: 0, text: s)
    case .string, .bytes: return Key(rank: 2, number: 0, text: "[\(scalar(value))]")
    default: return Key(rank: 3, number: 0, text: "[\(scalar(value))]")
    }
  }

  private func stackKey(_ stack: LuaStack, _ index: Int) -> Key {
    switch stack.type(at: index) {
    case .number, .string: return key(for: stack.value(at: index))
    default: return Key(rank: 3, number: 0, text: "[\(tostring(stack, index))]")
    }
  }

  // MARK: - Scalars

  /// `tostring` of the value at `index`, run protected (it may call `__tostring`).
  private func tostring(_ stack: LuaStack, _ index: Int) -> String {
    guard lua_checkstack(stack.L, 3) != 0 else { return "?" }
    let status = svl_ptolstring(stack.L, Int32(index))
    defer { stack.pop() }
    let text = stack.string(at: -1) ?? "?"
    return status == LUA_OK ? text : "<__tostring failed: \(text)>"
  }

  private func scalar(_ value: LuaValue) -> String {
    switch value {
    case .nil: return "nil"
    case .boolean(let b): return b ? "true" : "false"
    case .integer(let i): return String(i)
    case .number(let d): return formatNumber(d)
    case .string, .bytes: return quote(value)
    case .function: return "<function>"
    case .table: return "<table>"
    case .opaque(let ref): return "<\(ref.type.name)>"
    }
  }

  /// Formats a float as Lua's `%.14g` does, keeping a `.0` on integral values.
  func formatNumber(_ d: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = withVaList([d]) { vsnprintf(&buffer, buffer.count, "%.14g", $0) }
    let text = String(
      decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let looksIntegral = text.allSatisfy { $0 == "-" || $0.isNumber }
    return looksIntegral ? text + ".0" : text
  }

  private func quote(_ value: LuaValue) -> String {
    let text = value.stringValue ?? ""
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      case "\0": out += "\\0"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  private func isIdentifier(_ s: String) -> Bool {
    guard let first = s.unicodeScalars.first, first == "_" || first.properties.isAlphabetic,
      first.isASCII
    else { return false }
    return s.unicodeScalars.allSatisfy {
      $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
    }
      && !luaKeywords.contains(s)
  }

  // MARK: - Layout

  private func layout(_ node: Node, indent: Int) -> String {
    switch node {
    case .atom(let text):
      return text
    case .table(let entries, let more):
      if entries.isEmpty && more == 0 { return "{}" }
      let parts =
        entries.map { entry -> String in
          let value = layout(entry.value, indent: indent + 2)
          return entry.key.rank == 0 ? value : "\(entry.key.text) = \(value)"
        } + (more > 0 ? ["... (\(more) more)"] : [])
      let oneLine = "{ " + parts.joined(separator: ", ") + " }"
      if oneLine.count + indent <= lineWidth, !oneLine.contains("\n") { return oneLine }
      let pad = String(repeating: " ", count: indent + 2)
      return "{\n" + parts.map { pad + $0 }.joined(separator: ",\n") + "\n"
        + String(repeating: " ", count: indent) + "}"
    }
  }
}

private let luaKeywords: Set<String> = [
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
  "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
]
