/// Helpers on domain names as text: fully qualified, compared without regard to case.
enum DNSName {
  /// `name` with a trailing dot.
  static func fqdn(_ name: String) -> String {
    name.hasSuffix(".") ? name : name + "."
  }

  /// Whether `name` can be put on the wire: labels of 1…63 octets and at most 255 octets in
  /// wire form (253 characters of text plus the final dot).
  static func isEncodable(_ name: String) -> Bool {
    if name == "." { return true }
    let n = fqdn(name)
    guard n.utf8.count <= 254 else { return false }
    let labels = n.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
    // The split of "a.b." ends with one empty piece for the root.
    for label in labels.dropLast() where label.isEmpty || label.count > 63 {
      return false
    }
    return true
  }

  /// Whether `name` (lower case, fully qualified) equals `zone` or lies below it.
  static func isSubdomain(_ name: String, of zone: String) -> Bool {
    if zone == "." { return true }
    return name == zone || name.hasSuffix("." + zone)
  }

  /// Whether the name lies in a reverse-lookup tree.
  static func isReverse(_ name: String) -> Bool {
    let n = fqdn(name.lowercased())
    return n.hasSuffix("in-addr.arpa.") || n.hasSuffix("ip6.arpa.")
  }

  /// The labels of a name without the root.
  static func labels(_ name: String) -> [Substring] {
    name.split(separator: ".")
  }

  /// The longest of `zones` that contains `name` (both lower case, fully qualified).
  static func match(_ name: String, zones: [String]) -> String? {
    var best: String?
    for z in zones where isSubdomain(name, of: z) {
      if best == nil || z.count > (best?.count ?? 0) { best = z }
    }
    return best
  }

  /// The wire length of a name written without compression.
  static func wireLength(_ name: String) -> Int {
    let n = fqdn(name)
    return n == "." ? 1 : n.utf8.count + 1
  }
}
