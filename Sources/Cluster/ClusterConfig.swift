/// The settings of a new cluster (the scripting layer's `reset` options).
///
/// Node addresses follow a kind cluster: node *i* (1-based) has InternalIP `172.18.0.(i+1)`
/// (172.18.0.1 is the bridge gateway) and pod CIDR `/24` number *i−1* of `podCIDR`.
/// Load-balancer addresses come from `loadBalancerPools` (default 198.51.100.0/24, an RFC 5737
/// documentation range kept apart from 203.0.113.0/24, which is free for external clients).
public struct ClusterConfig: Hashable, Sendable {
  /// The cluster DNS domain.
  public var domain: String
  /// Service CIDRs, IPv4 and/or IPv6; the first one's family is the primary family.
  public var serviceCIDRs: [String]
  /// The cluster pod CIDR, cut into one /24 per node (IPv4) or /64 (IPv6).
  public var podCIDR: String
  /// The NodePort range, `first-last`.
  public var nodePortRange: String
  /// Explicit node names; nil uses `nodeCount`.
  public var nodeNames: [String]?
  /// The number of nodes when `nodeNames` is nil.
  public var nodeCount: Int
  /// Whether to create the system namespaces, Services and CoreDNS pods.
  public var system: Bool
  /// Pools the simulated cloud load balancer takes ingress IPs from.
  public var loadBalancerPools: [String]
  /// The first node address (kind's `172.18.0.2`).
  public var firstNodeIP: String
  /// The random seed.
  public var seed: UInt64

  public init(
    domain: String = "cluster.local", serviceCIDRs: [String] = ["10.96.0.0/12"],
    podCIDR: String = "10.244.0.0/16", nodePortRange: String = "30000-32767",
    nodeNames: [String]? = nil, nodeCount: Int = 3, system: Bool = true,
    loadBalancerPools: [String] = ["198.51.100.0/24", "2001:db8:5100::/120"],
    firstNodeIP: String = "172.18.0.2", seed: UInt64 = 1
  ) {
    self.domain = domain
    self.serviceCIDRs = serviceCIDRs
    self.podCIDR = podCIDR
    self.nodePortRange = nodePortRange
    self.nodeNames = nodeNames
    self.nodeCount = nodeCount
    self.system = system
    self.loadBalancerPools = loadBalancerPools
    self.firstNodeIP = firstNodeIP
    self.seed = seed
  }

  /// The zones of the default nodes, in turn.
  public static let defaultZones = ["zone-a", "zone-b", "zone-c"]
  /// The region of the default nodes.
  public static let defaultRegion = "region-1"
}
