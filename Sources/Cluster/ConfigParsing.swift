import NetAddr

/// Checks and parses the cluster settings, with kube-apiserver's flag wording where it has one.
enum ConfigParsing {
  static func cidr(_ text: String, what: String) throws(ClusterError) -> CIDR {
    let t = text.trimmingSpaces
    guard let c = CIDR(t), let ip = IPAddress(String(t.split(separator: "/")[0])) else {
      throw .badConfig("\(what) \(text) is not a valid CIDR")
    }
    guard ip == c.network else {
      throw .badConfig("\(what) \(text) is not a network address (did you mean \(c)?)")
    }
    return c
  }

  /// Service CIDRs: IPv4 no wider than /12, IPv6 no wider than /64 (ServiceCIDR objects).
  static func serviceCIDRs(_ list: [String]) throws(ClusterError) -> [CIDR] {
    guard !list.isEmpty else { throw .badConfig("service CIDR list must not be empty") }
    var out: [CIDR] = []
    for text in list {
      let c = try cidr(text, what: "service CIDR")
      if c.family == .v4 && c.prefixLength < 12 {
        throw .badConfig(
          "specified service CIDR \(text) is too large; "
            + "for 32-bit addresses, the mask must be >= 12"
        )
      }
      if c.family == .v6 && c.prefixLength < 64 {
        throw .badConfig(
          "specified service CIDR \(text) is too large; for "
            + "128-bit addresses, the mask must be >= 64"
        )
      }
      if c.family == .v4 && c.prefixLength > 30 || c.family == .v6 && c.prefixLength > 126 {
        throw .badConfig("specified service CIDR \(text) is too small to hold any Service")
      }
      if out.contains(where: { $0.contains(c.network) || c.contains($0.network) }) {
        throw .badConfig("service CIDR \(text) overlaps another service CIDR")
      }
      out.append(c)
    }
    return out
  }

  /// The pod CIDR(s): a comma-separated list, at most one per family; IPv4 /24s and IPv6 /64s
  /// are cut from them for nodes.
  static func podCIDRs(_ text: String) throws(ClusterError) -> [CIDR] {
    var out: [CIDR] = []
    for part in text.split(separator: ",") {
      let c = try cidr(String(part), what: "pod CIDR")
      if out.contains(where: { $0.family == c.family }) {
        throw .badConfig("pod CIDR \(text) has more than one CIDR of family \(c.family.rawValue)")
      }
      if c.prefixLength > nodeMaskLength(c.family) {
        throw .badConfig("pod CIDR \(part) is smaller than one node's /\(nodeMaskLength(c.family))")
      }
      out.append(c)
    }
    guard !out.isEmpty else { throw .badConfig("pod CIDR must not be empty") }
    return out
  }

  /// The per-node subnet length (kube-controller-manager's `--node-cidr-mask-size`).
  static func nodeMaskLength(_ f: IPFamily) -> Int { f == .v4 ? 24 : 64 }

  /// A `first-last` port range inside 1–65535.
  static func portRange(_ text: String) throws(ClusterError) -> ClosedRange<Int> {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 2, let a = Int(parts[0].trimmingSpaces),
      let b = Int(parts[1].trimmingSpaces),
      a >= 1, b <= 65535, a <= b
    else { throw .badConfig("invalid port range \(text): expected first-last within 1-65535") }
    return a...b
  }

  static func pools(_ list: [String]) throws(ClusterError) -> [CIDR] {
    var out: [CIDR] = []
    for text in list { out.append(try cidr(text, what: "load-balancer pool")) }
    return out
  }
}

extension StringProtocol {
  var trimmingSpaces: String {
    String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
  }
}
