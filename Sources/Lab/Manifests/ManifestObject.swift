import Cluster

/// One API object read from a manifest, in the cluster's input types.
struct ManifestObject {
  enum Body {
    case namespace(labels: [String: String])
    case node(NodeOptions)
    case pod(PodOptions)
    case service(ServiceSpec, labels: [String: String])
    case deployment(DeploymentOptions)
    case endpointSlice(EndpointSlice)
    case endpoints(V1Endpoints)
    /// A ReplicaSet's (`replicas` set) or DaemonSet's (one pod per node) pods.
    case ownedPods(kind: String, replicas: Int?, template: PodOptions)
  }

  var body: Body
  var name: String
  /// "" for cluster-scoped kinds.
  var namespace: String
  /// `metadata.annotations` as written.
  var annotations: [String: String]
  var document: Int
  /// What kubectl prints for the document: `service/web`, `statefulset.apps/db`.
  var display: String
  /// The document as applied, kept in the last-applied annotation (so fields the lab does
  /// not model survive in the object and in `export`).
  var raw: YAMLValue
  /// What the API server warns about the document (`unknown field "spec.selecter"` with
  /// `validate = "warn"`); kubectl prints each as `Warning: ...` before the object's line.
  var warnings: [String] = []

  var kind: ObjectKind {
    switch body {
    case .namespace: return .namespace
    case .node: return .node
    case .pod: return .pod
    case .service: return .service
    case .deployment: return .deployment
    case .endpointSlice: return .endpointSlice
    case .endpoints: return .endpoints
    case .ownedPods: return .pod
    }
  }

  var key: NamespacedName { NamespacedName(namespace: namespace, name: name) }

  /// The object's identity among those of one call: `service/ns/name`.
  var identity: String { "\(ManifestObject.resource(kind))/\(key)" }

  /// kubectl's resource name of a kind (`deployment.apps`).
  static func resource(_ kind: ObjectKind) -> String {
    switch kind {
    case .namespace: return "namespace"
    case .node: return "node"
    case .pod: return "pod"
    case .service: return "service"
    case .deployment: return "deployment.apps"
    case .endpointSlice: return "endpointslice.discovery.k8s.io"
    case .endpoints: return "endpoints"
    }
  }
}

/// JSON text of a value with sorted keys, as Go's encoder writes a map (the
/// last-applied-configuration annotation).
enum JSONText {
  static func encode(_ v: YAMLValue) -> String {
    switch v {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let n): return String(n)
    case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    case .string(let s): return quote(s)
    case .list(let items): return "[" + items.map(encode).joined(separator: ",") + "]"
    case .map(let m):
      return "{"
        + m.keys.sorted().compactMap { k in m[k].map { quote(k) + ":" + encode($0) } }
        .joined(separator: ",") + "}"
    }
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if u.value < 0x20 {
          let hex = String(u.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}
