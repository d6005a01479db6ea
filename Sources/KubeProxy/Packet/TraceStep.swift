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
  /// What happened, as values; written out by `text` and `description`.
  var detail: TraceDetail

  public init(_ kind: Kind, node: String? = nil, chain: String? = nil, _ text: String) {
    self.init(kind, node: node, chain: chain, detail: .text(text))
  }

  init(_ kind: Kind, node: String? = nil, chain: String? = nil, detail: TraceDetail) {
    self.kind = kind
    self.node = node
    self.chain = chain
    self.detail = detail
  }

  /// What happened, e.g. `"default/web:http cluster IP" -j KUBE-SVC-…`.
  public var text: String {
    get {
      if case .text(let s) = detail { return s }
      let out = TraceText()
      detail.write(to: out)
      return out.string
    }
    set { detail = .text(newValue) }
  }

  /// `[node-1] KUBE-SERVICES: "default/web:http cluster IP" -j KUBE-SVC-…`.
  public var description: String {
    let out = TraceText()
    out.put(self)
    return out.string
  }

  /// Steps are equal when they say the same thing, however their text is held.
  public static func == (a: TraceStep, b: TraceStep) -> Bool {
    a.kind == b.kind && a.node == b.node && a.chain == b.chain && a.text == b.text
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(kind)
    hasher.combine(node)
    hasher.combine(chain)
    hasher.combine(text)
  }
}
