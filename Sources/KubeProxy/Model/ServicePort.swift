import NetAddr

/// A transport protocol as the Service API spells it.
public enum ProxyProtocol: String, Hashable, Sendable, CaseIterable {
  case tcp = "TCP"
  case udp = "UDP"
  case sctp = "SCTP"

  /// The lower-case name iptables and the chain hashes use (`tcp`).
  public var lowercased: String { rawValue.lowercased() }
}

/// The type of a Service, as far as kube-proxy cares.
public enum ProxyServiceType: String, Hashable, Sendable {
  case clusterIP = "ClusterIP"
  case nodePort = "NodePort"
  case loadBalancer = "LoadBalancer"
  case externalName = "ExternalName"
}

/// kube-proxy's `ServicePortName`: one port of one Service, written `ns/name:port`
/// (`ns/name` when the port has no name).
public struct ServicePortName: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var namespace: String
  public var name: String
  public var port: String
  public var proto: ProxyProtocol

  public init(namespace: String, name: String, port: String, proto: ProxyProtocol) {
    self.namespace = namespace
    self.name = name
    self.port = port
    self.proto = proto
  }

  /// `ns/name:port`, or `ns/name` for an unnamed port.
  public var description: String {
    port.isEmpty ? "\(namespace)/\(name)" : "\(namespace)/\(name):\(port)"
  }

  public static func < (a: ServicePortName, b: ServicePortName) -> Bool {
    (a.namespace, a.name, a.port, a.proto.rawValue) < (
      b.namespace, b.name, b.port, b.proto.rawValue
    )
  }
}

/// One port of a Service with everything kube-proxy derives from the Service spec
/// (kube-proxy's `BaseServicePortInfo`). One value per (Service, port, IP family).
public struct ProxyServicePort: Hashable, Sendable {
  public var name: ServicePortName
  public var type: ProxyServiceType
  public var family: IPFamily
  /// The ClusterIP of this family (nil for headless, which kube-proxy ignores).
  public var clusterIP: IPAddress?
  public var port: Int
  /// 0 when the Service has no NodePort for this port.
  public var nodePort: Int
  public var externalIPs: [IPAddress]
  /// Load-balancer ingress IPs of this family (status.loadBalancer.ingress).
  public var loadBalancerVIPs: [IPAddress]
  /// Load-balancer ingress IPs of this family with `ipMode: Proxy`. kube-proxy skips them
  /// (`IsVIPMode` in its service change tracker): no rule is written for them in any mode,
  /// so traffic to them goes to the balancer, which proxies it to a NodePort.
  public var proxyModeIngressIPs: [IPAddress] = []
  public var loadBalancerSourceRanges: [CIDR]
  /// nil when sessionAffinity is None; else the ClientIP timeout in seconds.
  public var stickyMaxAgeSeconds: Int?
  /// externalTrafficPolicy is Local (and the Service is externally reachable).
  public var externalPolicyLocal: Bool
  /// internalTrafficPolicy is Local.
  public var internalPolicyLocal: Bool
  /// 0 unless type LoadBalancer with externalTrafficPolicy Local.
  public var healthCheckNodePort: Int
  /// spec.trafficDistribution ("PreferClose", "PreferSameZone", "PreferSameNode") or nil.
  public var trafficDistribution: String?

  public init(
    name: ServicePortName, type: ProxyServiceType, family: IPFamily, clusterIP: IPAddress?,
    port: Int, nodePort: Int = 0, externalIPs: [IPAddress] = [], loadBalancerVIPs: [IPAddress] = [],
    loadBalancerSourceRanges: [CIDR] = [], stickyMaxAgeSeconds: Int? = nil,
    externalPolicyLocal: Bool = false, internalPolicyLocal: Bool = false,
    healthCheckNodePort: Int = 0, trafficDistribution: String? = nil
  ) {
    self.name = name
    self.type = type
    self.family = family
    self.clusterIP = clusterIP
    self.port = port
    self.nodePort = nodePort
    self.externalIPs = externalIPs
    self.loadBalancerVIPs = loadBalancerVIPs
    self.loadBalancerSourceRanges = loadBalancerSourceRanges
    self.stickyMaxAgeSeconds = stickyMaxAgeSeconds
    self.externalPolicyLocal = externalPolicyLocal
    self.internalPolicyLocal = internalPolicyLocal
    self.healthCheckNodePort = healthCheckNodePort
    self.trafficDistribution = trafficDistribution
  }

  /// kube-proxy's `ExternallyAccessible`: a NodePort, an external IP or a load-balancer VIP.
  public var externallyAccessible: Bool {
    nodePort != 0 || !externalIPs.isEmpty || !loadBalancerVIPs.isEmpty
  }

  /// kube-proxy's `UsesClusterEndpoints`.
  public var usesClusterEndpoints: Bool { !internalPolicyLocal || externallyAccessible }

  /// kube-proxy's `UsesLocalEndpoints`.
  public var usesLocalEndpoints: Bool {
    internalPolicyLocal || (externalPolicyLocal && externallyAccessible)
  }
}
