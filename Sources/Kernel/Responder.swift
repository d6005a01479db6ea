import Foundation

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// The small server `svclab responder` runs in each pod: on every given port, TCP and UDP,
/// it answers `ok NAME PEER-IP` — the pod's name and the address the packet came from as the
/// pod saw it (after any SNAT on the way).
public enum Responder {
  /// Binds every listener (IPv4, any address), prints `listening`, then serves forever.
  public static func serve(name: String, listeners: [KernelListener]) throws -> Never {
    signal(SIGPIPE, SIG_IGN)
    signal(SIGHUP, SIG_IGN)
    var sockets: [(fd: Int32, udp: Bool)] = []
    for l in listeners {
      let udp = l.proto.uppercased() == "UDP"
      let fd = socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
      guard fd >= 0 else {
        throw KernelError("responder: socket: \(String(cString: strerror(errno)))")
      }
      var one: Int32 = 1
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
      var addr = sockaddr_in()
      addr.sin_family = sa_family_t(AF_INET)
      addr.sin_port = in_port_t(UInt16(l.port).bigEndian)
      addr.sin_addr = in_addr(s_addr: 0)  // INADDR_ANY
      let bound = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      guard bound == 0 else {
        throw KernelError(
          "responder: bind \(l.port)/\(l.proto): \(String(cString: strerror(errno)))")
      }
      if !udp { listen(fd, 128) }
      sockets.append((fd, udp))
    }
    // Unbuffered: the parent waits for this line.
    _ = "listening\n".withCString { write(1, $0, strlen($0)) }
    var fds = sockets.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
    while true {
      guard poll(&fds, nfds_t(fds.count), -1) > 0 else { continue }
      for (i, p) in fds.enumerated() where p.revents & Int16(POLLIN) != 0 {
        if sockets[i].udp {
          answerDatagram(sockets[i].fd, name: name)
        } else {
          answerStream(sockets[i].fd, name: name)
        }
      }
    }
  }

  private static func answerStream(_ fd: Int32, name: String) {
    var peer = sockaddr_in()
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let conn = withUnsafeMutablePointer(to: &peer) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(fd, $0, &len) }
    }
    guard conn >= 0 else { return }
    let line = "ok \(name) \(text(peer.sin_addr))\n"
    _ = line.withCString { send(conn, $0, strlen($0), 0) }
    close(conn)
  }

  private static func answerDatagram(_ fd: Int32, name: String) {
    var peer = sockaddr_in()
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    var buffer = [UInt8](repeating: 0, count: 2048)
    let n = withUnsafeMutablePointer(to: &peer) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        recvfrom(fd, &buffer, buffer.count, 0, $0, &len)
      }
    }
    guard n >= 0 else { return }
    let line = "ok \(name) \(text(peer.sin_addr))\n"
    _ = line.withCString { s in
      withUnsafePointer(to: &peer) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          sendto(fd, s, strlen(s), 0, $0, len)
        }
      }
    }
  }

  static func text(_ addr: in_addr) -> String {
    var a = addr
    var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
    inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count))
    return String(cString: buffer)
  }
}

/// The client `svclab probe` runs in a namespace: one TCP connection or UDP exchange and the
/// outcome in the contract's words: `ok NAME PEER`, `refused` (RST or ICMP port unreachable),
/// `timed out`, or `unreachable` (ICMP host/network unreachable).
public enum Probe {
  public static func run(address: String, port: Int, proto: String, timeoutMs: Int) -> String {
    let udp = proto.uppercased() == "UDP"
    let fd = socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return "error socket: \(String(cString: strerror(errno)))" }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
    guard inet_pton(AF_INET, address, &addr.sin_addr) == 1 else {
      return "error bad address \(address)"
    }
    if !udp {
      let flags = fcntl(fd, F_GETFL)
      _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }
    let rc = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    if rc != 0 && errno != EINPROGRESS { return word(errno) }
    if udp { _ = "svclab probe\n".withCString { send(fd, $0, strlen($0), 0) } }
    var p = pollfd(fd: fd, events: Int16(udp ? POLLIN : POLLOUT), revents: 0)
    let ready = poll(&p, 1, Int32(timeoutMs))
    guard ready > 0 else { return "timed out" }
    if !udp {
      var err: Int32 = 0
      var len = socklen_t(MemoryLayout<Int32>.size)
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
      if err != 0 { return word(err) }
      var q = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&q, 1, Int32(timeoutMs)) > 0 else { return "timed out" }
    }
    var buffer = [UInt8](repeating: 0, count: 512)
    let n = recv(fd, &buffer, buffer.count, 0)
    if n < 0 { return word(errno) }
    return String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(
      in: .whitespacesAndNewlines)
  }

  static func word(_ code: Int32) -> String {
    switch code {
    case ECONNREFUSED: return "refused"
    case ETIMEDOUT: return "timed out"
    case EHOSTUNREACH, ENETUNREACH: return "unreachable"
    default: return "error \(String(cString: strerror(code)))"
    }
  }
}
