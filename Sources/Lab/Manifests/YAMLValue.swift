import Yams

/// A decoded YAML/JSON value with the key order of the document kept (what a manifest is
/// before it is read as an API object). Not `indirect`: lists and mappings already keep their
/// contents in arrays, so a scalar needs no box of its own.
enum YAMLValue: Equatable {
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case list([YAMLValue])
  case map(YAMLMap)

  /// The name of the value's JSON type, as Go's decoder reports it.
  var jsonType: String {
    switch self {
    case .null: return "null"
    case .bool: return "bool"
    case .int, .double: return "number"
    case .string: return "string"
    case .list: return "array"
    case .map: return "object"
    }
  }

  /// The mapping, if this is one.
  var mapValue: YAMLMap? {
    if case .map(let m) = self { return m }
    return nil
  }

  /// A value at a key path of nested mappings.
  subscript(path: String...) -> YAMLValue? {
    var v: YAMLValue? = self
    for k in path { v = v?.mapValue?[k] }
    return v
  }
}

/// A mapping with its keys in document order. Most mappings of a manifest hold a handful of
/// keys, so the pairs are kept in two arrays and found by a linear search; a mapping of
/// ``indexedCount`` keys or more also keeps an index by key.
struct YAMLMap: Equatable {
  private(set) var keys: [String] = []
  private var values: [YAMLValue] = []
  private var index: [String: Int]?

  /// From this many keys on, a lookup goes through the index.
  private static let indexedCount = 16

  init(_ pairs: [(String, YAMLValue)] = []) {
    for (k, v) in pairs { self[k] = v }
  }

  /// A mapping of `keys`, no two of them equal, to `values`, in that order.
  init(uniqueKeys keys: [String], values: [YAMLValue]) {
    self.keys = keys
    self.values = values
    if keys.count >= YAMLMap.indexedCount { index = YAMLMap.index(keys) }
  }

  /// Whether two of `keys` are equal.
  static func hasRepeats(_ keys: [String]) -> Bool {
    for a in keys.indices.dropFirst() {
      let k = keys[a]
      let n = k.utf8.count
      for b in 0..<a where keys[b].utf8.count == n && keys[b] == k { return true }
    }
    return false
  }

  private static func index(_ keys: [String]) -> [String: Int] {
    Dictionary(uniqueKeysWithValues: zip(keys, keys.indices))
  }

  /// Where `key` is in `keys`.
  private func position(_ key: String) -> Int? {
    if let index { return index[key] }
    return keys.firstIndex(of: key)
  }

  subscript(key: String) -> YAMLValue? {
    get { position(key).map { values[$0] } }
    set {
      switch (position(key), newValue) {
      case (let at?, let v?): values[at] = v
      case (nil, let v?):
        keys.append(key)
        values.append(v)
        if index != nil {
          index?[key] = keys.count - 1
        } else if keys.count == YAMLMap.indexedCount {
          index = YAMLMap.index(keys)
        }
      case (let at?, nil):
        keys.remove(at: at)
        values.remove(at: at)
        index = keys.count < YAMLMap.indexedCount ? nil : YAMLMap.index(keys)
      case (nil, nil): break
      }
    }
  }

  var isEmpty: Bool { keys.isEmpty }
  var pairs: [(String, YAMLValue)] { Array(zip(keys, values)) }

  /// Equal when both hold the same keys with equal values, in any order.
  static func == (a: YAMLMap, b: YAMLMap) -> Bool {
    a.keys.count == b.keys.count && zip(a.keys, a.values).allSatisfy { b[$0] == $1 }
  }
}

/// One document of a manifest stream and where it came from.
struct YAMLDocument {
  var value: YAMLValue
  /// 1-based position among the documents of the call (across files).
  var index: Int
  /// The file it was read from, or nil for text given directly.
  var source: String?
  /// The line the document starts on.
  var line: Int
}

/// Reads YAML (JSON included) into values, reporting syntax errors with their line.
enum YAMLReader {
  /// Every non-empty document of `text`; `firstIndex` numbers them.
  static func documents(
    _ text: String, source: String?, firstIndex: Int
  ) throws(ManifestError)
    -> [YAMLDocument]
  {
    var tally = YAMLGuard.Tally()
    return try documents(text, source: source, firstIndex: firstIndex, tally: &tally)
  }

  /// Every non-empty document of `text`, checked by ``YAMLGuard`` first (depth, aliases)
  /// with `tally` carrying the alias counts across the texts of one call.
  static func documents(
    _ text: String, source: String?, firstIndex: Int, tally: inout YAMLGuard.Tally
  ) throws(ManifestError) -> [YAMLDocument] {
    try YAMLGuard.check(text, source: source, tally: &tally)
    var out: [YAMLDocument] = []
    do {
      var index = firstIndex
      var stream = try Yams.compose_all(yaml: text)
      while let node = stream.next() {
        let v = try value(node)
        if v == .null { continue }
        out.append(YAMLDocument(value: v, index: index, source: source, line: node.mark?.line ?? 1))
        index += 1
      }
      if let e = stream.error { throw e }
    } catch let e as ManifestError {
      throw e
    } catch let e as YamlError {
      throw .syntax(source: source, message: describe(e))
    } catch {
      throw .syntax(source: source, message: "\(error)")
    }
    return out
  }

  /// `yaml: line N: problem`, as the Go YAML library words a syntax error.
  static func describe(_ e: YamlError) -> String {
    switch e {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
      .composer(_, let problem, let mark, _):
      return "yaml: line \(mark.line): \(problem)"
    case .reader(let problem, _, _, _): return "yaml: \(problem)"
    default: return "yaml: \(e)"
    }
  }

  private static func value(_ node: Node) throws(ManifestError) -> YAMLValue {
    switch node {
    case .scalar(let s):
      switch node.tag.description {
      case "tag:yaml.org,2002:null": return .null
      case "tag:yaml.org,2002:bool": return node.bool.map(YAMLValue.bool) ?? .string(s.string)
      case "tag:yaml.org,2002:int": return node.int.map(YAMLValue.int) ?? .string(s.string)
      case "tag:yaml.org,2002:float": return node.float.map(YAMLValue.double) ?? .string(s.string)
      default: return .string(s.string)
      }
    case .sequence(let seq):
      var items: [YAMLValue] = []
      for n in seq { items.append(try value(n)) }
      return .list(items)
    case .mapping(let m):
      var map = YAMLMap()
      for (k, v) in m {
        guard let key = k.scalar?.string else {
          throw .syntax(
            source: nil, message: "yaml: line \(k.mark?.line ?? 0): mapping keys must be strings")
        }
        map[key] = try value(v)
      }
      return .map(map)
    }
  }
}
