import NetAddr

/// Every name the materializer gives: one prefix (default `svl-`) on each namespace, link and
/// file it makes, so a later run can find and remove what a crashed one left.
public struct KernelNames: Sendable, Equatable {
  public var prefix: String

  public init(prefix: String = "svl-") { self.prefix = prefix }

  /// The namespace holding the underlay bridge between the nodes.
  public var underlay: String { "\(prefix)underlay" }
  /// The underlay's bridge (inside `underlay`).
  public var bridge: String { "\(prefix)br0" }
  public func node(_ name: String) -> String { "\(prefix)\(name)" }
  public func pod(namespace: String, name: String) -> String { "\(prefix)\(namespace).\(name)" }
  public func external(_ ip: IPAddress) -> String {
    let dashed = ip.description.replacingOccurrences(of: ".", with: "-")
    return "\(prefix)ext-\(dashed.replacingOccurrences(of: ":", with: "-"))"
  }
  /// The underlay end of node number `index`'s veth (in the underlay namespace).
  public func underlayPort(_ index: Int) -> String { "\(prefix)u\(index)" }
  /// The node-side end of a pod's veth: the prefix's letters and a hash of the pod, as
  /// Calico names its `cali…` interfaces (at most 15 characters).
  public func podVeth(namespace: String, name: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in "\(namespace).\(name)".utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    let stem = String(prefix.filter { $0.isLetter || $0.isNumber }.prefix(4))
    let hex = String(String(hash, radix: 16).leftPadded(to: 16).prefix(15 - stem.count))
    return stem + hex
  }
  /// The file recording which process owns the namespaces.
  public var ownerFile: String { "/run/\(prefix)owner.pid" }
  /// The directory `ip netns exec` bind-mounts over /etc for a namespace.
  public func etcDirectory(_ namespace: String) -> String { "/etc/netns/\(namespace)" }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
