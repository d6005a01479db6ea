import CoreDNS
import Foundation
import Testing

@testable import Wire

#if canImport(Glibc)
  import Glibc
#endif

/// The server's batched paths: datagrams read and answered 32 at a time (`recvmmsg` and
/// `sendmmsg`, each reply written over its query), TCP frames several to a read, and the log
/// written a batch at a time. Whatever the batching, each query gets exactly the reply
/// `Responder` renders for it alone.
@Suite(.serialized) struct BatchTests {
  /// Names whose answers have at most one record per section, so no shuffle makes two
  /// renderings differ.
  static let names: [(String, UInt16)] = [
    ("web.default.svc.cluster.local.", 1), ("WEB.Default.svc.cluster.local.", 1),
    ("web.default.svc.cluster.local.", 28), ("_http._tcp.web.default.svc.cluster.local.", 33),
    ("ext.default.svc.cluster.local.", 5), ("cluster.local.", 6),
    ("missing.default.svc.cluster.local.", 1), ("example.com.", 16),
    ("web.default.svc.cluster.local.", 65534),
  ]

  /// The i-th message of a test stream: mostly queries, and every 13th a runt (shorter than
  /// a header) or a response, which get no reply.
  static func message(_ i: Int) -> (bytes: [UInt8], answered: Bool) {
    let (name, type) = names[i % names.count]
    var q = queryBytes(name, type, id: UInt16(i), edns: i % 2 == 0 ? 1232 : nil)
    if i % 13 == 5 { return (Array(q.prefix(5)), false) }
    if i % 13 == 11 {
      q[2] |= 0x80
      return (q, false)
    }
    return (q, true)
  }

  /// Every datagram is queued before the server starts, so it reads them in full batches.
  @Test(arguments: [1, 31, 32, 33, 150])
  func queuedDatagramsAreEachAnsweredAsAlone(_ count: Int) throws {
    let engine = WireFixture.server()
    let server = try WireServer(listen: ["127.0.0.1:0"], engine: engine)
    defer { server.stop() }
    let fd = timedSocket(SOCK_DGRAM)
    defer { close(fd) }
    var to = loopback(port(server))
    let messages = (0..<count).map(Self.message)
    for m in messages {
      let sent = m.bytes.withUnsafeBytes { q in
        withUnsafePointer(to: &to) {
          $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(fd, q.baseAddress, q.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
          }
        }
      }
      try #require(sent == m.bytes.count)
    }
    server.start()
    var replies: [UInt16: [UInt8]] = [:]
    var buf = [UInt8](repeating: 0, count: 65535)
    while true {
      let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if n <= 0 { break }
      replies[UInt16(buf[0]) << 8 | UInt16(buf[1])] = Array(buf[0..<n])
      if replies.count == messages.filter(\.answered).count { break }
    }
    for (i, m) in messages.enumerated() {
      let want = m.answered ? ask(engine, m.bytes).1 : nil
      #expect(replies[UInt16(i)] == want, "message \(i) of \(count)")
    }
    let answered = messages.filter(\.answered).count
    let s = server.currentStats()
    #expect(s.udpQueries == count && s.replies == answered && s.dropped == count - answered)
    #expect(server.queryLog().count == answered)
  }

  /// Frames sent in one write, one split across writes, and a runt frame: each query's
  /// reply, in order, framed, and nothing for the runt.
  @Test func tcpFramesInOneStream() throws {
    let fd = timedSocket(SOCK_STREAM)
    defer { close(fd) }
    let engine = WireFixture.server()
    let server = try WireServer(listen: ["127.0.0.1:0"], engine: engine)
    server.start()
    defer { server.stop() }
    var to = loopback(port(server))
    let ok = withUnsafePointer(to: &to) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    try #require(ok == 0)
    let messages = (0..<12).map(Self.message)
    var stream: [UInt8] = []
    for m in messages {
      stream += [UInt8(m.bytes.count >> 8), UInt8(m.bytes.count & 0xFF)] + m.bytes
    }
    // The first half in one write, the rest a byte at a time.
    let half = stream.count / 2
    _ = stream.withUnsafeBytes { send(fd, $0.baseAddress, half, 0) }
    for i in half..<stream.count {
      _ = stream.withUnsafeBytes { send(fd, $0.baseAddress! + i, 1, 0) }
    }
    var want: [UInt8] = []
    for m in messages where m.answered {
      let r = try #require(ask(engine, m.bytes, tcp: true).1)
      want += [UInt8(r.count >> 8), UInt8(r.count & 0xFF)] + r
    }
    var got: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65535)
    while got.count < want.count {
      let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if n <= 0 { break }
      got += buf[0..<n]
    }
    #expect(got == want)
    #expect(server.currentStats().tcpQueries == messages.count)
  }

  /// The log keeps the last `limit` answered (or named) queries and counts every query.
  @Test(arguments: [
    // limit, records (name, replied), kept names, logDropped
    (3, [("a", true), ("", false), ("b", true), ("c", false)], ["a", "b", "c"], 0),
    (2, [("a", true), ("b", true), ("c", true), ("d", true), ("e", true)], ["d", "e"], 3),
    (0, [("a", true), ("b", true)], [], 0),
    (1, [("", false), ("", false)], [], 0),
  ])
  func logKeepsTheLastEntries(
    _ limit: Int, _ records: [(String, Bool)], _ kept: [String], _ logDropped: Int
  ) {
    let log = WireLog(limit: limit)
    var batch = records.map { name, replied in
      WireLog.Record(
        entry: QueryLogEntry(
          time: 0, client: "", transport: "udp", name: name, type: "A", rcode: "", truncated: false
        ), overTCP: false, replied: replied)
    }
    // In two batches, so the ring wraps across them.
    var first = Array(batch.prefix(batch.count / 2))
    batch.removeFirst(first.count)
    log.record(&first)
    log.record(&batch)
    #expect(first.isEmpty && batch.isEmpty)
    #expect(log.entries.map(\.name) == kept)
    let s = log.currentStats
    #expect(s.udpQueries == records.count && s.logDropped == logDropped)
    #expect(s.replies == records.filter(\.1).count)
    log.clear()
    #expect(log.entries.isEmpty)
  }
}
