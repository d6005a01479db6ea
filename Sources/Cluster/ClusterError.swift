/// A path to a field, such as `spec.ports[0].port` (apimachinery's `field.Path`).
public struct FieldPath: Hashable, Sendable {
  /// One step of a path.
  public enum Step: Hashable, Sendable {
    case child(String)
    case index(Int)
    case key(String)
  }

  public var steps: [Step]

  public init(_ names: String...) { steps = names.map(Step.child) }

  init(steps: [Step]) { self.steps = steps }

  /// The path extended by a field name.
  public func child(_ name: String) -> FieldPath { FieldPath(steps: steps + [.child(name)]) }
  /// The path extended by a list index (0-based).
  public func index(_ i: Int) -> FieldPath { FieldPath(steps: steps + [.index(i)]) }
  /// The path extended by a map key.
  public func key(_ k: String) -> FieldPath { FieldPath(steps: steps + [.key(k)]) }

  /// Renders the path; list indexes start at `indexBase` (0 as the API server prints them).
  public func rendered(indexBase: Int = 0) -> String {
    var out = ""
    for step in steps {
      switch step {
      case .child(let n): out += out.isEmpty ? n : ".\(n)"
      case .index(let i): out += "[\(i + indexBase)]"
      case .key(let k): out += "[\(k)]"
      }
    }
    return out
  }
}

/// A bad value as the API server prints it: numbers and booleans bare, strings quoted like
/// Go's `%q`, everything else JSON-encoded.
public enum FieldValue: Hashable, Sendable {
  case int(Int)
  case bool(Bool)
  case string(String)
  /// Pre-encoded JSON text (lists, maps, structs).
  case json(String)

  /// A JSON list of strings, as `["10.96.0.10"]`.
  public static func stringList(_ list: [String]) -> FieldValue {
    .json("[" + list.map(goQuoted).joined(separator: ",") + "]")
  }

  /// A JSON object of string pairs with sorted keys, as Go's encoder writes a map.
  public static func stringMap(_ map: [String: String]) -> FieldValue {
    let body = map.keys.sorted().map { "\(goQuoted($0)):\(goQuoted(map[$0] ?? ""))" }
    return .json("{" + body.joined(separator: ",") + "}")
  }

  var rendered: String {
    switch self {
    case .int(let n): return String(n)
    case .bool(let b): return b ? "true" : "false"
    case .string(let s): return goQuoted(s)
    case .json(let j): return j
    }
  }
}

/// Quotes text the way Go's `%q` does for printable ASCII (escaping `"` and `\`).
func goQuoted(_ s: String) -> String {
  var out = "\""
  for u in s.unicodeScalars {
    switch u {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\t": out += "\\t"
    case "\r": out += "\\r"
    default:
      if u.value < 0x20 || u.value == 0x7f {
        let hex = String(u.value, radix: 16)
        out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
      } else {
        out.unicodeScalars.append(u)
      }
    }
  }
  return out + "\""
}

/// One field validation error (apimachinery's `field.Error`).
public struct FieldError: Hashable, Sendable {
  /// The error type, printed as the API server prints it.
  public enum Kind: String, Hashable, Sendable {
    case invalid = "Invalid value"
    case required = "Required value"
    case duplicate = "Duplicate value"
    case unsupported = "Unsupported value"
    case forbidden = "Forbidden"
    case tooLong = "Too long"
    case tooMany = "Too many"
    case notFound = "Not found"
    case `internal` = "Internal error"
  }

  public var path: FieldPath
  public var kind: Kind
  public var value: FieldValue?
  public var detail: String

  public init(path: FieldPath, kind: Kind, value: FieldValue?, detail: String) {
    self.path = path
    self.kind = kind
    self.value = value
    self.detail = detail
  }

  public static func invalid(_ p: FieldPath, _ v: FieldValue, _ detail: String) -> FieldError {
    FieldError(path: p, kind: .invalid, value: v, detail: detail)
  }
  public static func required(_ p: FieldPath, _ detail: String = "") -> FieldError {
    FieldError(path: p, kind: .required, value: nil, detail: detail)
  }
  public static func forbidden(_ p: FieldPath, _ detail: String) -> FieldError {
    FieldError(path: p, kind: .forbidden, value: nil, detail: detail)
  }
  public static func duplicate(_ p: FieldPath, _ v: FieldValue) -> FieldError {
    FieldError(path: p, kind: .duplicate, value: v, detail: "")
  }
  /// `Unsupported value: "X": supported values: "A", "B"`.
  public static func unsupported(_ p: FieldPath, _ v: String, _ supported: [String]) -> FieldError {
    let list = supported.map(goQuoted).joined(separator: ", ")
    return FieldError(
      path: p, kind: .unsupported, value: .string(v), detail: "supported values: \(list)")
  }

  /// `<path>: <Type>[: <value>][: <detail>]`.
  public func rendered(indexBase: Int = 0) -> String {
    var body = kind.rawValue
    let printsValue = ![.required, .forbidden, .tooLong, .internal].contains(kind)
    if printsValue, let value { body += ": " + value.rendered }
    if !detail.isEmpty { body += ": " + detail }
    return "\(path.rendered(indexBase: indexBase)): \(body)"
  }
}

/// Every error the cluster reports, worded as the Kubernetes API server words it.
public enum ClusterError: Error, Equatable, Sendable, CustomStringConvertible {
  /// `<Kind> "<name>" is invalid: <errors>`; `kind` is the qualified kind ("Service",
  /// "Deployment.apps").
  case invalid(kind: String, name: String, errors: [FieldError])
  /// `<resource> "<name>" already exists` (resource as `services`, `deployments.apps`).
  case alreadyExists(resource: String, name: String)
  /// `<resource> "<name>" not found`.
  case notFound(resource: String, name: String)
  /// `Internal error occurred: <message>` (e.g. a full allocation range).
  case internalError(String)
  /// `<resource> "<name>" is forbidden: <message>`.
  case forbidden(resource: String, name: String, message: String)
  /// A cluster configuration that cannot be used (reset options).
  case badConfig(String)

  public var description: String { rendered() }

  /// The message; field paths print list indexes from `indexBase` (0 as the API server does;
  /// 1 for a 1-based scripting layer).
  public func rendered(indexBase: Int = 0) -> String {
    switch self {
    case .invalid(let kind, let name, let errors):
      var seen = Set<String>()
      let msgs = errors.map { $0.rendered(indexBase: indexBase) }.filter {
        seen.insert($0).inserted
      }
      let agg = msgs.count == 1 ? msgs[0] : "[" + msgs.joined(separator: ", ") + "]"
      return "\(kind) \(goQuoted(name)) is invalid: \(agg)"
    case .alreadyExists(let resource, let name):
      return "\(resource) \(goQuoted(name)) already exists"
    case .notFound(let resource, let name):
      return "\(resource) \(goQuoted(name)) not found"
    case .internalError(let message):
      return "Internal error occurred: \(message)"
    case .forbidden(let resource, let name, let message):
      return "\(resource) \(goQuoted(name)) is forbidden: \(message)"
    case .badConfig(let message):
      return message
    }
  }
}
