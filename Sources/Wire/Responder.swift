import CoreDNS
import NetAddr

/// One query the server received, for the query log.
public struct QueryLogEntry: Hashable, Sendable {
  /// Wall-clock time, seconds since the epoch.
  public var time: Double
  /// `ip:port` of the sender.
  public var client: String
  public var transport: String
  /// The question name as sent (letter case kept), or "" when none could be read.
  public var name: String
  /// The type's mnemonic (`A`, `SRV`, `TYPE65534` for one the lab does not know).
  public var type: String
  public var rcode: String
  public var truncated: Bool

  /// A query's entry before it is answered: the answer fills in the rest.
  public init(
    time: Double, client: String, transport: String, name: String = "", type: String = "",
    rcode: String = "", truncated: Bool = false
  ) {
    self.time = time
    self.client = client
    self.transport = transport
    self.name = name
    self.type = type
    self.rcode = rcode
    self.truncated = truncated
  }
}

/// Turns one query's bytes into the reply's bytes as CoreDNS (with the miekg/dns server
/// under it) would: silence for what is not a query, FORMERR / NOTIMP / REFUSED as the server
/// writes them, otherwise the engine's answer fitted to the client's buffer.
public enum Responder {
  /// The reply to `query`, or nil when the server stays silent (fewer than 12 bytes, or a
  /// message with QR set: answering those could be used to amplify or loop).
  /// - Parameters:
  ///   - overTCP: the reply's size limit is 65535 instead of the client's UDP payload size.
  ///   - answer: the engine, given the name as sent, the type and the client address.
  ///   - cache: the server whose answers `answer` gives, to keep this reply with them
  ///     (`DNSServer.remember(rendered:…)`) and answer the same request again from it; nil
  ///     renders every reply.
  public static func reply(
    to query: [UInt8], overTCP: Bool, log: inout QueryLogEntry, cache: DNSServer? = nil,
    answer: (String, RRType) -> DNSResponse
  ) -> [UInt8]? {
    var key: [UInt8] = []
    return query.withUnsafeBytes { b in
      guard
        var bytes = reply(b, overTCP: overTCP, log: &log, cache: cache, key: &key, answer: answer)
      else { return nil }
      bytes[0] = b[0]
      bytes[1] = b[1]
      return bytes
    }
  }

  /// The largest request whose reply is kept (a question and an OPT fit with room to spare).
  static let largestCachedRequest = 512

  /// The reply as `reply(to:)` makes it, except that its first two bytes (the ID, always the
  /// request's own) may be those of an earlier request answered the same way: the front end
  /// writes the request's ID itself, so a kept reply is sent without being copied.
  /// `key` is the caller's buffer for the cache key, reused from request to request.
  static func reply(
    _ b: UnsafeRawBufferPointer, overTCP: Bool, log: inout QueryLogEntry, cache: DNSServer?,
    key: inout [UInt8], answer: (String, RRType) -> DNSResponse
  ) -> [UInt8]? {
    guard let h = WireHeader(b), !h.qr else { return nil }
    // The reply depends on the request's bytes after the ID and on the transport (its size
    // limit); the same request again gets the same bytes with its own ID.
    key.removeAll(keepingCapacity: true)
    if let cache, b.count <= largestCachedRequest {
      key.append(overTCP ? 1 : 0)
      key.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[2...]))
      if let known = cache.rendered(key) {
        log.name = known.name
        log.type = known.type
        log.rcode = known.rcode
        log.truncated = known.truncated
        return known.bytes
      }
    }
    guard let bytes = render(b, h, overTCP: overTCP, log: &log, answer: answer) else { return nil }
    if let cache, !key.isEmpty, let (r, type) = bytes.answer {
      cache.remember(
        rendered: RenderedReply(
          bytes: bytes.bytes, name: log.name, type: log.type, rcode: log.rcode,
          truncated: log.truncated),
        for: key, answer: r, type: type)
    }
    return bytes.bytes
  }

  /// The reply's bytes, and the engine's answer they were made from when there was one.
  private static func render(
    _ b: UnsafeRawBufferPointer, _ h: WireHeader, overTCP: Bool, log: inout QueryLogEntry,
    answer: (String, RRType) -> DNSResponse
  ) -> (bytes: [UInt8], answer: (DNSResponse, RRType)?)? {
    func plain(_ bytes: [UInt8]?) -> (bytes: [UInt8], answer: (DNSResponse, RRType)?)? {
      bytes.map { ($0, nil) }
    }
    // miekg/dns's default accept function: NOTIMP for opcodes other than QUERY and NOTIFY,
    // FORMERR for section counts no query has; both echo only the header.
    if h.opcode != 0 && h.opcode != 4 {
      log.rcode = "NOTIMP"
      return plain(headerOnly(h, rcode: 4, keepOpcode: true))
    }
    if h.qdcount != 1 || h.ancount > 1 || h.nscount > 1 || h.arcount > 2 {
      log.rcode = "FORMERR"
      return plain(headerOnly(h, rcode: 1, keepOpcode: false))
    }
    var m = WireMessage(header: h)
    do throws(WireError) {
      try WireMessage.parse(b, into: &m)
    } catch {
      // An unreadable message: FORMERR with whatever question was read.
      log.rcode = "FORMERR"
      if let q = m.questions.first { (log.name, log.type) = (q.name, typeName(q.type)) }
      var out = WireMessage(header: formErrHeader(h))
      out.questions = Array(m.questions.prefix(1))
      return plain((try? out.bytes()) ?? headerOnly(h, rcode: 1, keepOpcode: false))
    }
    let q = m.questions[0]
    log.name = q.name
    log.type = typeName(q.type)
    // CoreDNS's server: REFUSED for a class other than IN (no chaos plugin in the Corefile),
    // BADVERS for an EDNS version other than 0.
    var reply = WireMessage(header: replyHeader(h))
    reply.questions = [q]
    if q.rrclass != 1 {
      log.rcode = "REFUSED"
      reply.header.rcode = 5
      reply.edns = m.edns.map { WireEDNS(udpSize: $0.udpSize, dnssecOK: $0.dnssecOK) }
      return plain(try? reply.bytes())
    }
    if let e = m.edns, e.version != 0 {
      log.rcode = "BADVERS"
      reply.edns = WireEDNS(udpSize: 0, extendedRcode: 1)
      return plain(try? reply.bytes())
    }
    // A type the lab has no name for is answered as the kubernetes plugin's default case
    // (NODATA or NXDOMAIN from a stand-in lookup); HINFO takes that path.
    let type = RRType(code: q.type) ?? .hinfo
    let r = answer(q.name, type)
    reply.header.aa = r.flags.aa
    reply.header.tc = r.flags.tc
    reply.header.ra = r.flags.ra
    reply.header.rcode = r.rcode.code
    log.rcode = r.rcode.rawValue
    reply.answer = r.answer.map(wire)
    reply.authority = r.authority.map(wire)
    reply.additional = r.additional.map(wire)
    // SizeAndDo: the request's OPT goes back with its size and DO bit, flags cleared.
    reply.edns = m.edns.map { WireEDNS(udpSize: $0.udpSize, dnssecOK: $0.dnssecOK) }
    let size = overTCP ? 65535 : max(512, Int(m.edns?.udpSize ?? 512))
    do throws(WireError) {
      let (bytes, tc) = try fit(reply, size: size)
      log.truncated = tc
      return (bytes, (r, type))
    } catch {
      // A record the codec cannot write (bad external data): SERVFAIL, as a plugin error.
      log.rcode = "SERVFAIL"
      var fail = WireMessage(header: replyHeader(h))
      fail.questions = [q]
      fail.header.rcode = 2
      fail.edns = reply.edns
      return plain(try? fail.bytes())
    }
  }

  static func wire(_ r: DNSRecord) -> WireRecord {
    WireRecord(name: r.name, type: r.type.code, rrclass: 1, ttl: r.ttl, data: r.data)
  }

  public static func typeName(_ code: UInt16) -> String {
    RRType(code: code)?.rawValue ?? (code == 41 ? "OPT" : "TYPE\(code)")
  }

  /// `SetReply`: ID, QR, opcode, and RD and CD copied for a QUERY.
  static func replyHeader(_ q: WireHeader) -> WireHeader {
    var h = WireHeader(id: q.id)
    h.qr = true
    h.opcode = q.opcode
    if q.opcode == 0 {
      h.rd = q.rd
      h.cd = q.cd
    }
    return h
  }

  /// `SetRcodeFormatError` on the request itself: its header bits kept, QR set, AA and Z
  /// cleared, opcode QUERY.
  static func formErrHeader(_ q: WireHeader) -> WireHeader {
    var h = WireHeader(id: q.id, bits: q.bits)
    h.qr = true
    h.aa = false
    h.z = false
    h.opcode = 0
    h.rcode = 1
    return h
  }

  static func headerOnly(_ q: WireHeader, rcode: Int, keepOpcode: Bool) -> [UInt8] {
    var h = formErrHeader(q)
    if keepOpcode { h.opcode = q.opcode }
    h.rcode = rcode
    var w = WireWriter(compress: false, capacity: 12)
    w.header(h)
    return w.bytes
  }

  /// miekg/dns's `Truncate(size)` as CoreDNS's `Scrub` calls it: a message that fits
  /// uncompressed goes out uncompressed (compressed over UDP past 1480 bytes); otherwise it is
  /// compressed and filled answer, authority, additional in order while records fit, room kept
  /// for the OPT, TC set if any record was left out.
  static func fit(_ m: WireMessage, size: Int) throws(WireError) -> ([UInt8], Bool) {
    var plain = WireWriter(compress: false)
    var h = m.header
    h.qdcount = UInt16(m.questions.count)
    h.ancount = UInt16(m.answer.count)
    h.nscount = UInt16(m.authority.count)
    h.arcount = UInt16(m.additional.count + (m.edns == nil ? 0 : 1))
    plain.header(h)
    for q in m.questions { try plain.question(q) }
    for r in m.answer { try plain.record(r) }
    for r in m.authority { try plain.record(r) }
    for r in m.additional { try plain.record(r) }
    if let e = m.edns { plain.opt(e) }
    if plain.bytes.count <= size && (size == 65535 || plain.bytes.count <= 1480) {
      return (plain.bytes, h.tc)
    }
    var w = WireWriter(compress: true, capacity: min(size, 65535))
    w.header(h)
    let budget = size - (m.edns == nil ? 0 : 11)
    for q in m.questions { try w.question(q) }
    var full = w.bytes.count >= budget
    func fill(_ rrs: [WireRecord]) throws(WireError) -> Int {
      guard !full else { return 0 }
      for (i, r) in rrs.enumerated() {
        let mark = w.mark
        try w.record(r)
        if w.bytes.count > budget {
          w.rollback(to: mark)
          full = true
          return i
        }
        if w.bytes.count == budget {
          full = true
          return i + 1
        }
      }
      return rrs.count
    }
    let an = try fill(m.answer)
    let ns = try fill(m.authority)
    let ar = try fill(m.additional)
    let tc = h.tc || an < m.answer.count || ns < m.authority.count || ar < m.additional.count
    if let e = m.edns { w.opt(e) }
    w.counts(qd: m.questions.count, an: an, ns: ns, ar: ar + (m.edns == nil ? 0 : 1))
    if tc { w.bytes[2] |= 0x02 }
    return (w.bytes, tc)
  }
}
