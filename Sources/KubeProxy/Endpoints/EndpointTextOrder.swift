import NetAddr

/// kube-proxy orders a Service's endpoints by their `ip:port` text. For IPv4 the text is at
/// most 21 ASCII bytes (`255.255.255.255:65535`), so it fits, zero-padded, in three
/// big-endian words: comparing the words compares the texts byte by byte (no text byte is
/// zero, so a text that is a prefix of another still sorts first), without building strings.
struct EndpointTextKey: Comparable {
  private var words: (UInt64, UInt64, UInt64) = (0, 0, 0)

  /// The packed `ip:port` text, or nil for texts the words cannot hold (IPv6, ports outside
  /// 0...65535). Made from the address and port, not the endpoint, which an initializer would
  /// take a copy of.
  init?(ip: IPAddress, port: Int) {
    guard ip.family == .v4, (0...65535).contains(port) else { return nil }
    let v = ip.v4Value
    // Shifted in from the right a number at a time, each with the separator after it (the
    // octets' texts from a table), then moved up so that the text starts at the first word's
    // top byte.
    let octets = Self.octetTexts
    var bits: UInt64 = 0
    for shift in stride(from: 24, through: 0, by: -8) {
      let text = octets[Int((v >> UInt32(shift)) & 0xFF)]
      shiftIn(text.bytes, bits: text.bits)
      bits &+= text.bits
    }
    // The last octet's separator is `:`.
    words.2 = words.2 & ~0xFF | UInt64(UInt8(ascii: ":"))
    let count = Int(truncatingIfNeeded: bits / 8) + shiftIn(port, then: nil)
    alignLeft(bytes: 24 - count)
  }

  /// The text of each octet value with a `.` after it, as `shiftIn(_:bits:)` takes it.
  private static let octetTexts: [(bytes: UInt64, bits: UInt64)] = (0...255).map { n in
    var key = EndpointTextKey()
    let count = key.shiftIn(n, then: UInt8(ascii: "."))
    return (key.words.2, UInt64(8 * count))
  }

  private init() {}

  /// Shifts in the decimal digits of `n` (0...65535) and `separator`; returns the byte count.
  private mutating func shiftIn(_ n: Int, then separator: UInt8?) -> Int {
    // Wrapping arithmetic: the digits cannot overflow, and checks would cost more than the
    // packing itself.
    let zero = UInt64(UInt8(ascii: "0"))
    var rest = UInt64(truncatingIfNeeded: n)
    var digits = zero &+ rest % 10
    var bits: UInt64 = 8
    rest /= 10
    while rest > 0 {
      digits |= (zero &+ rest % 10) &<< bits
      rest /= 10
      bits &+= 8
    }
    if let separator {
      digits = digits &<< 8 | UInt64(separator)
      bits &+= 8
    }
    shiftIn(digits, bits: bits)
    return Int(truncatingIfNeeded: bits / 8)
  }

  /// Shifts the words left by `bits` (8...48) and puts `bytes` in the freed low bits.
  private mutating func shiftIn(_ bytes: UInt64, bits: UInt64) {
    words.0 = words.0 &<< bits | words.1 &>> (64 - bits)
    words.1 = words.1 &<< bits | words.2 &>> (64 - bits)
    words.2 = words.2 &<< bits | bytes
  }

  /// Shifts the words left by `count` (0...24) bytes, zeros coming in.
  private mutating func alignLeft(bytes count: Int) {
    var bits = UInt64(8 * count)
    while bits >= 64 {
      words = (words.1, words.2, 0)
      bits -= 64
    }
    guard bits > 0 else { return }
    words.0 = words.0 &<< bits | words.1 &>> (64 - bits)
    words.1 = words.1 &<< bits | words.2 &>> (64 - bits)
    words.2 = words.2 &<< bits
  }

  static func == (a: EndpointTextKey, b: EndpointTextKey) -> Bool { a.words == b.words }

  static func < (a: EndpointTextKey, b: EndpointTextKey) -> Bool { a.words < b.words }
}

/// The positions of `endpoints` in `ip:port` text order, ties in position order (a stable
/// sort): texts built once (building them inside the comparator would dominate), packed into
/// words when they fit.
func textOrder(_ endpoints: [ProxyEndpoint]) -> [Int] {
  var keys: [EndpointTextKey] = []
  keys.reserveCapacity(endpoints.count)
  for e in endpoints {
    guard let key = EndpointTextKey(ip: e.ip, port: e.port) else {
      let texts = endpoints.map(\.description)
      return texts.indices.sorted { a, b in texts[a] != texts[b] ? texts[a] < texts[b] : a < b }
    }
    keys.append(key)
  }
  return keys.indices.sorted { a, b in keys[a] != keys[b] ? keys[a] < keys[b] : a < b }
}
