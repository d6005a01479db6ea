import Cluster

/// Why a manifest could not be applied, in kubectl's and the API server's words; nothing of
/// the call is applied when any of these is raised.
enum ManifestError: Error, Equatable {
  /// The text is not YAML or JSON.
  case syntax(source: String?, message: String)
  /// A document is not a mapping, lacks apiVersion/kind/name, or has a field of the wrong type.
  case malformed(document: Int, message: String)
  /// Fields the kind's schema does not declare, refused by strict field validation.
  case unknownFields(source: String?, owner: String, kind: String, fields: [String])
  /// A kind the lab does not know (or a known kind under the wrong apiVersion).
  case unknownKind(document: Int, apiVersion: String, kind: String)
  /// The same object twice in one call.
  case duplicate(document: Int, object: String, first: Int)
  /// The API server refused an object.
  case rejected(document: Int, object: String, error: ClusterError)
  /// The input could not be read (missing file, too large, nothing in it).
  case input(String)

  /// The kinds `apply` reads, as `apiVersion/Kind`.
  static let supportedKinds = [
    "v1/Namespace", "v1/Node", "v1/Pod", "v1/Service", "v1/List", "apps/v1/Deployment",
    "apps/v1/StatefulSet", "discovery.k8s.io/v1/EndpointSlice", "v1/Endpoints",
    "apps/v1/ReplicaSet", "apps/v1/DaemonSet",
  ]

  /// The message after `apply: `.
  var message: String {
    switch self {
    case .syntax(let source, let message):
      let from = source.map { "error parsing \($0): " } ?? "error parsing manifest: "
      return from + "error converting YAML to JSON: " + message
    case .malformed(let d, let message):
      return "document \(d): \(message)"
    case .unknownFields(let source, let owner, let kind, let fields):
      // kubectl names the file, or STDIN for text (`kubectl apply -f -`).
      return
        "Error from server (BadRequest): error when creating "
        + "\"\(source ?? "STDIN")\": \(owner) cannot be"
        + " handled as a \(kind): strict decoding error: "
        + fields.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
    case .unknownKind(let d, let apiVersion, let kind):
      return "document \(d): no matches for kind \"\(kind)\" in version \"\(apiVersion)\""
        + " (supported: \(ManifestError.supportedKinds.joined(separator: ", ")))"
    case .duplicate(let d, let object, let first):
      return "document \(d): \(object) appears twice in one apply (first in document \(first))"
    case .rejected(let d, let object, let error):
      return "document \(d): error when applying \(object): \(error.rendered())"
    case .input(let message):
      return message
    }
  }
}
