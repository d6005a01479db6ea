import CoreDNS
import NetAddr

/// Record data between the presentation format the lab's records carry (`DNSRecord.data`,
/// as dig prints it) and wire bytes, for the types the lab answers and the common types an
/// external record may hold. Other types use RFC 3597's `\# LENGTH HEX` form both ways.
enum RData {
  /// Presentation text of the `length` bytes at `start` (names may point anywhere before).
  static func presentation(
    type: UInt16, _ b: UnsafeRawBufferPointer, start: Int, length: Int
  ) throws(WireError) -> String {
    let end = start + length
    func u16(_ i: Int) throws(WireError) -> UInt16 {
      guard i + 2 <= end else { throw .truncated }
      return UInt16(b[i]) << 8 | UInt16(b[i + 1])
    }
    func u32(_ i: Int) throws(WireError) -> UInt32 {
      UInt32(try u16(i)) << 16 | UInt32(try u16(i + 2))
    }
    func name(_ i: Int) throws(WireError) -> (String, Int) {
      let (n, next) = try WireName.read(b, at: i)
      guard next <= end else { throw .truncated }
      return (n, next)
    }
    switch type {
    case 1:
      guard length == 4 else { throw .badData("A") }
      return IPAddress(v4: try u32(start)).description
    case 28:
      guard length == 16 else { throw .badData("AAAA") }
      var hi: UInt64 = 0
      var lo: UInt64 = 0
      for i in 0..<8 { hi = hi << 8 | UInt64(b[start + i]) }
      for i in 8..<16 { lo = lo << 8 | UInt64(b[start + i]) }
      return IPAddress(v6High: hi, low: lo).description
    case 2, 5, 12:
      let (n, next) = try name(start)
      guard next == end else { throw .badData("name") }
      return n
    case 15:
      let pref = try u16(start)
      let (n, next) = try name(start + 2)
      guard next == end else { throw .badData("MX") }
      return "\(pref) \(n)"
    case 33:
      let p = try u16(start)
      let w = try u16(start + 2)
      let port = try u16(start + 4)
      let (n, next) = try name(start + 6)
      guard next == end else { throw .badData("SRV") }
      return "\(p) \(w) \(port) \(n)"
    case 6:
      let (m, a) = try name(start)
      let (r, c) = try name(a)
      guard c + 20 == end else { throw .badData("SOA") }
      let nums = try (0..<5).map { (i: Int) throws(WireError) in try u32(c + 4 * i) }
      return "\(m) \(r) " + nums.map(String.init).joined(separator: " ")
    case 16, 99:
      var parts: [String] = []
      var i = start
      while i < end {
        let n = Int(b[i])
        guard i + 1 + n <= end else { throw .badData("TXT") }
        var s = "\""
        for k in 0..<n {
          let c = b[i + 1 + k]
          switch c {
          case UInt8(ascii: "\""), UInt8(ascii: "\\"): s += "\\" + String(UnicodeScalar(c))
          case 0x20...0x7E: s.unicodeScalars.append(UnicodeScalar(c))
          default: s += "\\" + String(format3(c))
          }
        }
        parts.append(s + "\"")
        i += 1 + n
      }
      return parts.joined(separator: " ")
    default:
      let hex = (start..<end).map { hexByte(b[$0]) }.joined()
      return length == 0 ? "\\# 0" : "\\# \(length) \(hex)"
    }
  }

  private static func format3(_ c: UInt8) -> String {
    let s = String(c)
    return String(repeating: "0", count: 3 - s.count) + s
  }

  private static func hexByte(_ c: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(c >> 4)], digits[Int(c & 0xF)]])
  }

  /// Writes the wire form of presentation `data`.
  static func write(type: UInt16, _ data: String, into w: inout WireWriter) throws(WireError) {
    // Addresses (most records) need no split into fields.
    func split() -> [String] {
      data.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }
    func number<T: FixedWidthInteger>(
      _ fields: [String], _ i: Int, _: T.Type
    ) throws(WireError) -> T {
      guard i < fields.count, let v = T(fields[i]) else { throw .badData(data) }
      return v
    }
    switch type {
    case 1:
      guard let ip = IPAddress(data), ip.family == .v4 else { throw .badData(data) }
      w.u32(ip.v4Value)
    case 28:
      guard let ip = IPAddress(data), ip.family == .v6 else { throw .badData(data) }
      w.u32(UInt32(ip.high >> 32))
      w.u32(UInt32(ip.high & 0xFFFF_FFFF))
      w.u32(UInt32(ip.low >> 32))
      w.u32(UInt32(ip.low & 0xFFFF_FFFF))
    case 2, 5, 12:
      let fields = split()
      guard fields.count == 1 else { throw .badData(data) }
      try w.name(fields[0])
    case 15:
      let fields = split()
      guard fields.count == 2 else { throw .badData(data) }
      w.u16(try number(fields, 0, UInt16.self))
      try w.name(fields[1])
    case 33:
      let fields = split()
      guard fields.count == 4 else { throw .badData(data) }
      for i in 0..<3 { w.u16(try number(fields, i, UInt16.self)) }
      try w.name(fields[3], pointing: false)
    case 6:
      let fields = split()
      guard fields.count == 7 else { throw .badData(data) }
      try w.name(fields[0])
      try w.name(fields[1])
      for i in 2..<7 { w.u32(try number(fields, i, UInt32.self)) }
    case 16, 99:
      for s in try characterStrings(data) {
        guard s.count <= 255 else { throw .badData(data) }
        w.bytes.append(UInt8(s.count))
        w.bytes.append(contentsOf: s)
      }
    default:
      let fields = split()
      guard fields.count >= 2, fields[0] == "\\#", let n = Int(fields[1]) else {
        throw .badData(data)
      }
      let hex = Array(fields.dropFirst(2).joined().utf8)
      guard hex.count == 2 * n else { throw .badData(data) }
      for i in 0..<n {
        guard let v = UInt8(String(decoding: hex[2 * i...2 * i + 1], as: UTF8.self), radix: 16)
        else {
          throw .badData(data)
        }
        w.bytes.append(v)
      }
    }
  }

  /// The character-strings of a TXT presentation: quoted strings with `\"`, `\\` and `\DDD`,
  /// or bare words.
  static func characterStrings(_ data: String) throws(WireError) -> [[UInt8]] {
    var out: [[UInt8]] = []
    let b = Array(data.utf8)
    var i = 0
    while i < b.count {
      if b[i] == UInt8(ascii: " ") {
        i += 1
        continue
      }
      let quoted = b[i] == UInt8(ascii: "\"")
      if quoted { i += 1 }
      var s: [UInt8] = []
      while i < b.count {
        let c = b[i]
        if quoted && c == UInt8(ascii: "\"") {
          i += 1
          break
        }
        if !quoted && c == UInt8(ascii: " ") { break }
        if c == UInt8(ascii: "\\"), i + 1 < b.count {
          if i + 3 < b.count, let v = UInt8(String(decoding: b[i + 1...i + 3], as: UTF8.self)) {
            s.append(v)
            i += 4
          } else {
            s.append(b[i + 1])
            i += 2
          }
          continue
        }
        s.append(c)
        i += 1
      }
      out.append(s)
    }
    return out
  }
}

extension RRType {
  /// The type with this numeric code, if the lab knows it.
  public init?(code: UInt16) {
    guard let t = Self.byCode[code] else { return nil }
    self = t
  }

  /// Every known type by its code, built once (not a walk over `allCases` per query).
  private static let byCode: [UInt16: RRType] = Dictionary(
    allCases.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
}
