/// A namespace-qualified object name, as client-go's `types.NamespacedName`.
public struct NamespacedName: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The namespace ("" for cluster-scoped objects).
  public var namespace: String
  /// The object's name.
  public var name: String

  public init(namespace: String, name: String) {
    self.namespace = namespace
    self.name = name
  }

  /// `namespace/name`, or just `name` for cluster-scoped objects.
  public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

  public static func < (a: NamespacedName, b: NamespacedName) -> Bool {
    (a.namespace, a.name) < (b.namespace, b.name)
  }
}

/// A reference from one object to its owner (`metadata.ownerReferences[]`).
public struct OwnerReference: Hashable, Sendable {
  public var apiVersion: String
  public var kind: String
  public var name: String
  public var controller: Bool

  public init(apiVersion: String, kind: String, name: String, controller: Bool = true) {
    self.apiVersion = apiVersion
    self.kind = kind
    self.name = name
    self.controller = controller
  }
}

/// The subset of `metav1.ObjectMeta` the simulation uses.
public struct ObjectMeta: Hashable, Sendable {
  public var name: String
  /// "" for cluster-scoped objects (Namespace, Node).
  public var namespace: String
  public var labels: [String: String]
  public var annotations: [String: String]
  /// Seconds on the cluster's logical clock.
  public var creationTimestamp: Double
  /// When a graceful deletion ends: the deletion time plus its grace period (seconds on the
  /// logical clock), as the API server sets it.
  public var deletionTimestamp: Double?
  /// The grace period of a pending graceful deletion.
  public var deletionGracePeriodSeconds: Int?
  public var ownerReferences: [OwnerReference]
  /// A per-cluster unique id, counting up from 1 (stands in for the UID).
  public var uid: Int

  public init(
    name: String, namespace: String = "", labels: [String: String] = [:],
    annotations: [String: String] = [:], creationTimestamp: Double = 0,
    deletionTimestamp: Double? = nil, deletionGracePeriodSeconds: Int? = nil,
    ownerReferences: [OwnerReference] = [], uid: Int = 0
  ) {
    self.name = name
    self.namespace = namespace
    self.labels = labels
    self.annotations = annotations
    self.creationTimestamp = creationTimestamp
    self.deletionTimestamp = deletionTimestamp
    self.deletionGracePeriodSeconds = deletionGracePeriodSeconds
    self.ownerReferences = ownerReferences
    self.uid = uid
  }

  /// The namespace/name key of the object.
  public var key: NamespacedName { NamespacedName(namespace: namespace, name: name) }
}

/// Well-known label keys.
public enum WellKnownLabel {
  public static let zone = "topology.kubernetes.io/zone"
  public static let region = "topology.kubernetes.io/region"
  public static let hostname = "kubernetes.io/hostname"
  public static let serviceName = "kubernetes.io/service-name"
  public static let managedBy = "endpointslice.kubernetes.io/managed-by"
  public static let headless = "service.kubernetes.io/headless"
  public static let podTemplateHash = "pod-template-hash"
  public static let namespaceName = "kubernetes.io/metadata.name"
}

/// A network protocol of a port: "TCP", "UDP", "SCTP" (any other text fails validation).
public struct PortProtocol: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
  CustomStringConvertible
{
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { rawValue = value }
  public var description: String { rawValue }

  public static let tcp = PortProtocol(rawValue: "TCP")
  public static let udp = PortProtocol(rawValue: "UDP")
  public static let sctp = PortProtocol(rawValue: "SCTP")
  /// The values the API server accepts.
  public static let supported: [PortProtocol] = [.sctp, .tcp, .udp]
}

/// An `intstr.IntOrString`, as a Service's `targetPort`.
public enum IntOrString: Hashable, Sendable, CustomStringConvertible {
  case int(Int)
  case string(String)

  public var description: String {
    switch self {
    case .int(let n): return String(n)
    case .string(let s): return s
    }
  }
}
