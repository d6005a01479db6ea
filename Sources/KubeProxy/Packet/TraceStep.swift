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
    // Written once into storage of the exact size: every connect formats every step.
    var count = text.utf8.count
    if let node { count += node.utf8.count + 3 }
    if let chain { count += chain.utf8.count + 2 }
    return String(unsafeUninitializedCapacity: count) { out in
      var at = 0
      if let node {
        Self.put("[", out, &at)
        Self.put(node, out, &at)
        Self.put("] ", out, &at)
      }
      if let chain {
        Self.put(chain, out, &at)
        Self.put(": ", out, &at)
      }
      Self.put(text, out, &at)
      return at
    }
  }

  /// Copies the UTF-8 bytes of `s` into `out` at `at`.
  private static func put(_ s: String, _ out: UnsafeMutableBufferPointer<UInt8>, _ at: inout Int) {
    var s = s
    let start = at
    at = s.withUTF8 { bytes in
      start + UnsafeMutableBufferPointer(rebasing: out[start...]).initialize(fromContentsOf: bytes)
    }
  }
}
