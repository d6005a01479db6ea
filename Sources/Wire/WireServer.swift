import CDatagrams
import CoreDNS
import Foundation
import NetAddr

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// A DNS server on real sockets (UDP and TCP, RFC 1035 §4.2, RFC 7766) answering from a
/// `DNSServer` snapshot: one thread, one poll loop, every socket non-blocking.
///
/// ```swift
/// let server = try WireServer(listen: ["10.244.1.2:53"], engine: dns)  // binds at once
/// try server.start()
/// dns.onChange = { server.publish(dns) }  // each change visible to the next query
/// ...
/// server.stop()
/// ```
public final class WireServer: @unchecked Sendable {
  /// Bounds on what one server may hold.
  public struct Limits: Sendable {
    /// Open TCP connections; a connection past this is accepted and closed at once.
    public var connections = 128
    /// A TCP connection with nothing to read or write for this long is closed (seconds).
    public var idleTimeout: Double = 10
    /// Reply bytes waiting for one slow TCP reader; past this the connection stops being
    /// read until they drain.
    public var pendingOutput = 256 * 1024
    /// Entries kept in the query log (the oldest go first).
    public var logEntries = 10_000
    public init() {}
  }

  /// Counters since start.
  public struct Stats: Hashable, Sendable {
    public var udpQueries = 0
    public var tcpQueries = 0
    public var replies = 0
    public var truncated = 0
    /// Messages answered with nothing (shorter than a header, or not a query).
    public var dropped = 0
    public var tcpConnections = 0
    public var rejectedConnections = 0
    public var idleClosed = 0
    public var openConnections = 0
    /// Log entries dropped to keep the log within its bound.
    public var logDropped = 0
  }

  /// The addresses actually bound (`ip:port`), one per `listen` entry, port 0 resolved.
  public let addresses: [String]
  public let limits: Limits

  private let snapshot: DNSSnapshot
  private let lock = NSLock()
  private let log: WireLog
  private var udpFDs: [Int32] = []
  private var tcpFDs: [Int32] = []
  private var wake: [Int32] = [-1, -1]
  private var thread: Thread?
  private let done = DispatchSemaphore(value: 0)
  private var running = false

  /// Binds UDP and TCP sockets on each `ip:port` (`[v6]:port`); nothing is served until
  /// `start`. Port 0 takes a free port (the same one for UDP and TCP).
  /// - Throws: `WireServerError` naming the address that could not be parsed or bound.
  public init(listen: [String], engine: DNSServer, limits: Limits = Limits()) throws {
    self.limits = limits
    snapshot = DNSSnapshot(engine)
    log = WireLog(limit: limits.logEntries)
    var bound: [String] = []
    do {
      for text in listen {
        guard let (ip, port) = Self.parse(text) else { throw WireServerError.badAddress(text) }
        // Port 0: the free UDP port the kernel picks may be taken for TCP; then another.
        var attempt = 0
        while true {
          let udp = try Self.bindSocket(ip, port, datagram: true, text)
          do {
            let tcp = try Self.bindSocket(ip, Self.localPort(udp), datagram: false, text)
            guard Glibc.listen(tcp, 128) == 0 else {
              let why = String(cString: strerror(errno))
              close(tcp)
              throw WireServerError.bind(text, why)
            }
            udpFDs.append(udp)
            tcpFDs.append(tcp)
            break
          } catch {
            close(udp)
            attempt += 1
            if port != 0 || attempt == 16 { throw error }
          }
        }
        let actual = Self.localPort(udpFDs[udpFDs.count - 1])
        bound.append(ip.joined(port: Int(actual)))
      }
      guard pipe(&wake) == 0 else {
        throw WireServerError.bind("pipe", String(cString: strerror(errno)))
      }
      for fd in [wake[0], wake[1]] { Self.nonBlocking(fd) }
    } catch {
      for fd in udpFDs + tcpFDs { close(fd) }
      throw error
    }
    addresses = bound
  }

  deinit {
    stop()
    for fd in udpFDs + tcpFDs + wake where fd >= 0 { close(fd) }
  }

  /// Starts the serving thread.
  public func start() {
    lock.lock()
    defer { lock.unlock() }
    guard !running, thread == nil else { return }
    running = true
    let t = Thread { [self] in
      self.serve()
      self.done.signal()
    }
    t.name = "svclab-dns"
    thread = t
    t.start()
  }

  /// Stops serving and waits for the thread to end; the sockets close. Idempotent.
  public func stop() {
    lock.lock()
    let wasRunning = running
    running = false
    lock.unlock()
    guard wasRunning else { return }
    var b: UInt8 = 1
    _ = write(wake[1], &b, 1)
    done.wait()
    for fd in udpFDs + tcpFDs { close(fd) }
    udpFDs = []
    tcpFDs = []
  }

  public var isRunning: Bool {
    lock.lock()
    defer { lock.unlock() }
    return running
  }

  /// Makes the live engine's current state the one the next query reads.
  public func publish(_ live: DNSServer) { snapshot.publish(live) }

  public func currentStats() -> Stats { log.currentStats }

  /// The query log, oldest first.
  public func queryLog() -> [QueryLogEntry] { log.entries }

  /// Empties the query log.
  public func clearLog() { log.clear() }

  // MARK: The loop

  private struct Connection {
    var fd: Int32
    var peer: (IPAddress?, String)
    var input: [UInt8] = []
    var output: [UInt8] = []
    var sent = 0
    var lastActive: Double
  }

  /// Datagrams read (and answered) per `recvmmsg` / `sendmmsg` call.
  static let batch = 32
  /// A receive slot holds the largest UDP payload, so no datagram is cut short, and the reply
  /// (at most 65535 bytes) is written over the query in the same slot.
  static let slot = 65536

  private func serve() {
    var answerer = WireAnswerer(snapshot)
    var pending: [WireLog.Record] = []
    pending.reserveCapacity(Self.batch)
    var connections: [Connection] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    let slots = UnsafeMutableRawPointer.allocate(
      byteCount: Self.batch * Self.slot, alignment: 16)
    defer { slots.deallocate() }
    var grams = (0..<Self.batch).map { i in
      svl_datagram(
        data: slots + i * Self.slot, capacity: Self.slot, length: 0, peer: sockaddr_storage(),
        peerlen: 0, truncated: 0)
    }
    var peers = PeerNames()
    let ownUDP = udpFDs
    let ownTCP = tcpFDs
    while true {
      var fds: [pollfd] = [pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0)]
      for fd in ownUDP { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
      for fd in ownTCP { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
      for c in connections {
        var ev: Int16 = 0
        if c.output.count - c.sent < limits.pendingOutput { ev |= Int16(POLLIN) }
        if c.sent < c.output.count { ev |= Int16(POLLOUT) }
        fds.append(pollfd(fd: c.fd, events: ev, revents: 0))
      }
      let n = poll(&fds, nfds_t(fds.count), 500)
      if n < 0 && errno != EINTR { break }
      if fds[0].revents != 0 { break }
      let now = Self.now()
      // UDP: up to four batches per socket per turn, so TCP clients are not starved. Each
      // reply is written over its query and the batch goes out after its log entries.
      for (i, fd) in ownUDP.enumerated() where fds[1 + i].revents & Int16(POLLIN) != 0 {
        for _ in 0..<4 {
          let got = Int(svl_recv_datagrams(fd, &grams, UInt32(Self.batch)))
          if got <= 0 { break }
          for g in 0..<got {
            let peer = peers.describe(&grams[g].peer, grams[g].peerlen)
            var entry = QueryLogEntry(
              time: Self.wallClock(), client: peer.1, transport: "udp", name: "", type: "",
              rcode: "", truncated: false)
            let data = grams[g].data!
            let reply = answerer.replyAfterID(
              to: UnsafeRawBufferPointer(start: data, count: grams[g].length), overTCP: false,
              client: peer.0, log: &entry)
            pending.append(WireLog.Record(entry: entry, overTCP: false, replied: reply != nil))
            // The ID stays where the query had it.
            grams[g].length = reply.map { 2 + $0.count } ?? 0
            reply?.withUnsafeBytes {
              (data + 2).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
          }
          log.record(&pending)
          _ = svl_send_datagrams(fd, &grams, UInt32(got))
          if got < Self.batch { break }
        }
      }
      // TCP listeners.
      for (i, fd) in ownTCP.enumerated()
      where fds[1 + ownUDP.count + i].revents & Int16(POLLIN) != 0 {
        for _ in 0..<16 {
          var from = sockaddr_storage()
          var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
          let c = withUnsafeMutablePointer(to: &from) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(fd, $0, &len) }
          }
          if c < 0 { break }
          if connections.count >= limits.connections {
            close(c)
            log.count { $0.rejectedConnections += 1 }
            continue
          }
          Self.nonBlocking(c)
          connections.append(Connection(fd: c, peer: Self.describe(&from), lastActive: now))
          log.count {
            $0.tcpConnections += 1
            $0.openConnections += 1
          }
        }
      }
      // TCP connections: frames are a two-byte length and a message; several per connection.
      let base = 1 + ownUDP.count + ownTCP.count
      var keep: [Connection] = []
      for (i, var c) in connections.enumerated() {
        let ev = i + base < fds.count ? fds[i + base].revents : 0
        var open = true
        if ev & Int16(POLLIN) != 0 || ev & Int16(POLLHUP) != 0 {
          let room = 2 + 65535 - c.input.count
          let got = buffer.withUnsafeMutableBytes {
            read(c.fd, $0.baseAddress, min(room, $0.count))
          }
          if got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR) {
            open = false
          } else if got > 0 {
            c.input.append(contentsOf: buffer[0..<got])
            c.lastActive = now
            while c.input.count >= 2 {
              let len = Int(c.input[0]) << 8 | Int(c.input[1])
              guard c.input.count >= 2 + len else { break }
              var entry = QueryLogEntry(
                time: Self.wallClock(), client: c.peer.1, transport: "tcp", name: "", type: "",
                rcode: "", truncated: false)
              let reply = c.input.withUnsafeBytes {
                answerer.replyAfterID(
                  to: UnsafeRawBufferPointer(rebasing: $0[2..<(2 + len)]), overTCP: true,
                  client: c.peer.0, log: &entry)
              }
              pending.append(WireLog.Record(entry: entry, overTCP: true, replied: reply != nil))
              if let reply {
                // The length, the query's ID, the rest of the reply.
                c.output.append(UInt8((2 + reply.count) >> 8))
                c.output.append(UInt8((2 + reply.count) & 0xFF))
                c.output.append(c.input[2])
                c.output.append(c.input[3])
                c.output.append(contentsOf: reply)
              }
              c.input.removeFirst(2 + len)
            }
            log.record(&pending)
          }
        }
        if open && ev & Int16(POLLERR) != 0 { open = false }
        if open && c.sent < c.output.count {
          let wrote = c.output.withUnsafeBytes {
            send(c.fd, $0.baseAddress! + c.sent, c.output.count - c.sent, Int32(MSG_NOSIGNAL))
          }
          if wrote > 0 {
            c.sent += wrote
            c.lastActive = now
            if c.sent == c.output.count {
              c.output.removeAll(keepingCapacity: c.output.count <= 4096)
              c.sent = 0
            }
          } else if wrote < 0 && errno != EAGAIN && errno != EINTR {
            open = false
          }
        }
        if open && now - c.lastActive > limits.idleTimeout {
          open = false
          log.count { $0.idleClosed += 1 }
        }
        if open {
          keep.append(c)
        } else {
          close(c.fd)
          log.count { $0.openConnections -= 1 }
        }
      }
      connections = keep
    }
    for c in connections { close(c.fd) }
    log.count { $0.openConnections = 0 }
  }

  /// The last few UDP senders' addresses as the log writes them, so a client sending many
  /// queries from one socket is not formatted again for each.
  private struct PeerNames {
    private var recent: [(sockaddr_storage, socklen_t, (IPAddress?, String))] = []
    private var next = 0

    mutating func describe(
      _ from: inout sockaddr_storage, _ len: socklen_t
    ) -> (IPAddress?, String) {
      for i in recent.indices where recent[i].1 == len {
        let same = withUnsafeBytes(of: &recent[i].0) { a in
          withUnsafeBytes(of: &from) { b in memcmp(a.baseAddress!, b.baseAddress!, Int(len)) == 0 }
        }
        if same { return recent[i].2 }
      }
      let peer = WireServer.describe(&from)
      if recent.count < 16 {
        recent.append((from, len, peer))
      } else {
        recent[next] = (from, len, peer)
        next = (next + 1) % 16
      }
      return peer
    }
  }

  // MARK: Sockets

  static func parse(_ text: String) -> (IPAddress, UInt16)? {
    var host: Substring
    let portText: Substring
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else { return nil }
      host = text[text.index(after: text.startIndex)..<close]
      let rest = text[text.index(after: close)...]
      guard rest.hasPrefix(":") else { return nil }
      portText = rest.dropFirst()
    } else {
      guard let colon = text.lastIndex(of: ":") else { return nil }
      host = text[..<colon]
      portText = text[text.index(after: colon)...]
      if host.contains(":") { return nil }
    }
    if host.isEmpty { host = "127.0.0.1" }
    guard let ip = IPAddress(String(host)), let port = UInt16(portText) else { return nil }
    return (ip, port)
  }

  private static func bindSocket(
    _ ip: IPAddress, _ port: UInt16, datagram: Bool, _ text: String
  ) throws -> Int32 {
    let family = ip.family == .v4 ? AF_INET : AF_INET6
    let type = Int32(datagram ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
    let fd = socket(family, type, 0)
    guard fd >= 0 else { throw WireServerError.bind(text, String(cString: strerror(errno))) }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    if ip.family == .v6 {
      setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
    }
    var storage = sockaddr_storage()
    let len: socklen_t
    if ip.family == .v4 {
      var a = sockaddr_in()
      a.sin_family = sa_family_t(AF_INET)
      a.sin_port = port.bigEndian
      a.sin_addr.s_addr = ip.v4Value.bigEndian
      withUnsafeBytes(of: &a) { src in
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) }
      }
      len = socklen_t(MemoryLayout<sockaddr_in>.size)
    } else {
      var a = sockaddr_in6()
      a.sin6_family = sa_family_t(AF_INET6)
      a.sin6_port = port.bigEndian
      var bytes: [UInt8] = []
      for i in (0..<8).reversed() {
        bytes.append(UInt8(truncatingIfNeeded: ip.high >> (8 * UInt64(i))))
      }
      for i in (0..<8).reversed() {
        bytes.append(UInt8(truncatingIfNeeded: ip.low >> (8 * UInt64(i))))
      }
      withUnsafeMutableBytes(of: &a.sin6_addr) { $0.copyBytes(from: bytes) }
      withUnsafeBytes(of: &a) { src in
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) }
      }
      len = socklen_t(MemoryLayout<sockaddr_in6>.size)
    }
    let ok = withUnsafePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
    }
    guard ok == 0 else {
      let why = String(cString: strerror(errno))
      close(fd)
      throw WireServerError.bind(text, why)
    }
    nonBlocking(fd)
    if datagram {
      var size: Int32 = 4 << 20
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
    return fd
  }

  private static func localPort(_ fd: Int32) -> UInt16 {
    var storage = sockaddr_storage()
    var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return describePort(&storage)
  }

  private static func describePort(_ s: inout sockaddr_storage) -> UInt16 {
    withUnsafeBytes(of: &s) { b in UInt16(b[2]) << 8 | UInt16(b[3]) }
  }

  static func describe(_ s: inout sockaddr_storage) -> (IPAddress?, String) {
    let port = Int(describePort(&s))
    let family = Int32(s.ss_family)
    let ip: IPAddress? = withUnsafeBytes(of: &s) { b in
      if family == AF_INET {
        return IPAddress(
          v4: UInt32(b[4]) << 24 | UInt32(b[5]) << 16 | UInt32(b[6]) << 8 | UInt32(b[7]))
      }
      if family == AF_INET6 {
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for i in 8..<16 { hi = hi << 8 | UInt64(b[i]) }
        for i in 16..<24 { lo = lo << 8 | UInt64(b[i]) }
        return IPAddress(v6High: hi, low: lo)
      }
      return nil
    }
    return (ip, ip.map { $0.joined(port: port) } ?? "?")
  }

  private static func nonBlocking(_ fd: Int32) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
  }

  private static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  private static func wallClock() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}

/// Why a server could not start.
public enum WireServerError: Error, CustomStringConvertible, Equatable {
  case badAddress(String)
  case bind(String, String)

  public var description: String {
    switch self {
    case .badAddress(let a): "invalid listen address \"\(a)\" (want IP:PORT or [IPv6]:PORT)"
    case .bind(let a, let why): "cannot listen on \(a): \(why)"
    }
  }
}
