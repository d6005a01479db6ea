import NetAddr

// CoreDNS keeps cut-down copies of the API objects it watches, with only the fields its
// answers depend on (plugin/kubernetes/object). These are svclab's equivalents; an adapter
// fills them from the cluster model.

/// A namespace: CoreDNS only needs to know that it exists.
public struct DNSNamespace: Hashable, Sendable {
  public var name: String
  public init(name: String) { self.name = name }
}

/// How a Service is published in DNS. NodePort and LoadBalancer Services are `.clusterIP`.
public enum DNSServiceKind: String, Hashable, Sendable {
  case clusterIP
  case headless
  case externalName
}

/// A Service or EndpointSlice port: name, protocol ("TCP", "UDP", "SCTP") and number.
public struct DNSServicePort: Hashable, Sendable {
  public var name: String
  public var `protocol`: String
  public var port: Int
  public init(name: String, protocol: String = "TCP", port: Int) {
    self.name = name
    self.protocol = `protocol`
    self.port = port
  }
}

/// The fields of a Service that CoreDNS reads.
public struct DNSService: Hashable, Sendable {
  public var namespace: String
  public var name: String
  public var kind: DNSServiceKind
  /// `spec.clusterIPs` (primary family first); empty for headless and ExternalName.
  public var clusterIPs: [IPAddress]
  /// `spec.externalName`, for `.externalName` Services.
  public var externalName: String?
  public var ports: [DNSServicePort]
  public var labels: [String: String]

  public init(
    namespace: String, name: String, kind: DNSServiceKind = .clusterIP,
    clusterIPs: [IPAddress] = [], externalName: String? = nil,
    ports: [DNSServicePort] = [], labels: [String: String] = [:]
  ) {
    self.namespace = namespace
    self.name = name
    self.kind = kind
    self.clusterIPs = clusterIPs
    self.externalName = externalName
    self.ports = ports
    self.labels = labels
  }
}

/// One endpoint of an EndpointSlice. Its fields are `Shared`, so that a slice update copies
/// the endpoints it carries over as one reference each, and finds them equal by identity.
@dynamicMemberLookup
public struct DNSEndpoint: Hashable, Sendable {
  public struct Fields: Hashable, Sendable {
    public var addresses: [IPAddress]
    /// `hostname`, set by the EndpointSlice controller only for pods whose `subdomain` names
    /// the Service.
    public var hostname: String?
    /// `conditions.ready`; nil means unknown, which CoreDNS treats as ready.
    public var ready: Bool?
    public var nodeName: String?
    /// `targetRef.name` of a Pod target, used by `endpoint_pod_names`.
    public var targetPodName: String?
  }

  @usableFromInline var fields: Shared<Fields>

  public init(
    addresses: [IPAddress], hostname: String? = nil, ready: Bool? = true,
    nodeName: String? = nil, targetPodName: String? = nil
  ) {
    fields = Shared(
      Fields(
        addresses: addresses, hostname: hostname, ready: ready, nodeName: nodeName,
        targetPodName: targetPodName))
  }

  /// Every field of `Fields`, read and written in the shared box.
  @inlinable public subscript<T>(dynamicMember path: WritableKeyPath<Fields, T>) -> T {
    _read { yield fields.value[keyPath: path] }
    _modify { yield &fields.value[keyPath: path] }
  }
}

/// The fields of an EndpointSlice that CoreDNS reads; `serviceName` is the
/// `kubernetes.io/service-name` label.
public struct DNSEndpointSlice: Hashable, Sendable {
  public var namespace: String
  public var name: String
  public var serviceName: String
  /// "IPv4", "IPv6" or "FQDN".
  public var addressType: String
  public var endpoints: [DNSEndpoint]
  public var ports: [DNSServicePort]

  public init(
    namespace: String, name: String, serviceName: String, addressType: String = "IPv4",
    endpoints: [DNSEndpoint], ports: [DNSServicePort] = []
  ) {
    self.namespace = namespace
    self.name = name
    self.serviceName = serviceName
    self.addressType = addressType
    self.endpoints = endpoints
    self.ports = ports
  }
}

/// A pod as `pods verified` and autopath see it: its `status.podIP`, whether it is being
/// deleted, and whether its phase is Running.
public struct DNSPod: Hashable, Sendable {
  public var namespace: String
  public var name: String
  public var ip: IPAddress
  public var terminating: Bool
  public var running: Bool

  public init(
    namespace: String, name: String, ip: IPAddress, terminating: Bool = false,
    running: Bool = true
  ) {
    self.namespace = namespace
    self.name = name
    self.ip = ip
    self.terminating = terminating
    self.running = running
  }
}

/// One watch event: the object before and after (nil for add or delete).
public enum DNSChange: Sendable {
  case namespace(old: DNSNamespace?, new: DNSNamespace?)
  case service(old: DNSService?, new: DNSService?)
  case endpointSlice(old: DNSEndpointSlice?, new: DNSEndpointSlice?)
  case pod(old: DNSPod?, new: DNSPod?)
}
