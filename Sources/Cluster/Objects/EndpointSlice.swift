import NetAddr

/// `addressType` of a discovery.k8s.io/v1 EndpointSlice.
public enum AddressType: String, Hashable, Sendable, CaseIterable {
  case ipv4 = "IPv4"
  case ipv6 = "IPv6"
  case fqdn = "FQDN"

  /// The address type that holds addresses of `family`.
  public init(_ family: IPFamily) { self = family == .v4 ? .ipv4 : .ipv6 }
}

/// `endpoints[].conditions`; nil means unknown, which consumers read as described.
public struct EndpointConditions: Hashable, Sendable {
  public var ready: Bool?
  public var serving: Bool?
  public var terminating: Bool?

  public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
    self.ready = ready
    self.serving = serving
    self.terminating = terminating
  }

  /// Ready as consumers read it: nil is ready.
  public var isReady: Bool { ready ?? true }
  /// Serving as consumers read it: nil follows ready.
  public var isServing: Bool { serving ?? isReady }
  /// Terminating as consumers read it: nil is false.
  public var isTerminating: Bool { terminating ?? false }
}

/// `endpoints[].targetRef`.
public struct ObjectReference: Hashable, Sendable {
  public var kind: String
  public var namespace: String
  public var name: String

  public init(kind: String = "Pod", namespace: String, name: String) {
    self.kind = kind
    self.namespace = namespace
    self.name = name
  }
}

/// `endpoints[].hints`.
public struct EndpointHints: Hashable, Sendable {
  public var forZones: [String]
  public var forNodes: [String]

  public init(forZones: [String] = [], forNodes: [String] = []) {
    self.forZones = forZones
    self.forNodes = forNodes
  }
}

/// One `endpoints[]` entry.
///
/// Its fields are `Shared`: an update of a slice rewrites one endpoint and carries the others
/// over, so every consumer comparing the two versions (the change log, CoreDNS's and
/// kube-proxy's followers) finds the carried-over endpoints equal by identity.
@dynamicMemberLookup
public struct Endpoint: Hashable, Sendable {
  public struct Fields: Hashable, Sendable {
    /// Addresses as text (IPs for IPv4/IPv6 slices, names for FQDN slices).
    public var addresses: [String]
    public var conditions: EndpointConditions
    public var hostname: String?
    public var nodeName: String?
    public var zone: String?
    public var targetRef: ObjectReference?
    public var hints: EndpointHints?
  }

  @usableFromInline var fields: Shared<Fields>

  public init(
    addresses: [String], conditions: EndpointConditions = EndpointConditions(),
    hostname: String? = nil, nodeName: String? = nil, zone: String? = nil,
    targetRef: ObjectReference? = nil, hints: EndpointHints? = nil
  ) {
    fields = Shared(
      Fields(
        addresses: addresses, conditions: conditions, hostname: hostname, nodeName: nodeName,
        zone: zone, targetRef: targetRef, hints: hints))
  }

  /// Every field of `Fields`, read and written in the shared box.
  @inlinable public subscript<T>(dynamicMember path: WritableKeyPath<Fields, T>) -> T {
    _read { yield fields.value[keyPath: path] }
    _modify { yield &fields.value[keyPath: path] }
  }
}

/// One `ports[]` entry of a slice.
public struct EndpointPort: Hashable, Sendable {
  public var name: String
  public var port: Int
  public var `protocol`: PortProtocol
  public var appProtocol: String?

  public init(
    name: String = "", port: Int, protocol: PortProtocol = .tcp, appProtocol: String? = nil
  ) {
    self.name = name
    self.port = port
    self.protocol = `protocol`
    self.appProtocol = appProtocol
  }
}

/// A discovery.k8s.io/v1 EndpointSlice.
public struct EndpointSlice: Hashable, Sendable {
  public var metadata: ObjectMeta
  public var addressType: AddressType
  public var endpoints: [Endpoint]
  public var ports: [EndpointPort]

  public init(
    metadata: ObjectMeta, addressType: AddressType, endpoints: [Endpoint] = [],
    ports: [EndpointPort] = []
  ) {
    self.metadata = metadata
    self.addressType = addressType
    self.endpoints = endpoints
    self.ports = ports
  }

  public var name: String { metadata.name }
  public var namespace: String { metadata.namespace }
  public var key: NamespacedName { metadata.key }
  /// The Service this slice belongs to (label `kubernetes.io/service-name`).
  public var serviceName: String? { metadata.labels[WellKnownLabel.serviceName] }
  /// The `endpointslice.kubernetes.io/managed-by` label.
  public var managedBy: String? { metadata.labels[WellKnownLabel.managedBy] }
}

/// One row of the flattened endpoint view of a Service (`endpoints(of:)`).
public struct EndpointEntry: Hashable, Sendable {
  public var ip: String
  /// nil when the slice has no ports.
  public var port: Int?
  public var portName: String
  public var `protocol`: PortProtocol
  public var ready: Bool
  public var serving: Bool
  public var terminating: Bool
  /// The pod of `targetRef`, if it refers to a Pod.
  public var pod: String?
  public var node: String?
  public var zone: String?
  public var hostname: String?
  public var slice: String

  public init(
    ip: String, port: Int?, portName: String, protocol: PortProtocol, ready: Bool, serving: Bool,
    terminating: Bool, pod: String?, node: String?, zone: String?, hostname: String?, slice: String
  ) {
    self.ip = ip
    self.port = port
    self.portName = portName
    self.protocol = `protocol`
    self.ready = ready
    self.serving = serving
    self.terminating = terminating
    self.pod = pod
    self.node = node
    self.zone = zone
    self.hostname = hostname
    self.slice = slice
  }
}
