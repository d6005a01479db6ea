extension IPAddress {
  /// The reverse-lookup name with its trailing dot: `4.3.2.1.in-addr.arpa.` for IPv4 and
  /// 32 nibbles under `ip6.arpa.` for IPv6.
  public var reverseName: String {
    switch family {
    case .v4:
      let v = v4Value
      return "\(v & 0xff).\((v >> 8) & 0xff).\((v >> 16) & 0xff).\(v >> 24).in-addr.arpa."
    case .v6:
      var nibbles: [String] = []
      nibbles.reserveCapacity(33)
      for word in [low, high] {
        for k in 0..<16 { nibbles.append(String((word >> UInt64(4 * k)) & 0xf, radix: 16)) }
      }
      nibbles.append("ip6.arpa.")
      return nibbles.joined(separator: ".")
    }
  }

  /// Parses a complete reverse name (`d.c.b.a.in-addr.arpa` or 32 nibbles under `ip6.arpa`,
  /// trailing dot optional, any case); `nil` for anything else, including partial names.
  public init?(reverseName name: String) {
    var n = name.lowercased()
    if n.hasSuffix(".") { n.removeLast() }
    if n.hasSuffix(".in-addr.arpa") {
      let labels = n.dropLast(".in-addr.arpa".count).split(
        separator: ".", omittingEmptySubsequences: false)
      guard labels.count == 4 else { return nil }
      guard let v = IPAddress.parseV4(Substring(labels.reversed().joined(separator: "."))) else {
        return nil
      }
      self.init(v4: v)
    } else if n.hasSuffix(".ip6.arpa") {
      let labels = n.dropLast(".ip6.arpa".count).split(
        separator: ".", omittingEmptySubsequences: false)
      guard labels.count == 32 else { return nil }
      var h: UInt64 = 0
      var l: UInt64 = 0
      for (k, label) in labels.reversed().enumerated() {
        guard label.count == 1, let d = UInt64(label, radix: 16) else { return nil }
        if k < 16 { h = h << 4 | d } else { l = l << 4 | d }
      }
      self.init(v6High: h, low: l)
    } else {
      return nil
    }
  }

  /// The address with `.` or `:` replaced by `-`, as CoreDNS names endpoints that have no
  /// hostname; an IPv6 result ending in `-` gets a `0` appended (`2001:db8::` → `2001-db8--0`).
  public var dashed: String {
    switch family {
    case .v4: return String(description.map { $0 == "." ? "-" : $0 })
    case .v6:
      var s = String(description.map { $0 == ":" ? "-" : $0 })
      if s.hasSuffix("-") { s += "0" }
      return s
    }
  }
}
