import NetAddr

/// A container port (`spec.containers[].ports[]`).
public struct ContainerPort: Hashable, Sendable {
  public var name: String?
  public var containerPort: Int
  public var `protocol`: PortProtocol

  public init(name: String? = nil, containerPort: Int, protocol: PortProtocol = .tcp) {
    self.name = name
    self.containerPort = containerPort
    self.protocol = `protocol`
  }
}

/// `spec.dnsPolicy`.
public enum DNSPolicy: String, Hashable, Sendable, CaseIterable {
  case clusterFirst = "ClusterFirst"
  case clusterFirstWithHostNet = "ClusterFirstWithHostNet"
  case `default` = "Default"
  case none = "None"
}

/// One `spec.dnsConfig.options[]` entry.
public struct PodDNSConfigOption: Hashable, Sendable {
  public var name: String
  public var value: String?

  public init(name: String, value: String? = nil) {
    self.name = name
    self.value = value
  }
}

/// `spec.dnsConfig` (v1 PodDNSConfig).
public struct PodDNSConfig: Hashable, Sendable {
  public var nameservers: [String]
  public var searches: [String]
  public var options: [PodDNSConfigOption]

  public init(
    nameservers: [String] = [], searches: [String] = [], options: [PodDNSConfigOption] = []
  ) {
    self.nameservers = nameservers
    self.searches = searches
    self.options = options
  }
}

/// `status.phase`.
public enum PodPhase: String, Hashable, Sendable, CaseIterable {
  case pending = "Pending"
  case running = "Running"
  case succeeded = "Succeeded"
  case failed = "Failed"
  case unknown = "Unknown"

  /// Terminal phases: the pod's containers will not run again.
  public var isTerminal: Bool { self == .succeeded || self == .failed }
}

/// A v1 Pod with the fields that Service networking and cluster DNS depend on.
///
/// The pod's containers are collapsed into one port list (`ports`), which is what a
/// named `targetPort` is resolved against.
public struct Pod: Hashable, Sendable {
  public var metadata: ObjectMeta
  /// `spec.nodeName` ("" while unscheduled).
  public var nodeName: String
  /// `spec.containers[*].ports`.
  public var ports: [ContainerPort]
  public var hostname: String?
  public var subdomain: String?
  public var dnsPolicy: DNSPolicy
  public var dnsConfig: PodDNSConfig?
  public var hostNetwork: Bool
  public var setHostnameAsFQDN: Bool
  /// `spec.terminationGracePeriodSeconds` (default 30).
  public var terminationGracePeriodSeconds: Int
  /// `status.podIPs` (one per family; empty while Pending without a node).
  public var podIPs: [IPAddress]
  public var phase: PodPhase
  /// The Ready condition.
  public var ready: Bool
  /// The Deployment that owns the pod, if any (through its ReplicaSet).
  public var ownerDeployment: String?

  public init(
    metadata: ObjectMeta, nodeName: String = "", ports: [ContainerPort] = [],
    hostname: String? = nil, subdomain: String? = nil, dnsPolicy: DNSPolicy = .clusterFirst,
    dnsConfig: PodDNSConfig? = nil, hostNetwork: Bool = false, setHostnameAsFQDN: Bool = false,
    terminationGracePeriodSeconds: Int = 30, podIPs: [IPAddress] = [], phase: PodPhase = .pending,
    ready: Bool = false, ownerDeployment: String? = nil
  ) {
    self.metadata = metadata
    self.nodeName = nodeName
    self.ports = ports
    self.hostname = hostname
    self.subdomain = subdomain
    self.dnsPolicy = dnsPolicy
    self.dnsConfig = dnsConfig
    self.hostNetwork = hostNetwork
    self.setHostnameAsFQDN = setHostnameAsFQDN
    self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
    self.podIPs = podIPs
    self.phase = phase
    self.ready = ready
    self.ownerDeployment = ownerDeployment
  }

  public var name: String { metadata.name }
  public var namespace: String { metadata.namespace }
  public var key: NamespacedName { metadata.key }
  public var labels: [String: String] { metadata.labels }
  /// `status.podIP`: the first of `podIPs`.
  public var podIP: IPAddress? { podIPs.first }
  /// Whether the pod is being deleted (Terminating in kubectl).
  public var isTerminating: Bool { metadata.deletionTimestamp != nil }
}
