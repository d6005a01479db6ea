import NetAddr

/// `subsets[].addresses[]` / `notReadyAddresses[]` of a v1 Endpoints object.
@dynamicMemberLookup
public struct EndpointAddress: Hashable, Sendable {
  public struct Fields: Hashable, Sendable {
    public var ip: String
    public var hostname: String?
    public var nodeName: String?
    public var targetRef: ObjectReference?
  }

  /// `Shared`, as an EndpointSlice's endpoints: the addresses an update carries over compare
  /// by identity.
  @usableFromInline var fields: Shared<Fields>

  public init(
    ip: String, hostname: String? = nil, nodeName: String? = nil, targetRef: ObjectReference? = nil
  ) {
    fields = Shared(Fields(ip: ip, hostname: hostname, nodeName: nodeName, targetRef: targetRef))
  }

  /// Every field of `Fields`, read and written in the shared box.
  @inlinable public subscript<T>(dynamicMember path: WritableKeyPath<Fields, T>) -> T {
    _read { yield fields.value[keyPath: path] }
    _modify { yield &fields.value[keyPath: path] }
  }
}

/// One `subsets[]` entry: addresses that offer the same ports.
public struct EndpointSubset: Hashable, Sendable {
  public var addresses: [EndpointAddress]
  public var notReadyAddresses: [EndpointAddress]
  /// `ports[]` (same fields as an EndpointSlice port: name, port, protocol, appProtocol).
  public var ports: [EndpointPort]

  public init(
    addresses: [EndpointAddress] = [], notReadyAddresses: [EndpointAddress] = [],
    ports: [EndpointPort] = []
  ) {
    self.addresses = addresses
    self.notReadyAddresses = notReadyAddresses
    self.ports = ports
  }
}

/// A v1 Endpoints object (deprecated in Kubernetes 1.33 in favour of EndpointSlice): one per
/// Service, named as the Service. The endpoints controller writes it for Services with a
/// selector; for a Service without one the user writes it and the EndpointSlice mirroring
/// controller copies it into slices.
public struct V1Endpoints: Hashable, Sendable {
  public var metadata: ObjectMeta
  public var subsets: [EndpointSubset]

  public init(metadata: ObjectMeta, subsets: [EndpointSubset] = []) {
    self.metadata = metadata
    self.subsets = subsets
  }

  public var name: String { metadata.name }
  public var namespace: String { metadata.namespace }
  public var key: NamespacedName { metadata.key }
  /// Every address, ready or not, over all subsets.
  public var addressCount: Int {
    subsets.reduce(0) { $0 + $1.addresses.count + $1.notReadyAddresses.count }
  }
}

/// Well-known annotations and labels of v1 Endpoints.
public enum EndpointsAnnotation {
  /// Set by the endpoints controller when it dropped addresses beyond 1000.
  public static let overCapacity = "endpoints.kubernetes.io/over-capacity"
  /// An Endpoints object with this label set to "true" is not mirrored to EndpointSlices.
  public static let skipMirror = "endpointslice.kubernetes.io/skip-mirror"
  /// The leader-election annotation; such Endpoints are not mirrored either.
  public static let leaderElection = "control-plane.alpha.kubernetes.io/leader"
}
