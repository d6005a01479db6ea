import CoreDNS
import Testing

@testable import Wire

/// The rendered-reply cache (`DNSServer.rendered` / `remember(rendered:…)`, emptied with the
/// answer memo) must be invisible: every request answered by a server that keeps replies
/// gets the same bytes and the same log entry as from one that renders each reply.
@Suite struct RenderedReplyTests {
  /// Requests that differ only in the ID, letter case, RD, EDNS size, transport or class,
  /// including a headless answer loadbalance shuffles and one too large for 512 bytes.
  static let requests: [([UInt8], Bool)] = {
    var out: [([UInt8], Bool)] = []
    let names: [(String, UInt16)] = [
      ("web.default.svc.cluster.local.", 1), ("WEB.default.svc.cluster.local.", 1),
      ("web.default.svc.cluster.local.", 28), ("_http._tcp.web.default.svc.cluster.local.", 33),
      ("db.default.svc.cluster.local.", 1), ("_pg._tcp.db.default.svc.cluster.local.", 33),
      ("20.0.96.10.in-addr.arpa.", 12), ("ext.default.svc.cluster.local.", 1),
      ("cluster.local.", 2), ("cluster.local.", 6), ("missing.default.svc.cluster.local.", 1),
      ("dns-version.cluster.local.", 16), ("example.com.", 15), ("cluster.local.", 252),
      ("web.default.svc.cluster.local.", 65534),
    ]
    for (name, type) in names {
      for (id, rd, edns) in [
        (UInt16(1), true, UInt16?.none), (2, false, 1232), (3, true, 512), (4, true, nil),
      ] {
        out.append((queryBytes(name, type, id: id, rd: rd, edns: edns), false))
      }
      out.append((queryBytes(name, type, id: 9), true))
      out.append((queryBytes(name, type, id: 10, rrclass: 3), false))
    }
    return out
  }()

  func run(
    _ server: DNSServer, cache: Bool, _ requests: [([UInt8], Bool)], rng: inout SeededRNG
  )
    -> [([UInt8]?, QueryLogEntry)]
  {
    requests.map { bytes, tcp in
      var log = QueryLogEntry(
        time: 0, client: "", transport: "", name: "", type: "", rcode: "", truncated: false)
      let reply = Responder.reply(to: bytes, overTCP: tcp, log: &log, cache: cache ? server : nil) {
        n, t in
        server.query(name: n, type: t, client: nil, using: &rng)
      }
      return (reply, log)
    }
  }

  @Test func cachedRepliesAreTheRenderedOnes() {
    for (headless, loadbalance) in [(3, false), (3, true), (60, true)] {
      let cached = WireFixture.server(headless: headless)
      let rendered = WireFixture.server(headless: headless)
      cached.settings.loadbalance = loadbalance
      rendered.settings.loadbalance = loadbalance
      var a = SeededRNG(seed: 11)
      var b = SeededRNG(seed: 11)
      // Twice through, so the second pass is answered from kept replies.
      let requests = Self.requests + Self.requests
      let got = run(cached, cache: true, requests, rng: &a)
      let want = run(rendered, cache: false, requests, rng: &b)
      for (i, (g, w)) in zip(got, want).enumerated() {
        #expect(g.0 == w.0, "request \(i) (headless \(headless), loadbalance \(loadbalance))")
        #expect(g.1 == w.1, "request \(i) (headless \(headless), loadbalance \(loadbalance))")
      }
    }
  }

  /// A second pass really is served from the cache, with the ID of the new request.
  @Test func repeatedRequestIsServedFromTheCache() throws {
    let server = WireFixture.server()
    let first = queryBytes("web.default.svc.cluster.local.", 1, id: 0x0101)
    let again = queryBytes("web.default.svc.cluster.local.", 1, id: 0x0202)
    var calls = 0
    var log = QueryLogEntry(
      time: 0, client: "", transport: "", name: "", type: "", rcode: "", truncated: false)
    var rng = SeededRNG(seed: 1)
    let r1 = Responder.reply(to: first, overTCP: false, log: &log, cache: server) { n, t in
      calls += 1
      return server.query(name: n, type: t, using: &rng)
    }
    let r2 = Responder.reply(to: again, overTCP: false, log: &log, cache: server) { n, t in
      calls += 1
      return server.query(name: n, type: t, using: &rng)
    }
    #expect(calls == 1)
    let m1 = try WireMessage(parsing: try #require(r1))
    let m2 = try WireMessage(parsing: try #require(r2))
    #expect(m1.header.id == 0x0101)
    #expect(m2.header.id == 0x0202)
    #expect(Array(r1!.dropFirst(2)) == Array(r2!.dropFirst(2)))
    #expect(
      log.name == "web.default.svc.cluster.local." && log.type == "A" && log.rcode == "NOERROR")
  }

  /// Any change to what an answer reads empties the kept replies with the answers (one place:
  /// the memo's `invalidate`): the next reply carries the change.
  @Test func changeIsSeenByTheNextRequest() throws {
    let server = WireFixture.server()
    var rng = SeededRNG(seed: 1)
    let q = queryBytes("web.default.svc.cluster.local.", 1)
    func ask() throws -> WireMessage {
      var log = QueryLogEntry(
        time: 0, client: "", transport: "", name: "", type: "", rcode: "", truncated: false)
      let r = Responder.reply(to: q, overTCP: false, log: &log, cache: server) { n, t in
        server.query(name: n, type: t, using: &rng)
      }
      return try WireMessage(parsing: try #require(r))
    }
    #expect(try ask().answer.map(\.ttl) == [5])
    server.settings.ttl = 30
    #expect(try ask().answer.map(\.ttl) == [30])
    server.apply(
      .service(
        old: DNSService(
          namespace: "default", name: "web", clusterIPs: [ip("10.96.0.20"), ip("fd00:10:96::20")],
          ports: [DNSServicePort(name: "http", port: 80)]), new: nil), at: 1_700_000_100)
    #expect(try ask().header.rcode == 3)
  }
}
