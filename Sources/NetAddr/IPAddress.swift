/// An IP address family, spelled as the Kubernetes API spells it.
public enum IPFamily: String, Hashable, Sendable, CaseIterable {
  case v4 = "IPv4"
  case v6 = "IPv6"

  /// The number of bits in an address of this family.
  public var bitWidth: Int { self == .v4 ? 32 : 128 }
}

/// An IPv4 or IPv6 address stored as a 128-bit number.
///
/// IPv4 addresses live in the low 32 bits. Addresses order by family (IPv4 first), then
/// numerically, which is the order `kubectl` and the allocators use.
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The family of the address.
  public let family: IPFamily
  /// The upper 64 bits (always 0 for IPv4).
  public let high: UInt64
  /// The lower 64 bits (IPv4: the address in the low 32 bits).
  public let low: UInt64

  /// Creates an IPv4 address from its 32-bit value.
  public init(v4 value: UInt32) {
    family = .v4
    high = 0
    low = UInt64(value)
  }

  /// Creates an IPv6 address from its two 64-bit halves.
  public init(v6High: UInt64, low: UInt64) {
    family = .v6
    high = v6High
    self.low = low
  }

  /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (no zone, no brackets); `nil` if invalid.
  ///
  /// Like Go's `netip.ParseAddr`, IPv4 octets with leading zeros are rejected.
  public init?(_ text: String) {
    if text.utf8.contains(UInt8(ascii: ":")) {
      guard let (h, l) = IPAddress.parseV6(Substring(text)) else { return nil }
      self.init(v6High: h, low: l)
    } else {
      guard let v = IPAddress.parseV4(Substring(text)) else { return nil }
      self.init(v4: v)
    }
  }

  /// The IPv4 value; only meaningful when `family == .v4`.
  public var v4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

  /// The canonical text form (RFC 5952 for IPv6).
  public var description: String {
    switch family {
    case .v4:
      return IPAddress.formatV4(v4Value)
    case .v6:
      return IPAddress.formatV6(high: high, low: low)
    }
  }

  /// Dotted-quad text of an IPv4 value, written byte by byte (at most 15 bytes, so the
  /// result is a small string and needs no allocation).
  static func formatV4(_ v: UInt32) -> String {
    var bytes: (UInt64, UInt64) = (0, 0)
    return withUnsafeMutableBytes(of: &bytes) { buffer in
      let n = writeV4(v, to: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
      return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[..<n]), as: UTF8.self)
    }
  }

  /// Writes the dotted-quad text of an IPv4 value at `out`, which has room for 15 bytes, and
  /// returns its length (for writers that put text straight into their own buffers).
  public static func writeV4(_ v: UInt32, to out: UnsafeMutablePointer<UInt8>) -> Int {
    var n = 0
    for shift in stride(from: UInt32(24), through: 0, by: -8) {
      let octet = UInt8(truncatingIfNeeded: v >> shift)
      if octet >= 100 {
        out[n] = UInt8(ascii: "0") + octet / 100
        n += 1
      }
      if octet >= 10 {
        out[n] = UInt8(ascii: "0") + octet / 10 % 10
        n += 1
      }
      out[n] = UInt8(ascii: "0") + octet % 10
      n += 1
      if shift != 0 {
        out[n] = UInt8(ascii: ".")
        n += 1
      }
    }
    return n
  }

  /// The address as it appears in `ip:port` text: IPv6 in brackets.
  public var hostPortForm: String { family == .v6 ? "[\(self)]" : description }

  /// Returns `ip:port`, with IPv6 bracketed as Go's `net.JoinHostPort` writes it.
  public func joined(port: Int) -> String { "\(hostPortForm):\(port)" }

  public static func < (a: IPAddress, b: IPAddress) -> Bool {
    if a.family != b.family { return a.family == .v4 }
    if a.high != b.high { return a.high < b.high }
    return a.low < b.low
  }

  /// The address `n` steps after this one, or `nil` past the end of the family's space.
  public func advanced(by n: UInt64) -> IPAddress? {
    switch family {
    case .v4:
      let (sum, overflow) = low.addingReportingOverflow(n)
      guard !overflow, sum <= UInt64(UInt32.max) else { return nil }
      return IPAddress(v4: UInt32(sum))
    case .v6:
      let (l, carry) = low.addingReportingOverflow(n)
      if carry {
        guard high < UInt64.max else { return nil }
        return IPAddress(v6High: high + 1, low: l)
      }
      return IPAddress(v6High: high, low: l)
    }
  }

  /// The distance `self - base` if it fits in 64 bits and is not negative.
  public func distance(from base: IPAddress) -> UInt64? {
    guard family == base.family, self >= base else { return nil }
    if high == base.high { return low - base.low }
    guard high == base.high + 1, low < base.low else { return nil }
    return low &- base.low
  }

  // MARK: - Parsing

  /// Dotted-quad IPv4: four decimal octets of 1…3 digits, no leading zeros, each ≤ 255.
  /// Reads the UTF-8 bytes once (a hot path: every EndpointSlice address is parsed).
  static func parseV4(_ s: Substring) -> UInt32? {
    var value: UInt32 = 0
    var octet: UInt32 = 0
    var digits = 0
    var dots = 0
    for b in s.utf8 {
      if b == UInt8(ascii: ".") {
        guard digits > 0, dots < 3 else { return nil }
        value = value << 8 | octet
        dots += 1
        octet = 0
        digits = 0
      } else if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
        if digits == 1 && octet == 0 { return nil }  // leading zero
        digits += 1
        octet = octet * 10 + UInt32(b - UInt8(ascii: "0"))
        guard digits <= 3, octet <= 255 else { return nil }
      } else {
        return nil
      }
    }
    guard digits > 0, dots == 3 else { return nil }
    return value << 8 | octet
  }

  static func parseV6(_ s: Substring) -> (UInt64, UInt64)? {
    var groups: [UInt16] = []
    var gapIndex: Int? = nil
    var rest = s
    if rest.hasPrefix("::") {
      gapIndex = 0
      rest = rest.dropFirst(2)
      if rest.isEmpty { return (0, 0) }
    }
    let pieces = rest.split(separator: ":", omittingEmptySubsequences: false)
    var i = 0
    while i < pieces.count {
      let piece = pieces[i]
      if piece.isEmpty {
        // An empty piece is the second colon of "::" (only one allowed) or a trailing "::".
        guard gapIndex == nil else { return nil }
        gapIndex = groups.count
        if i == pieces.count - 2 && pieces[i + 1].isEmpty {
          i += 2
          continue
        }
        guard i < pieces.count - 1 else { return nil }
        i += 1
        continue
      }
      if piece.contains(".") {
        guard i == pieces.count - 1, let v4 = parseV4(piece) else { return nil }
        groups.append(UInt16(v4 >> 16))
        groups.append(UInt16(v4 & 0xffff))
        i += 1
        continue
      }
      guard piece.count <= 4, let g = UInt16(piece, radix: 16) else { return nil }
      groups.append(g)
      i += 1
    }
    if let gap = gapIndex {
      guard groups.count < 8 else { return nil }
      groups.insert(contentsOf: Array(repeating: 0, count: 8 - groups.count), at: gap)
    }
    guard groups.count == 8 else { return nil }
    var h: UInt64 = 0
    var l: UInt64 = 0
    for k in 0..<4 { h = h << 16 | UInt64(groups[k]) }
    for k in 4..<8 { l = l << 16 | UInt64(groups[k]) }
    return (h, l)
  }

  /// Formats IPv6 as RFC 5952: lower case, no leading zeros, the longest run (≥ 2) of zero
  /// groups compressed, the first such run on a tie.
  static func formatV6(high: UInt64, low: UInt64) -> String {
    var groups: [UInt16] = []
    for k in stride(from: 48, through: 0, by: -16) {
      groups.append(UInt16((high >> UInt64(k)) & 0xffff))
    }
    for k in stride(from: 48, through: 0, by: -16) {
      groups.append(UInt16((low >> UInt64(k)) & 0xffff))
    }
    var bestStart = -1
    var bestLen = 0
    var k = 0
    while k < 8 {
      if groups[k] == 0 {
        var e = k
        while e < 8 && groups[e] == 0 { e += 1 }
        if e - k > bestLen {
          bestStart = k
          bestLen = e - k
        }
        k = e
      } else {
        k += 1
      }
    }
    if bestLen < 2 { bestStart = -1 }
    var out = ""
    var j = 0
    while j < 8 {
      if j == bestStart {
        out += "::"
        j += bestLen
        continue
      }
      if !out.isEmpty && !out.hasSuffix(":") { out += ":" }
      out += String(groups[j], radix: 16)
      j += 1
    }
    return out
  }
}
