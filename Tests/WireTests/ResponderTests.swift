import CoreDNS
import Testing

@testable import Wire

@Suite struct ResponderTests {
  /// Every record kind the lab answers: the decoded wire reply equals `query`'s reply field
  /// by field (records, rcode, AA, TC, RA), with the query's ID, RD and letter case echoed.
  @Test(arguments: [
    ("web.default.svc.cluster.local.", RRType.a),
    ("Web.DEFAULT.svc.cluster.local.", .a),
    ("web.default.svc.cluster.local.", .aaaa),
    ("_http._tcp.web.default.svc.cluster.local.", .srv),
    ("_pg._tcp.db.default.svc.cluster.local.", .srv),
    ("db.default.svc.cluster.local.", .a),
    ("20.0.96.10.in-addr.arpa.", .ptr),
    ("ext.default.svc.cluster.local.", .cname),
    ("ext.default.svc.cluster.local.", .a),
    ("cluster.local.", .ns),
    ("cluster.local.", .soa),
    ("nothere.default.svc.cluster.local.", .a),
    ("web.default.svc.cluster.local.", .mx),
    ("dns-version.cluster.local.", .txt),
    ("example.com.", .txt),
    ("example.com.", .mx),
    ("nowhere.test.", .a),
    ("cluster.local.", .axfr),
  ])
  func wireEqualsEngine(_ name: String, _ type: RRType) throws {
    let server = WireFixture.server()
    var rng = SeededRNG(seed: 7)
    let want = server.query(name: name, type: type, client: nil, using: &rng)
    for (rd, edns) in [(true, UInt16?.none), (false, UInt16?(1232))] {
      let (reply, _) = ask(server, queryBytes(name, type.code, id: 0xA1B2, rd: rd, edns: edns))
      let m = try #require(reply)
      #expect(m.header.id == 0xA1B2)
      #expect(m.header.qr)
      #expect(m.header.rd == rd)
      #expect(m.header.aa == want.flags.aa)
      #expect(m.header.ra == want.flags.ra)
      #expect(m.header.tc == want.flags.tc)
      #expect(m.header.rcode == want.rcode.code)
      #expect(m.questions == [WireQuestion(name: name, type: type.code)])
      #expect(m.answer == want.answer.map(Responder.wire))
      #expect(m.authority == want.authority.map(Responder.wire))
      #expect(m.additional == want.additional.map(Responder.wire))
      #expect(m.edns == edns.map { WireEDNS(udpSize: $0) })
    }
  }

  /// What the server itself answers before any plugin, as miekg/dns and CoreDNS write it.
  @Test func serverLevelErrors() throws {
    let server = WireFixture.server()
    // Not a query (QR set) and shorter than a header: no reply at all.
    var response = queryBytes("web.default.svc.cluster.local.", 1)
    response[2] |= 0x80
    #expect(ask(server, response).1 == nil)
    #expect(ask(server, [0, 1, 2]).1 == nil)
    // Opcode STATUS (2): NOTIMP, header only, opcode kept.
    var status = queryBytes("web.default.svc.cluster.local.", 1)
    status[2] |= 2 << 3
    let notimp = try #require(ask(server, status).0)
    #expect(notimp.header.rcode == 4 && notimp.header.opcode == 2 && notimp.questions.isEmpty)
    // Two questions: FORMERR, header only.
    var two = queryBytes("web.default.svc.cluster.local.", 1)
    two[5] = 2
    let formerr = try #require(ask(server, two).0)
    #expect(formerr.header.rcode == 1 && formerr.header.id == 0x1234 && formerr.questions.isEmpty)
    // A question that cannot be read: FORMERR.
    let broken: [UInt8] = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]
    #expect(try #require(ask(server, broken).0).header.rcode == 1)
    // Class CHAOS: REFUSED with the question.
    let chaos = try #require(ask(server, queryBytes("version.bind.", 16, rrclass: 3)).0)
    #expect(chaos.header.rcode == 5 && chaos.questions.count == 1)
    // EDNS version 1: BADVERS (extended rcode 16: 1 in the OPT's upper bits, 0 below).
    var v1 = WireMessage(header: WireHeader(id: 9))
    v1.questions = [WireQuestion(name: "web.default.svc.cluster.local.", type: 1)]
    v1.edns = WireEDNS(udpSize: 1232, version: 1)
    let badvers = try #require(ask(server, try v1.bytes()).0)
    #expect(badvers.header.rcode == 0 && badvers.edns?.extendedRcode == 1 && badvers.answer.isEmpty)
    // AXFR: REFUSED from the kubernetes plugin.
    let axfr = try #require(ask(server, queryBytes("cluster.local.", 252)).0)
    #expect(axfr.header.rcode == 5)
  }

  /// A headless Service with 100 endpoints does not fit in 512 bytes: over UDP the reply is
  /// truncated with TC, within the client's size; over TCP it comes whole.
  @Test func truncationAsCoreDNS() throws {
    let server = WireFixture.server(headless: 100)
    let name = "db.default.svc.cluster.local."
    let (udp, udpBytes) = ask(server, queryBytes(name, 1))
    let short = try #require(udp)
    #expect(short.header.tc)
    #expect(try #require(udpBytes).count <= 512)
    #expect(!short.answer.isEmpty && short.answer.count < 100)
    let (edns, ednsBytes) = ask(server, queryBytes(name, 1, edns: 1232))
    #expect(try #require(ednsBytes).count <= 1232)
    #expect(try #require(edns).header.tc)
    #expect(edns?.edns == WireEDNS(udpSize: 1232))
    let (tcp, _) = ask(server, queryBytes(name, 1), tcp: true)
    let whole = try #require(tcp)
    #expect(!whole.header.tc)
    #expect(whole.answer.count == 100)
    // A client size below 512 counts as 512 (RFC 6891 §6.2.5).
    let (tiny, tinyBytes) = ask(server, queryBytes(name, 1, edns: 100))
    #expect(try #require(tinyBytes).count <= 512 && tiny?.header.tc == true)
    // Small answers are never truncated.
    #expect(ask(server, queryBytes("web.default.svc.cluster.local.", 1)).0?.header.tc == false)
  }

  /// Seeded random packets and mutations of real queries: no crash, and every reply is a
  /// readable message no larger than 512 bytes (no EDNS) or the advertised size.
  @Test func packetFuzz() throws {
    let server = WireFixture.server(headless: 40)
    var rng = SeededRNG(seed: 2026)
    let seeds: [[UInt8]] = [
      queryBytes("web.default.svc.cluster.local.", 1),
      queryBytes("_http._tcp.web.default.svc.cluster.local.", 33, edns: 4096),
      queryBytes("db.default.svc.cluster.local.", 1, edns: 512),
      queryBytes("20.0.96.10.in-addr.arpa.", 12),
    ]
    var replies = 0
    for round in 0..<20_000 {
      var p: [UInt8]
      if round % 4 == 0 {
        p = (0..<Int(rng.next() % 80)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      } else {
        p = seeds[Int(rng.next() % UInt64(seeds.count))]
        for _ in 0..<(1 + Int(rng.next() % 4)) {
          switch rng.next() % 4 {
          case 0: p[Int(rng.next() % UInt64(p.count))] = UInt8(truncatingIfNeeded: rng.next())
          case 1: p = Array(p.prefix(Int(rng.next() % UInt64(p.count + 1))))
          case 2: p.append(UInt8(truncatingIfNeeded: rng.next()))
          default: if p.count > 12 { p[12 + Int(rng.next() % UInt64(p.count - 12))] = 0xC0 }
          }
          if p.isEmpty { break }
        }
      }
      let (_, bytes) = ask(server, p)
      guard let bytes else { continue }
      replies += 1
      let m = try WireMessage(parsing: bytes)
      let limit = max(512, Int((try? WireMessage(parsing: p))?.edns?.udpSize ?? 512))
      #expect(bytes.count <= limit)
      #expect(m.header.qr)
    }
    #expect(replies > 1000)
  }
}
