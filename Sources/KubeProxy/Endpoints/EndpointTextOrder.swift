import NetAddr

/// kube-proxy orders a Service's endpoints by their `ip:port` text. For IPv4 the text is at
/// most 21 ASCII bytes (`255.255.255.255:65535`), so it fits, zero-padded, in three
/// big-endian words: comparing the words compares the texts byte by byte (no text byte is
/// zero, so a text that is a prefix of another still sorts first), without building strings.
struct EndpointTextKey: Comparable {
  private var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
  private var count = 0

  /// The packed `ip:port` text of `endpoint`, or nil for texts the words cannot hold (IPv6,
  /// ports outside 0...65535).
  init?(_ endpoint: ProxyEndpoint) {
    guard endpoint.ip.family == .v4, (0...65535).contains(endpoint.port) else { return nil }
    let v = endpoint.ip.v4Value
    appendDecimal(Int(v >> 24))
    append(UInt8(ascii: "."))
    appendDecimal(Int((v >> 16) & 0xFF))
    append(UInt8(ascii: "."))
    appendDecimal(Int((v >> 8) & 0xFF))
    append(UInt8(ascii: "."))
    appendDecimal(Int(v & 0xFF))
    append(UInt8(ascii: ":"))
    appendDecimal(endpoint.port)
  }

  /// Adds the decimal digits of `n` (0...65535), most significant first.
  private mutating func appendDecimal(_ n: Int) {
    var divisor = 1
    while divisor * 10 <= n { divisor *= 10 }
    var rest = n
    while divisor > 0 {
      append(UInt8(ascii: "0") + UInt8(rest / divisor))
      rest %= divisor
      divisor /= 10
    }
  }

  /// Puts byte number `count` in its word, most significant byte first.
  private mutating func append(_ byte: UInt8) {
    let shift = UInt64(56 - (count % 8) * 8)
    let bits = UInt64(byte) << shift
    switch count / 8 {
    case 0: words.0 |= bits
    case 1: words.1 |= bits
    default: words.2 |= bits
    }
    count += 1
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
    guard let key = EndpointTextKey(e) else {
      let texts = endpoints.map(\.description)
      return texts.indices.sorted { a, b in texts[a] != texts[b] ? texts[a] < texts[b] : a < b }
    }
    keys.append(key)
  }
  return keys.indices.sorted { a, b in keys[a] != keys[b] ? keys[a] < keys[b] : a < b }
}
