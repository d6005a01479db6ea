/// Reads the fields of one manifest mapping with Go's JSON decoding rules: a field of the
/// wrong type is an error naming its path; fields the lab does not model are ignored.
struct ManifestFields {
  let map: YAMLMap
  /// The path of this mapping (`spec.ports[0]`).
  let path: String
  /// Where the errors come from: `Service in version "v1"`.
  let owner: String
  let document: Int

  init(_ value: YAMLValue?, path: String, owner: String, document: Int) throws(ManifestError) {
    self.path = path
    self.owner = owner
    self.document = document
    switch value {
    case nil, .null?: map = YAMLMap()
    case .map(let m)?: map = m
    case let v?:
      throw ManifestFields.typeError(
        v, at: path, goType: "object", owner: owner, document: document)
    }
  }

  static func typeError(
    _ v: YAMLValue, at path: String, goType: String, owner: String, document: Int
  )
    -> ManifestError
  {
    let kind = owner.split(separator: " ").first.map(String.init) ?? owner
    return .malformed(
      document: document,
      message:
        "\(owner) cannot be handled as a \(kind): json: cannot unmarshal \(v.jsonType) into "
        + "Go struct field \(path) of type \(goType)"
    )
  }

  private func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  private func fail(_ key: String, _ v: YAMLValue, _ goType: String) -> ManifestError {
    ManifestFields.typeError(v, at: child(key), goType: goType, owner: owner, document: document)
  }

  func has(_ key: String) -> Bool {
    if case .some(.null) = map[key] { return false }
    return map[key] != nil
  }

  func string(_ key: String) throws(ManifestError) -> String? {
    switch map[key] {
    case nil, .null?: return nil
    case .string(let s)?: return s
    case let v?: throw fail(key, v, "string")
    }
  }

  func int(_ key: String) throws(ManifestError) -> Int? {
    switch map[key] {
    case nil, .null?: return nil
    case .int(let n)?: return n
    case .double(let d)? where Int(exactly: d) != nil: return Int(d)
    case let v?: throw fail(key, v, "int32")
    }
  }

  func bool(_ key: String) throws(ManifestError) -> Bool? {
    switch map[key] {
    case nil, .null?: return nil
    case .bool(let b)?: return b
    case let v?: throw fail(key, v, "bool")
    }
  }

  /// An int-or-string (`targetPort`).
  func intOrString(_ key: String) throws(ManifestError) -> YAMLValue? {
    switch map[key] {
    case nil, .null?: return nil
    case .int(let n)?: return .int(n)
    case .string(let s)?: return .string(s)
    case let v?: throw fail(key, v, "intstr.IntOrString")
    }
  }

  func strings(_ key: String) throws(ManifestError) -> [String]? {
    switch map[key] {
    case nil, .null?: return nil
    case .list(let items)?:
      var out: [String] = []
      for (i, item) in items.enumerated() {
        guard case .string(let s) = item else {
          throw ManifestFields.typeError(
            item, at: "\(child(key))[\(i)]", goType: "string", owner: owner, document: document)
        }
        out.append(s)
      }
      return out
    case let v?: throw fail(key, v, "[]string")
    }
  }

  /// A `map[string]string` (labels, selectors, annotations).
  func stringMap(_ key: String) throws(ManifestError) -> [String: String]? {
    switch map[key] {
    case nil, .null?: return nil
    case .map(let m)?:
      var out: [String: String] = [:]
      for (k, v) in m.pairs {
        guard case .string(let s) = v else {
          throw ManifestFields.typeError(
            v, at: "\(child(key)).\(k)", goType: "string", owner: owner, document: document)
        }
        out[k] = s
      }
      return out
    case let v?: throw fail(key, v, "map[string]string")
    }
  }

  /// A nested object's reader.
  func object(_ key: String) throws(ManifestError) -> ManifestFields {
    try ManifestFields(map[key], path: child(key), owner: owner, document: document)
  }

  /// Each item of a list of objects, read by `body`.
  func list<T>(
    _ key: String, _ body: (ManifestFields) throws(ManifestError) -> T
  ) throws(ManifestError) -> [T]? {
    switch map[key] {
    case nil, .null?: return nil
    case .list(let items)?:
      var out: [T] = []
      for (i, item) in items.enumerated() {
        out.append(
          try body(
            try ManifestFields(item, path: "\(child(key))[\(i)]", owner: owner, document: document))
        )
      }
      return out
    case let v?: throw fail(key, v, "[]object")
    }
  }
}
