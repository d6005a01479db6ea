import NetAddr

/// Declares an open string enumeration of the API (a value outside the known set is kept so
/// validation can reject it in the API server's words).
public protocol APIStringValue: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
  CustomStringConvertible
where RawValue == String {
  init(rawValue: String)
}

extension APIStringValue {
  public init(stringLiteral value: String) { self.init(rawValue: value) }
  public var description: String { rawValue }
}

/// `spec.type`.
public struct ServiceType: APIStringValue {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let clusterIP = ServiceType(rawValue: "ClusterIP")
  public static let nodePort = ServiceType(rawValue: "NodePort")
  public static let loadBalancer = ServiceType(rawValue: "LoadBalancer")
  public static let externalName = ServiceType(rawValue: "ExternalName")
  public static let supported: [ServiceType] = [
    .clusterIP, .externalName, .loadBalancer, .nodePort,
  ]
}

/// `spec.sessionAffinity`.
public struct SessionAffinity: APIStringValue {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let none = SessionAffinity(rawValue: "None")
  public static let clientIP = SessionAffinity(rawValue: "ClientIP")
  public static let supported: [SessionAffinity] = [.clientIP, .none]
}

/// `spec.externalTrafficPolicy` / `spec.internalTrafficPolicy`.
public struct TrafficPolicy: APIStringValue {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let cluster = TrafficPolicy(rawValue: "Cluster")
  public static let local = TrafficPolicy(rawValue: "Local")
  public static let supported: [TrafficPolicy] = [.cluster, .local]
}

/// `spec.ipFamilyPolicy`.
public struct IPFamilyPolicy: APIStringValue {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let singleStack = IPFamilyPolicy(rawValue: "SingleStack")
  public static let preferDualStack = IPFamilyPolicy(rawValue: "PreferDualStack")
  public static let requireDualStack = IPFamilyPolicy(rawValue: "RequireDualStack")
  public static let supported: [IPFamilyPolicy] = [
    .preferDualStack, .requireDualStack, .singleStack,
  ]
}

/// `spec.trafficDistribution`.
public struct TrafficDistribution: APIStringValue {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let preferClose = TrafficDistribution(rawValue: "PreferClose")
  public static let preferSameZone = TrafficDistribution(rawValue: "PreferSameZone")
  public static let preferSameNode = TrafficDistribution(rawValue: "PreferSameNode")
  public static let supported: [TrafficDistribution] = [
    .preferClose, .preferSameNode, .preferSameZone,
  ]
}

/// One `spec.ports[]` entry.
public struct ServicePort: Hashable, Sendable {
  /// "" when unnamed (allowed only for a single port).
  public var name: String
  public var `protocol`: PortProtocol
  public var appProtocol: String?
  public var port: Int
  /// nil defaults to `port`, as the API server does.
  public var targetPort: IntOrString?
  /// nil: allocate one for NodePort/LoadBalancer; set after creation for those types.
  public var nodePort: Int?

  public init(
    name: String = "", protocol: PortProtocol = .tcp, appProtocol: String? = nil, port: Int,
    targetPort: IntOrString? = nil, nodePort: Int? = nil
  ) {
    self.name = name
    self.protocol = `protocol`
    self.appProtocol = appProtocol
    self.port = port
    self.targetPort = targetPort
    self.nodePort = nodePort
  }
}

/// A v1 ServiceSpec. Optional fields are the ones the API server defaults or leaves unset.
public struct ServiceSpec: Hashable, Sendable {
  public var type: ServiceType
  /// nil (or empty): no selector, so no EndpointSlices are managed for the Service.
  public var selector: [String: String]?
  public var ports: [ServicePort]
  /// `spec.clusterIP`: "" = allocate, "None" = headless, else an IP.
  public var clusterIP: String
  /// `spec.clusterIPs`: primary first; empty = allocate.
  public var clusterIPs: [String]
  public var ipFamilies: [IPFamily]
  public var ipFamilyPolicy: IPFamilyPolicy?
  public var externalName: String?
  public var externalIPs: [String]
  public var sessionAffinity: SessionAffinity
  /// `spec.sessionAffinityConfig.clientIP.timeoutSeconds` (defaults to 10800 for ClientIP).
  public var sessionAffinityTimeoutSeconds: Int?
  public var externalTrafficPolicy: TrafficPolicy?
  public var internalTrafficPolicy: TrafficPolicy?
  public var publishNotReadyAddresses: Bool
  public var healthCheckNodePort: Int?
  public var loadBalancerIP: String?
  public var loadBalancerSourceRanges: [String]
  public var allocateLoadBalancerNodePorts: Bool?
  public var trafficDistribution: TrafficDistribution?

  public init(
    type: ServiceType = .clusterIP, selector: [String: String]? = nil, ports: [ServicePort] = [],
    clusterIP: String = "", clusterIPs: [String] = [], ipFamilies: [IPFamily] = [],
    ipFamilyPolicy: IPFamilyPolicy? = nil, externalName: String? = nil,
    externalIPs: [String] = [], sessionAffinity: SessionAffinity = .none,
    sessionAffinityTimeoutSeconds: Int? = nil, externalTrafficPolicy: TrafficPolicy? = nil,
    internalTrafficPolicy: TrafficPolicy? = nil, publishNotReadyAddresses: Bool = false,
    healthCheckNodePort: Int? = nil, loadBalancerIP: String? = nil,
    loadBalancerSourceRanges: [String] = [], allocateLoadBalancerNodePorts: Bool? = nil,
    trafficDistribution: TrafficDistribution? = nil
  ) {
    self.type = type
    self.selector = selector
    self.ports = ports
    self.clusterIP = clusterIP
    self.clusterIPs = clusterIPs
    self.ipFamilies = ipFamilies
    self.ipFamilyPolicy = ipFamilyPolicy
    self.externalName = externalName
    self.externalIPs = externalIPs
    self.sessionAffinity = sessionAffinity
    self.sessionAffinityTimeoutSeconds = sessionAffinityTimeoutSeconds
    self.externalTrafficPolicy = externalTrafficPolicy
    self.internalTrafficPolicy = internalTrafficPolicy
    self.publishNotReadyAddresses = publishNotReadyAddresses
    self.healthCheckNodePort = healthCheckNodePort
    self.loadBalancerIP = loadBalancerIP
    self.loadBalancerSourceRanges = loadBalancerSourceRanges
    self.allocateLoadBalancerNodePorts = allocateLoadBalancerNodePorts
    self.trafficDistribution = trafficDistribution
  }

  /// Headless: `clusterIPs == ["None"]`.
  public var isHeadless: Bool { clusterIP == "None" || clusterIPs.first == "None" }
}

/// `status.loadBalancer.ingress[].ipMode` (GA in 1.32, KEP-1860): `VIP` — traffic reaches the
/// node addressed to the balancer IP, so kube-proxy may short-circuit it — or `Proxy` — the
/// balancer proxies to the node, and kube-proxy writes no rule for the IP.
public struct LoadBalancerIPMode: APIStringValue {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let vip = LoadBalancerIPMode(rawValue: "VIP")
  public static let proxy = LoadBalancerIPMode(rawValue: "Proxy")
  public static let supported: [LoadBalancerIPMode] = [.proxy, .vip]
}

/// `status.loadBalancer`.
public struct ServiceStatus: Hashable, Sendable {
  /// `status.loadBalancer.ingress[].ip`.
  public var loadBalancerIngress: [IPAddress]
  /// The ipMode the simulated cloud reports for every ingress entry (nil: its default, VIP).
  public var loadBalancerIPMode: LoadBalancerIPMode?

  public init(loadBalancerIngress: [IPAddress] = [], loadBalancerIPMode: LoadBalancerIPMode? = nil)
  {
    self.loadBalancerIngress = loadBalancerIngress
    self.loadBalancerIPMode = loadBalancerIPMode
  }

  /// `ingress[].ipMode` as the cloud writes it: set with every ingress IP, none without one.
  public var ingressIPMode: LoadBalancerIPMode? {
    loadBalancerIngress.isEmpty ? nil : (loadBalancerIPMode ?? .vip)
  }
}

/// A v1 Service.
public struct Service: Hashable, Sendable {
  public var metadata: ObjectMeta
  public var spec: ServiceSpec
  public var status: ServiceStatus

  public init(metadata: ObjectMeta, spec: ServiceSpec, status: ServiceStatus = ServiceStatus()) {
    self.metadata = metadata
    self.spec = spec
    self.status = status
  }

  public var name: String { metadata.name }
  public var namespace: String { metadata.namespace }
  public var key: NamespacedName { metadata.key }
  /// The parsed cluster IPs (empty for headless and ExternalName Services).
  public var clusterIPAddresses: [IPAddress] { spec.clusterIPs.compactMap { IPAddress($0) } }
}
