import LuaKit

/// Reads the fields of an options or spec table passed from Lua, checking each field's type
/// and rejecting fields the primitive does not know, as the API server's strict decoding does.
struct Fields {
  let table: LuaTable
  /// What the errors call this table (`spec`, `opts`, `spec.ports[0]`).
  let path: String
  let function: String
  private(set) var known: Set<String> = []

  init(_ table: LuaTable?, path: String, function: String) {
    self.table = table ?? LuaTable()
    self.path = path
    self.function = function
  }

  /// Raises for any key not read through this reader (call after reading every field).
  func rejectUnknown() throws {
    if !table.array.isEmpty {
      throw LuaError("\(function): strict decoding error: unknown field \"\(path)[1]\"")
    }
    let unknown = table.map.keys.compactMap { key -> String? in
      guard case .string(let s) = key else { return "\(key)" }
      return known.contains(s) ? nil : s
    }.sorted()
    guard !unknown.isEmpty else { return }
    let list = unknown.map { "unknown field \"\(path).\($0)\"" }.joined(separator: ", ")
    throw LuaError("\(function): strict decoding error: \(list)")
  }

  private func typeError(_ key: String, _ expected: String, _ got: LuaValue) -> LuaError {
    LuaError("\(function): \(path).\(key): \(expected) expected, got \(got.type.name)")
  }

  /// The string field `key` without marking it read (for options handled elsewhere).
  func peekString(_ key: String) throws -> String? {
    switch table[key] {
    case .nil: return nil
    case .string(let s): return s
    case let v: throw typeError(key, "string", v)
    }
  }

  mutating func raw(_ key: String) -> LuaValue {
    known.insert(key)
    return table[key]
  }

  mutating func string(_ key: String) throws -> String? {
    switch raw(key) {
    case .nil: return nil
    case .string(let s): return s
    case .integer(let n): return String(n)
    case let v: throw typeError(key, "string", v)
    }
  }

  mutating func int(_ key: String) throws -> Int? {
    switch raw(key) {
    case .nil: return nil
    case .integer(let n): return Int(n)
    case .number(let d):
      guard let n = Int(exactly: d) else {
        throw LuaError("\(function): \(path).\(key): number has no integer representation")
      }
      return n
    case let v: throw typeError(key, "number", v)
    }
  }

  mutating func number(_ key: String) throws -> Double? {
    switch raw(key) {
    case .nil: return nil
    case .integer(let n): return Double(n)
    case .number(let d): return d
    case let v: throw typeError(key, "number", v)
    }
  }

  mutating func bool(_ key: String) throws -> Bool? {
    switch raw(key) {
    case .nil: return nil
    case .boolean(let b): return b
    case let v: throw typeError(key, "boolean", v)
    }
  }

  mutating func table(_ key: String) throws -> LuaTable? {
    switch raw(key) {
    case .nil: return nil
    case .table(let t): return t
    case let v: throw typeError(key, "table", v)
    }
  }

  /// A list of strings (a single string is accepted as a one-element list).
  mutating func strings(_ key: String) throws -> [String]? {
    switch raw(key) {
    case .nil: return nil
    case .string(let s): return [s]
    case .table(let t):
      guard t.map.isEmpty else { throw typeError(key, "list of strings", .table(t)) }
      return try t.array.enumerated().map { i, v in
        guard case .string(let s) = v else {
          throw LuaError(
            "\(function): \(path).\(key)[\(i + 1)]: string expected, got \(v.type.name)")
        }
        return s
      }
    case let v: throw typeError(key, "list of strings", v)
    }
  }

  /// A map of strings (labels, selectors).
  mutating func stringMap(_ key: String) throws -> [String: String]? {
    guard let t = try table(key) else { return nil }
    guard t.array.isEmpty else { throw typeError(key, "map of strings", .table(t)) }
    var out: [String: String] = [:]
    for (k, v) in t.map {
      guard case .string(let ks) = k else { throw typeError(key, "map of strings", .table(t)) }
      switch v {
      case .string(let s): out[ks] = s
      case .integer(let n): out[ks] = String(n)
      case .boolean(let b): out[ks] = b ? "true" : "false"
      default:
        throw LuaError("\(function): \(path).\(key).\(ks): string expected, got \(v.type.name)")
      }
    }
    return out
  }

  /// A list of tables, each read by `body` with its own reader (path `key[i]`, 0-based as the
  /// API server numbers list items).
  mutating func list<T>(_ key: String, _ body: (inout Fields) throws -> T) throws -> [T]? {
    guard let t = try table(key) else { return nil }
    guard t.map.isEmpty else { throw typeError(key, "list", .table(t)) }
    return try t.array.enumerated().map { i, v in
      guard case .table(let item) = v else {
        throw LuaError("\(function): \(path).\(key)[\(i)]: table expected, got \(v.type.name)")
      }
      var reader = Fields(item, path: "\(path).\(key)[\(i)]", function: function)
      let value = try body(&reader)
      try reader.rejectUnknown()
      return value
    }
  }

  /// A string or an integer (`targetPort`).
  mutating func intOrString(_ key: String) throws -> LuaValue {
    switch raw(key) {
    case .nil: return .nil
    case .string(let s): return .string(s)
    case .integer(let n): return .integer(n)
    case .number(let d):
      guard let n = Int64(exactly: d) else {
        throw LuaError("\(function): \(path).\(key): number has no integer representation")
      }
      return .integer(n)
    case let v: throw typeError(key, "number or string", v)
    }
  }
}
