import NetAddr

/// kube-proxy's `NodePortAddresses` for one IP family: which local addresses accept NodePort
/// traffic (`--nodeport-addresses`; unset means every local address).
public struct NodePortAddresses: Hashable, Sendable {
  /// The CIDRs of this family; empty means "all addresses".
  public var cidrs: [CIDR]
  public var family: IPFamily

  /// Keeps the configured CIDRs of `family`; none of that family means "match all", as in
  /// kube-proxy, which then falls back to the zero CIDR.
  public init(config: ProxyConfig, family: IPFamily) {
    self.family = family
    cidrs = (config.nodePortAddresses ?? []).filter { $0.family == family }
  }

  /// Every local address accepts NodePorts.
  public var matchAll: Bool { cidrs.isEmpty }

  /// Whether 127.0.0.1 is among the NodePort addresses (kube-proxy turns localhost NodePorts
  /// off otherwise).
  public var containsIPv4Loopback: Bool {
    guard family == .v4 else { return false }
    guard let loopback = IPAddress("127.0.0.1") else { return false }
    return matchAll || cidrs.contains { $0.contains(loopback) }
  }

  /// The node's addresses (plus loopback) inside the configured CIDRs, sorted.
  public func nodeIPs(of node: ProxyNode) -> [IPAddress] {
    let loopback = IPAddress(family == .v4 ? "127.0.0.1" : "::1")
    let candidates = (loopback.map { [$0] } ?? []) + node.ips.filter { $0.family == family }
    let matching = candidates.filter { ip in matchAll || cidrs.contains { $0.contains(ip) } }
    return Array(Set(matching)).sorted()
  }
}
