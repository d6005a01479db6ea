import CoreDNS
import Testing

@testable import Wire

@Suite struct CodecTests {
  @Test func roundTripKeepsEveryField() throws {
    var h = WireHeader(id: 0xBEEF)
    h.qr = true
    h.aa = true
    h.rd = true
    h.rcode = 3
    var m = WireMessage(header: h)
    m.questions = [WireQuestion(name: "Web.Default.svc.cluster.local.", type: 1)]
    m.answer = [
      WireRecord(
        name: "Web.Default.svc.cluster.local.", type: 1, rrclass: 1, ttl: 5, data: "10.96.0.20"),
      WireRecord(
        name: "web.default.svc.cluster.local.", type: 28, rrclass: 1, ttl: 5, data: "fd00:10:96::20"
      ),
      WireRecord(
        name: "_http._tcp.web.default.svc.cluster.local.", type: 33, rrclass: 1, ttl: 5,
        data: "0 100 80 web.default.svc.cluster.local."),
      WireRecord(
        name: "cluster.local.", type: 6, rrclass: 1, ttl: 5,
        data: "ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 5"),
      WireRecord(
        name: "dns-version.cluster.local.", type: 16, rrclass: 1, ttl: 5, data: "\"1.1.0\""),
      WireRecord(name: "x.", type: 16, rrclass: 1, ttl: 5, data: "\"a \\\"b\\\"\" \"\\001\""),
      WireRecord(
        name: "20.0.96.10.in-addr.arpa.", type: 12, rrclass: 1, ttl: 5,
        data: "web.default.svc.cluster.local."),
      WireRecord(name: "e.", type: 15, rrclass: 1, ttl: 5, data: "10 mail.e."),
      WireRecord(name: "e.", type: 65000, rrclass: 1, ttl: 5, data: "\\# 3 0a0b0c"),
    ]
    m.edns = WireEDNS(udpSize: 1232, dnssecOK: true)
    let bytes = try m.bytes()
    let back = try WireMessage(parsing: bytes)
    var counted = m
    counted.header.qdcount = 1
    counted.header.ancount = UInt16(m.answer.count)
    counted.header.arcount = 1
    #expect(back == counted)
    // Compression: the repeated zone is written once.
    let plain = bytes.count
    var w = WireWriter(compress: false)
    w.header(h)
    for q in m.questions { try w.question(q) }
    for r in m.answer { try w.record(r) }
    #expect(plain < w.bytes.count)
  }

  @Test func escapedLabelsSurvive() throws {
    var m = WireMessage(header: WireHeader(id: 1))
    m.questions = [WireQuestion(name: "a\\.b.c\\032d.\\255.", type: 1)]
    let back = try WireMessage(parsing: try m.bytes())
    #expect(back.questions[0].name == "a\\.b.c\\032d.\\255.")
  }

  /// Malformed input, each with the error a strict reader gives.
  @Test(
    arguments: [
      ("short header", [UInt8](repeating: 0, count: 11), WireError.truncated),
      (
        "pointer to itself", [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1], .badPointer
      ),
      (
        "pointer forward", [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 14, 0, 0, 1, 0, 1],
        .badPointer
      ),
      (
        "two-pointer loop", [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0xC0, 12, 0, 1, 0, 1],
        .badPointer
      ),
      ("label past end", [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0x61, 0x62], .truncated),
      (
        "reserved label type", [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 1, 0, 1],
        .badLabelType
      ),
      ("question without type", [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1], .truncated),
      ("answer count lies", [0, 1, 0, 0, 0, 1, 0, 9, 0, 0, 0, 0, 0, 0, 1, 0, 1], .truncated),
      (
        "rdlength past end",
        [0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 9, 1, 2], .truncated
      ),
    ] as [(String, [UInt8], WireError)])
  func malformedIsRefused(_ name: String, _ bytes: [UInt8], _ error: WireError) {
    #expect(throws: error, "\(name)") { try WireMessage(parsing: bytes) }
  }

  @Test func nameOverLongIsRefused() {
    // 130 labels of one octet: 261 octets in wire form.
    var b: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    for _ in 0..<130 { b += [1, 0x61] }
    b += [0, 0, 1, 0, 1]
    #expect(throws: WireError.nameTooLong) { try WireMessage(parsing: b) }
    #expect(WireName.labels(String(repeating: "a.", count: 128)) == nil)
    #expect(WireName.labels("a..b") == nil)
    #expect(WireName.labels(String(repeating: "x", count: 64)) == nil)
  }
}
