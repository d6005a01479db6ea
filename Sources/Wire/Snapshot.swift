import CoreDNS
import Foundation

/// The DNS engine as the wire server reads it: an immutable snapshot of the live
/// `DNSServer`, replaced whole after each change on the thread that owns the live one.
///
/// The live server is only ever touched by its owner (the Lua thread); `publish` copies it
/// (`DNSServer.snapshot()`, copy-on-write storage) and swaps the copy in under a lock. The
/// serving thread takes the newest copy before each batch of queries and is the only thread
/// that queries it, so no engine state is shared between threads.
public final class DNSSnapshot: @unchecked Sendable {
  private let lock = NSLock()
  private var server: DNSServer
  private var generation = 0

  public init(_ live: DNSServer) { server = live.snapshot() }

  /// Publishes the live server's current state; the next query reads it.
  public func publish(_ live: DNSServer) {
    let copy = live.snapshot()
    lock.lock()
    server = copy
    generation += 1
    lock.unlock()
  }

  /// The newest snapshot if it is newer than `seen` (which is updated), else nil.
  func newer(than seen: inout Int) -> DNSServer? {
    lock.lock()
    defer { lock.unlock() }
    guard generation != seen else { return nil }
    seen = generation
    return server
  }

  /// The newest snapshot (for a server thread starting up).
  func current(_ seen: inout Int) -> DNSServer {
    lock.lock()
    defer { lock.unlock() }
    seen = generation
    return server
  }
}
