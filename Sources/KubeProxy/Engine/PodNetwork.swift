/// How the CNI (Calico-style) carries pod traffic between nodes.
public enum PodNetworkMode: String, Hashable, Sendable, CaseIterable {
  /// IP-in-IP tunnels between node IPs (`tunl0`), Calico's default.
  case ipip = "IPIP"
  /// VXLAN tunnels between node IPs (`vxlan.calico`).
  case vxlan = "VXLAN"
  /// Plain routes to each node's pod CIDR announced over BGP: no tunnel.
  case bgp = "BGP"

  /// The tunnel interface name, nil without a tunnel.
  public var tunnelDevice: String? {
    switch self {
    case .ipip: return "tunl0"
    case .vxlan: return "vxlan.calico"
    case .bgp: return nil
    }
  }
}
