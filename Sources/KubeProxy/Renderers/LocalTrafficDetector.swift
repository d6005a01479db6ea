import NetAddr

/// kube-proxy's local-traffic detector (`pkg/proxy/util/localdetector.go`): tells pod traffic
/// from everything else by its source address, so ClusterIP traffic from outside the pod
/// network can be masqueraded and pod traffic to external destinations short-circuited.
public struct LocalTrafficDetector: Hashable, Sendable {
  /// The pod CIDR that counts as "local" traffic; nil when no detector applies.
  public var cidr: CIDR?

  public init(cidr: CIDR?) {
    self.cidr = cidr
  }

  /// The detector for `family` on `node` under `config` (`--detect-local-mode`): the
  /// cluster's pod CIDR for ClusterCIDR, the node's pod CIDR for NodeCIDR; none when that
  /// CIDR is missing or of the other family.
  public init(node: ProxyNode, config: ProxyConfig, family: IPFamily) {
    let candidate: CIDR? =
      switch config.detectLocal {
      case .clusterCIDR: config.clusterCIDR
      case .nodeCIDR: node.podCIDR
      }
    cidr = candidate?.family == family ? candidate : nil
  }

  /// Whether a detector is in effect (`IsImplemented`).
  public var isImplemented: Bool { cidr != nil }

  /// iptables match for pod-originated traffic (`-s <cidr>`), empty without a detector.
  public var ifLocal: [String] { cidr.map { ["-s", $0.description] } ?? [] }

  /// iptables match for traffic not from pods (`! -s <cidr>`), empty without a detector.
  public var ifNotLocal: [String] { cidr.map { ["!", "-s", $0.description] } ?? [] }

  /// Whether `source` counts as pod traffic.
  public func isLocal(_ source: IPAddress) -> Bool { cidr?.contains(source) ?? false }
}
