/// The field names Kubernetes 1.35 declares for the kinds `apply` reads, and the check the
/// API server's strict decoding makes with them: every field of a manifest that its type does
/// not declare is an `unknown field "spec.ports[0].targetport"`. Names are matched exactly
/// (the API server's decoder is case-sensitive), and the unknown fields are listed in the order
/// the server meets them: kubectl sends the object as JSON encoded from a map, whose keys Go
/// sorts, so the order is the keys' byte order, depth first.
enum ManifestSchema {
  /// What a declared field holds, as far as the check descends.
  enum Field: Equatable {
    /// A scalar, a list of scalars or a map of strings: nothing below it is checked.
    case leaf
    /// An object of the named type.
    case object(String)
    /// A list of objects of the named type.
    case list(String)
    /// A map whose values are objects of the named type.
    case map(String)
  }

  /// How `apply` treats unknown fields, as `kubectl apply --validate`.
  enum Validation: String, CaseIterable {
    /// Refuse the manifest (kubectl's default since 1.27's server-side field validation).
    case strict
    /// Apply it and warn about each unknown field.
    case warn
    /// Apply it, dropping unknown fields silently.
    case ignore
  }

  /// Every type's declared fields, by type name (parsed once from `text`).
  static let types: [String: [String: Field]] = {
    var out: [String: [String: Field]] = [:]
    for line in text.split(separator: "\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      var fields: [String: Field] = [:]
      for word in line[line.index(after: colon)...].split(separator: " ") {
        let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
          fields[parts[0]] = .leaf
          continue
        }
        let t = parts[1]
        if t.hasPrefix("[") {
          fields[parts[0]] = .list(String(t.dropFirst().dropLast()))
        } else if t.hasPrefix("{") {
          fields[parts[0]] = .map(String(t.dropFirst().dropLast()))
        } else {
          fields[parts[0]] = .object(t)
        }
      }
      out[String(line[..<colon])] = fields
    }
    return out
  }()

  /// The paths of the fields of `value`, an object of `apiVersion/Kind` `kind`, that its type
  /// does not declare (empty for a kind without a schema here).
  static func unknownFields(_ value: YAMLValue, kind: String) -> [String] {
    guard let root = roots[kind] else { return [] }
    var out: [String] = []
    walk(value, type: root, path: "", into: &out)
    return out
  }

  private static func walk(_ value: YAMLValue, type: String, path: String, into out: inout [String])
  {
    guard case .map(let map) = value, let fields = types[type] else { return }
    let keys = map.pairs.map(\.0).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    for key in keys {
      let here = path.isEmpty ? key : "\(path).\(key)"
      guard let field = fields[key] else {
        out.append(here)
        continue
      }
      guard let child = map[key] else { continue }
      switch field {
      case .leaf: break
      case .object(let t): walk(child, type: t, path: here, into: &out)
      case .list(let t):
        if case .list(let items) = child {
          for (i, item) in items.enumerated() {
            walk(item, type: t, path: "\(here)[\(i)]", into: &out)
          }
        }
      case .map(let t):
        if case .map(let m) = child {
          for k in m.pairs.map(\.0).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if let v = m[k] { walk(v, type: t, path: "\(here)[\(k)]", into: &out) }
          }
        }
      }
    }
  }
}
