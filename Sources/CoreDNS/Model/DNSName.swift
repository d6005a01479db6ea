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
    if name.isEmpty { return false }  // fqdn("") is "." with one empty label before it
    // One pass over the bytes, as if the name had its final dot: no label may be empty
    // or longer than 63 octets (an empty last label is the root).
    var total = 0
    var label = 0
    for b in name.utf8 {
      total += 1
      if b == UInt8(ascii: ".") {
        guard label > 0 else { return false }
        label = 0
      } else {
        label += 1
        guard label <= 63 else { return false }
      }
    }
    if label > 0 { total += 1 }  // the dot fqdn() would add
    return total <= 254
  }

  /// Whether `name` (lower case, fully qualified) equals `zone` or lies below it.
  static func isSubdomain(_ name: String, of zone: String) -> Bool {
    if zone == "." { return true }
    // Compared byte by byte, as CoreDNS compares Go strings; no concatenation.
    let n = name.utf8
    let z = zone.utf8
    if n.count == z.count { return n.elementsEqual(z) }
    guard n.count > z.count else { return false }
    let start = n.index(n.endIndex, offsetBy: -z.count)
    return n[n.index(before: start)] == UInt8(ascii: ".") && n[start...].elementsEqual(z)
  }

  /// Whether the name lies in a reverse-lookup tree.
  static func isReverse(_ name: String) -> Bool {
    // Case-insensitive comparison of the tail bytes, with or without the final dot.
    var name = name
    return name.withUTF8 { b in
      let n = b.last == UInt8(ascii: ".") ? b.count - 1 : b.count
      func ends(with suffix: StaticString) -> Bool {
        let m = suffix.utf8CodeUnitCount
        guard n >= m else { return false }
        for j in 0..<m {
          var c = b[n - m + j]
          if c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") { c |= 0x20 }
          if c != suffix.utf8Start[j] { return false }
        }
        return true
      }
      return ends(with: "in-addr.arpa") || ends(with: "ip6.arpa")
    }
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
