import NetAddr

/// One decision on a packet's way, named in the terms of the component that made it.
public struct TraceStep: Hashable, Sendable, CustomStringConvertible {
  public enum Kind: String, Hashable, Sendable {
    /// The packet leaves its source.
    case source
    /// The cloud load balancer or the routing that brought it to a node.
    case route
    /// The node whose kube-proxy rules handle it.
    case entry
    /// An iptables/nftables rule matched (chain, rule comment, target).
    case rule
    /// An IPVS virtual server matched.
    case virtualServer
    /// The IPVS real server chosen.
    case realServer
    case dnat
    case snat
    /// The pod network hop (veth, IP-in-IP or VXLAN tunnel, BGP route).
    case hop
    case deliver
    /// The packet is refused, dropped or goes nowhere.
    case verdict
  }

  public var kind: Kind
  /// The node the step happens on, if any.
  public var node: String?
  /// The chain (iptables/nftables) or table the rule lives in.
  public var chain: String?
  /// What happened, e.g. `"default/web:http cluster IP" -j KUBE-SVC-…`.
  public var text: String

  public init(_ kind: Kind, node: String? = nil, chain: String? = nil, _ text: String) {
    self.kind = kind
    self.node = node
    self.chain = chain
    self.text = text
  }

  /// `[node-1] KUBE-SERVICES: "default/web:http cluster IP" -j KUBE-SVC-…`.
  public var description: String {
    let place = node.map { "[\($0)] " } ?? ""
    let where_ = chain.map { "\($0): " } ?? ""
    return "\(place)\(where_)\(text)"
  }
}
