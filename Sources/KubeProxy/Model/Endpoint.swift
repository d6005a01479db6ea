import NetAddr

/// One endpoint of one Service port as kube-proxy sees it after reading the EndpointSlices
/// (kube-proxy's `BaseEndpointInfo`): one address, its port for this Service port, its
/// conditions and its placement.
public struct ProxyEndpoint: Hashable, Sendable, CustomStringConvertible {
  public var ip: IPAddress
  public var port: Int
  /// `conditions.ready`, an absent value read as true (unknown means ready).
  public var ready: Bool
  /// `conditions.serving`, an absent value read as `ready`.
  public var serving: Bool
  /// `conditions.terminating`, an absent value read as false.
  public var terminating: Bool
  /// The node the endpoint runs on (nil: never local to any node).
  public var nodeName: String?
  public var zone: String?
  public var zoneHints: Set<String>?
  public var nodeHints: Set<String>?
  /// The pod behind the endpoint (targetRef), if any, as `ns/name`.
  public var podName: String?

  public init(
    ip: IPAddress, port: Int, ready: Bool = true, serving: Bool = true, terminating: Bool = false,
    nodeName: String? = nil, zone: String? = nil, zoneHints: Set<String>? = nil,
    nodeHints: Set<String>? = nil, podName: String? = nil
  ) {
    self.ip = ip
    self.port = port
    self.ready = ready
    self.serving = serving
    self.terminating = terminating
    self.nodeName = nodeName
    self.zone = zone
    self.zoneHints = zoneHints
    self.nodeHints = nodeHints
    self.podName = podName
  }

  /// `ip:port`, IPv6 bracketed: the endpoint's identity and its sort key in kube-proxy.
  public var description: String { ip.joined(port: port) }

  /// Whether the endpoint runs on `node`.
  public func isLocal(to node: String) -> Bool { nodeName == node }
}

/// The raw EndpointSlice input, as the API carries it (conditions are optional there).
public struct ProxyEndpointSlice: Hashable, Sendable {
  /// One endpoint. Its fields are `Shared`, so that the endpoints a slice update carries over
  /// are found equal by identity (`sameSlice`, `unchangedRuns`) and copied as one reference.
  @dynamicMemberLookup
  public struct Endpoint: Hashable, Sendable {
    public struct Fields: Hashable, Sendable {
      public var addresses: [IPAddress]
      public var ready: Bool?
      public var serving: Bool?
      public var terminating: Bool?
      public var nodeName: String?
      public var zone: String?
      public var zoneHints: [String]?
      public var nodeHints: [String]?
      public var podName: String?
    }

    @usableFromInline var fields: Shared<Fields>

    public init(
      addresses: [IPAddress], ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil,
      nodeName: String? = nil, zone: String? = nil, zoneHints: [String]? = nil,
      nodeHints: [String]? = nil, podName: String? = nil
    ) {
      fields = Shared(
        Fields(
          addresses: addresses, ready: ready, serving: serving, terminating: terminating,
          nodeName: nodeName, zone: zone, zoneHints: zoneHints, nodeHints: nodeHints,
          podName: podName))
    }

    /// Every field of `Fields`, read and written in the shared box.
    @inlinable public subscript<T>(dynamicMember path: WritableKeyPath<Fields, T>) -> T {
      _read { yield fields.value[keyPath: path] }
      _modify { yield &fields.value[keyPath: path] }
    }
  }

  public struct Port: Hashable, Sendable {
    /// "" for an unnamed port.
    public var name: String
    public var port: Int?
    public var proto: ProxyProtocol

    public init(name: String, port: Int?, proto: ProxyProtocol) {
      self.name = name
      self.port = port
      self.proto = proto
    }
  }

  public var namespace: String
  public var name: String
  /// The `kubernetes.io/service-name` label.
  public var serviceName: String
  public var addressType: IPFamily
  public var endpoints: [Endpoint]
  public var ports: [Port]

  public init(
    namespace: String, name: String, serviceName: String, addressType: IPFamily,
    endpoints: [Endpoint], ports: [Port]
  ) {
    self.namespace = namespace
    self.name = name
    self.serviceName = serviceName
    self.addressType = addressType
    self.endpoints = endpoints
    self.ports = ports
  }
}
