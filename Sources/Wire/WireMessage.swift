/// One question as it came on the wire: the name as sent (letter case kept), type and class.
public struct WireQuestion: Hashable, Sendable {
  public var name: String
  public var type: UInt16
  public var rrclass: UInt16
  public init(name: String, type: UInt16, rrclass: UInt16 = 1) {
    self.name = name
    self.type = type
    self.rrclass = rrclass
  }
}

/// One resource record: its data both as wire bytes (names expanded, no pointers) and in
/// presentation format as the lab's records carry it (`RData.presentation`).
public struct WireRecord: Hashable, Sendable {
  public var name: String
  public var type: UInt16
  public var rrclass: UInt16
  public var ttl: UInt32
  public var data: String
  public init(name: String, type: UInt16, rrclass: UInt16, ttl: UInt32, data: String) {
    self.name = name
    self.type = type
    self.rrclass = rrclass
    self.ttl = ttl
    self.data = data
  }
}

/// The EDNS0 OPT pseudo-record's fields (RFC 6891 §6.1.3).
public struct WireEDNS: Hashable, Sendable {
  public var udpSize: UInt16
  public var extendedRcode: UInt8
  public var version: UInt8
  public var dnssecOK: Bool
  public init(udpSize: UInt16, extendedRcode: UInt8 = 0, version: UInt8 = 0, dnssecOK: Bool = false)
  {
    self.udpSize = udpSize
    self.extendedRcode = extendedRcode
    self.version = version
    self.dnssecOK = dnssecOK
  }
}

/// The fixed 12-byte header (RFC 1035 §4.1.1).
public struct WireHeader: Hashable, Sendable {
  public var id: UInt16
  public var bits: UInt16
  public var qdcount: UInt16
  public var ancount: UInt16
  public var nscount: UInt16
  public var arcount: UInt16

  public init(
    id: UInt16 = 0, bits: UInt16 = 0, qdcount: UInt16 = 0, ancount: UInt16 = 0, nscount: UInt16 = 0,
    arcount: UInt16 = 0
  ) {
    self.id = id
    self.bits = bits
    self.qdcount = qdcount
    self.ancount = ancount
    self.nscount = nscount
    self.arcount = arcount
  }

  /// Reads a header; nil when fewer than 12 bytes came.
  public init?(_ b: UnsafeRawBufferPointer) {
    guard b.count >= 12 else { return nil }
    func u16(_ i: Int) -> UInt16 { UInt16(b[i]) << 8 | UInt16(b[i + 1]) }
    self.init(
      id: u16(0), bits: u16(2), qdcount: u16(4), ancount: u16(6), nscount: u16(8), arcount: u16(10))
  }

  public var qr: Bool {
    get { bit(15) }
    set { set(15, newValue) }
  }
  public var aa: Bool {
    get { bit(10) }
    set { set(10, newValue) }
  }
  public var tc: Bool {
    get { bit(9) }
    set { set(9, newValue) }
  }
  public var rd: Bool {
    get { bit(8) }
    set { set(8, newValue) }
  }
  public var ra: Bool {
    get { bit(7) }
    set { set(7, newValue) }
  }
  public var z: Bool {
    get { bit(6) }
    set { set(6, newValue) }
  }
  public var ad: Bool {
    get { bit(5) }
    set { set(5, newValue) }
  }
  public var cd: Bool {
    get { bit(4) }
    set { set(4, newValue) }
  }
  public var opcode: Int {
    get { Int(bits >> 11) & 0xF }
    set { bits = bits & ~(0xF << 11) | UInt16(newValue & 0xF) << 11 }
  }
  public var rcode: Int {
    get { Int(bits & 0xF) }
    set { bits = bits & ~0xF | UInt16(newValue & 0xF) }
  }
  private func bit(_ n: Int) -> Bool { bits & (1 << n) != 0 }
  private mutating func set(_ n: Int, _ on: Bool) {
    if on { bits |= 1 << n } else { bits &= ~(1 << n) }
  }
}

/// A whole message, read from or written to wire bytes.
public struct WireMessage: Hashable, Sendable {
  public var header: WireHeader
  public var questions: [WireQuestion] = []
  public var answer: [WireRecord] = []
  public var authority: [WireRecord] = []
  /// Additional records other than OPT.
  public var additional: [WireRecord] = []
  public var edns: WireEDNS?

  public init(header: WireHeader) { self.header = header }

  /// Reads a message. Counts that promise more than the bytes hold fail with `truncated`
  /// (each record needs at least 11 bytes, so a lying count ends the loop quickly); a second
  /// OPT or an OPT not owned by the root is `badData`.
  public init(parsing bytes: [UInt8]) throws(WireError) {
    var partial = WireMessage(header: WireHeader())
    let result: Result<WireMessage, WireError> = bytes.withUnsafeBytes { b in
      do throws(WireError) {
        try Self.parse(b, into: &partial)
        return .success(partial)
      } catch {
        return .failure(error)
      }
    }
    self = try result.get()
  }

  /// Reads as much as can be read into `m`: the question stays when a later section fails.
  static func parse(_ b: UnsafeRawBufferPointer, into m: inout WireMessage) throws(WireError) {
    guard let h = WireHeader(b) else { throw .truncated }
    m.header = h
    var off = 12
    for _ in 0..<h.qdcount {
      let (name, next) = try WireName.read(b, at: off)
      guard next + 4 <= b.count else { throw .truncated }
      let type = UInt16(b[next]) << 8 | UInt16(b[next + 1])
      let cls = UInt16(b[next + 2]) << 8 | UInt16(b[next + 3])
      m.questions.append(WireQuestion(name: name, type: type, rrclass: cls))
      off = next + 4
    }
    for _ in 0..<h.ancount { m.answer.append(try record(b, &off)) }
    for _ in 0..<h.nscount { m.authority.append(try record(b, &off)) }
    for _ in 0..<h.arcount {
      let start = off
      let (name, next) = try WireName.read(b, at: off)
      guard next + 10 <= b.count else { throw .truncated }
      if UInt16(b[next]) << 8 | UInt16(b[next + 1]) == 41 {
        guard name == ".", m.edns == nil else { throw .badData("OPT") }
        let cls = UInt16(b[next + 2]) << 8 | UInt16(b[next + 3])
        let rdlen = Int(b[next + 8]) << 8 | Int(b[next + 9])
        guard next + 10 + rdlen <= b.count else { throw .truncated }
        m.edns = WireEDNS(
          udpSize: cls, extendedRcode: b[next + 4], version: b[next + 5],
          dnssecOK: b[next + 6] & 0x80 != 0)
        off = next + 10 + rdlen
      } else {
        off = start
        m.additional.append(try record(b, &off))
      }
    }
  }

  private static func record(
    _ b: UnsafeRawBufferPointer, _ off: inout Int
  ) throws(WireError) -> WireRecord {
    let (name, next) = try WireName.read(b, at: off)
    guard next + 10 <= b.count else { throw .truncated }
    func u16(_ i: Int) -> UInt16 { UInt16(b[i]) << 8 | UInt16(b[i + 1]) }
    let type = u16(next)
    let cls = u16(next + 2)
    let ttl = UInt32(u16(next + 4)) << 16 | UInt32(u16(next + 6))
    let rdlen = Int(u16(next + 8))
    let start = next + 10
    guard start + rdlen <= b.count else { throw .truncated }
    let data = try RData.presentation(type: type, b, start: start, length: rdlen)
    off = start + rdlen
    return WireRecord(name: name, type: type, rrclass: cls, ttl: ttl, data: data)
  }

  /// The message as wire bytes, names compressed, no truncation.
  public func bytes() throws(WireError) -> [UInt8] {
    var w = WireWriter(compress: true)
    var h = header
    h.qdcount = UInt16(questions.count)
    h.ancount = UInt16(answer.count)
    h.nscount = UInt16(authority.count)
    h.arcount = UInt16(additional.count + (edns == nil ? 0 : 1))
    w.header(h)
    for q in questions { try w.question(q) }
    for r in answer + authority + additional { try w.record(r) }
    if let edns { w.opt(edns) }
    return w.bytes
  }
}

/// Writes a message front to back, remembering where each name suffix was written so later
/// names can point at it (RFC 1035 §4.1.4).
struct WireWriter {
  var bytes: [UInt8] = []
  let compress: Bool
  private var table: [[UInt8]: Int] = [:]
  /// Suffixes added to `table`, in order, so a record can be taken back (`rollback`).
  private var added: [[UInt8]] = []

  init(compress: Bool, capacity: Int = 512) {
    self.compress = compress
    bytes.reserveCapacity(capacity)
  }

  mutating func u16(_ v: UInt16) {
    bytes.append(UInt8(v >> 8))
    bytes.append(UInt8(v & 0xFF))
  }

  mutating func u32(_ v: UInt32) {
    u16(UInt16(v >> 16))
    u16(UInt16(v & 0xFFFF))
  }

  mutating func header(_ h: WireHeader) {
    u16(h.id)
    u16(h.bits)
    u16(h.qdcount)
    u16(h.ancount)
    u16(h.nscount)
    u16(h.arcount)
  }

  /// Rewrites the four section counts of the header already written.
  mutating func counts(qd: Int, an: Int, ns: Int, ar: Int) {
    for (i, v) in [qd, an, ns, ar].enumerated() {
      bytes[4 + 2 * i] = UInt8(v >> 8)
      bytes[5 + 2 * i] = UInt8(v & 0xFF)
    }
  }

  /// Writes a presentation name; `pointing` false writes it whole (SRV targets, RFC 2782) but
  /// still lets later names point into it.
  mutating func name(_ text: String, pointing: Bool = true) throws(WireError) {
    if !compress {
      // No table to keep: the labels go straight into the bytes, with no per-label arrays.
      var utf8 = text
      guard utf8.withUTF8({ plainName($0) }) else { throw .badName(text) }
      return
    }
    guard let labels = WireName.labels(text) else { throw .badName(text) }
    var key: [UInt8] = []
    for i in labels.indices {
      // The suffix from label i on, in wire form without pointers, is the table's key.
      key.removeAll(keepingCapacity: true)
      for l in labels[i...] {
        key.append(UInt8(l.count))
        key.append(contentsOf: l)
      }
      if compress && pointing, let at = table[key] {
        u16(0xC000 | UInt16(at))
        return
      }
      if compress && bytes.count < 0x3FFF && table[key] == nil {
        table[key] = bytes.count
        added.append(key)
      }
      bytes.append(UInt8(labels[i].count))
      bytes.append(contentsOf: labels[i])
    }
    bytes.append(0)
  }

  /// Writes a presentation name uncompressed, as `WireName.labels` reads it (same escapes,
  /// same limits); false, with nothing written, when it is not a valid name.
  private mutating func plainName(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = bytes.count
    if b.count == 1 && b[0] == UInt8(ascii: ".") {
      bytes.append(0)
      return true
    }
    if b.isEmpty { return false }
    var lengthAt = bytes.count
    bytes.append(0)
    var length = 0
    var endedWithDot = false
    var i = 0
    func digit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    while i < b.count {
      let c = b[i]
      endedWithDot = false
      if c == UInt8(ascii: "\\") {
        guard i + 1 < b.count else { return failName(start) }
        let n = b[i + 1]
        if digit(n) {
          guard i + 3 < b.count else { return failName(start) }
          var v = 0
          for k in 1...3 {
            guard digit(b[i + k]) else { return failName(start) }
            v = v * 10 + Int(b[i + k] - UInt8(ascii: "0"))
          }
          guard v <= 255 else { return failName(start) }
          bytes.append(UInt8(v))
          i += 4
        } else {
          bytes.append(n)
          i += 2
        }
        length += 1
      } else if c == UInt8(ascii: ".") {
        guard length > 0, length <= 63 else { return failName(start) }
        bytes[lengthAt] = UInt8(length)
        lengthAt = bytes.count
        bytes.append(0)
        length = 0
        i += 1
        endedWithDot = true
      } else {
        bytes.append(c)
        length += 1
        i += 1
      }
    }
    if !endedWithDot {
      guard length > 0, length <= 63 else { return failName(start) }
      bytes[lengthAt] = UInt8(length)
      bytes.append(0)
    }
    // After a final dot the last length byte written is the root's zero.
    guard bytes.count - start <= WireName.maxLength else { return failName(start) }
    return true
  }

  private mutating func failName(_ start: Int) -> Bool {
    bytes.removeSubrange(start...)
    return false
  }

  mutating func question(_ q: WireQuestion) throws(WireError) {
    try name(q.name)
    u16(q.type)
    u16(q.rrclass)
  }

  mutating func record(_ r: WireRecord) throws(WireError) {
    try name(r.name)
    u16(r.type)
    u16(r.rrclass)
    u32(r.ttl)
    let lengthAt = bytes.count
    u16(0)
    try RData.write(type: r.type, r.data, into: &self)
    let n = bytes.count - lengthAt - 2
    guard n <= 0xFFFF else { throw .badData(r.data) }
    bytes[lengthAt] = UInt8(n >> 8)
    bytes[lengthAt + 1] = UInt8(n & 0xFF)
  }

  mutating func opt(_ e: WireEDNS) {
    bytes.append(0)
    u16(41)
    u16(e.udpSize)
    bytes.append(e.extendedRcode)
    bytes.append(e.version)
    u16(e.dnssecOK ? 0x8000 : 0)
    u16(0)
  }

  /// A mark to return to with `rollback`.
  var mark: (Int, Int) { (bytes.count, added.count) }

  /// Takes back everything written since `mark`, compression entries included.
  mutating func rollback(to mark: (Int, Int)) {
    bytes.removeSubrange(mark.0...)
    for key in added[mark.1...] { table[key] = nil }
    added.removeSubrange(mark.1...)
  }
}
