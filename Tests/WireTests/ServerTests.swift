import CoreDNS
import Foundation
import Testing

@testable import Wire

#if canImport(Glibc)
  import Glibc
#endif

/// The server on real loopback sockets: UDP answers, a published change visible to the next
/// query, the connection limit and the idle timeout.
@Suite(.serialized) struct ServerTests {
  /// One UDP exchange with a 2-second timeout; nil when nothing came back.
  func udp(_ port: UInt16, _ query: [UInt8]) -> [UInt8]? {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var tv = timeval(tv_sec: 2, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var to = loopback(port)
    _ = query.withUnsafeBytes { q in
      withUnsafePointer(to: &to) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          sendto(fd, q.baseAddress, q.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
    }
    var buf = [UInt8](repeating: 0, count: 65535)
    let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    return n > 0 ? Array(buf[0..<n]) : nil
  }

  func tcpConnect(_ port: UInt16) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var to = loopback(port)
    _ = withUnsafePointer(to: &to) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    return fd
  }

  @Test func answersAndSeesPublishedChanges() throws {
    let live = WireFixture.server()
    let server = try WireServer(listen: ["127.0.0.1:0"], engine: live)
    server.start()
    defer { server.stop() }
    let p = port(server)
    let late = "late.default.svc.cluster.local."
    let before = try WireMessage(parsing: try #require(udp(p, queryBytes(late, 1))))
    #expect(before.header.rcode == 3)
    live.apply(
      .service(
        old: nil,
        new: DNSService(
          namespace: "default", name: "late", clusterIPs: [ip("10.96.0.99")],
          ports: [DNSServicePort(name: "http", port: 80)])), at: 1_700_000_100)
    // Not yet published: the server still reads the old snapshot.
    #expect(try WireMessage(parsing: try #require(udp(p, queryBytes(late, 1)))).header.rcode == 3)
    server.publish(live)
    let after = try WireMessage(parsing: try #require(udp(p, queryBytes(late, 1))))
    #expect(after.header.rcode == 0)
    #expect(after.answer.map(\.data) == ["10.96.0.99"])
    let log = server.queryLog()
    #expect(log.count == 3 && log.allSatisfy { $0.name == late && $0.transport == "udp" })
    #expect(log.map(\.rcode) == ["NXDOMAIN", "NXDOMAIN", "NOERROR"])
    // Not a query: no reply, counted as dropped.
    var response = queryBytes(late, 1)
    response[2] |= 0x80
    #expect(udp(p, response) == nil)
    #expect(server.currentStats().dropped == 1)
  }

  @Test func connectionLimitIdleTimeoutAndBoundedLog() throws {
    var limits = WireServer.Limits()
    limits.connections = 2
    limits.idleTimeout = 0.5
    limits.logEntries = 3
    let server = try WireServer(
      listen: ["127.0.0.1:0"], engine: WireFixture.server(), limits: limits)
    server.start()
    defer { server.stop() }
    let p = port(server)
    let fds = (0..<3).map { _ in tcpConnect(p) }
    defer { for fd in fds { close(fd) } }
    usleep(300_000)
    var s = server.currentStats()
    #expect(s.tcpConnections == 2 && s.rejectedConnections == 1 && s.openConnections == 2)
    usleep(1_500_000)
    s = server.currentStats()
    #expect(s.idleClosed == 2 && s.openConnections == 0)
    for i in 0..<5 { _ = udp(p, queryBytes("q\(i).default.svc.cluster.local.", 1)) }
    let log = server.queryLog()
    #expect(log.map(\.name) == (2..<5).map { "q\($0).default.svc.cluster.local." })
    #expect(server.currentStats().logDropped == 2)
    server.stop()
    #expect(!server.isRunning)
    #expect(udp(p, queryBytes("web.default.svc.cluster.local.", 1)) == nil)
  }

  @Test func refusesWhatCannotBeBound() {
    #expect(throws: WireServerError.badAddress("nonsense")) {
      try WireServer(listen: ["nonsense"], engine: WireFixture.server())
    }
    #expect(throws: WireServerError.self) {
      try WireServer(listen: ["192.0.2.1:5353"], engine: WireFixture.server())
    }
  }
}
