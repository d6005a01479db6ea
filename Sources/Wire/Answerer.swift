import CoreDNS
import Foundation
import NetAddr

/// What one serving thread answers with: the newest published snapshot of the engine (taken
/// before every query, so a query sent after a change sees it) and the kept replies of the
/// snapshot it reads. Every front end (the poll loop of
/// `WireServer`, or another event loop) owns one and calls it from one thread only.
public struct WireAnswerer {
  private let snapshot: DNSSnapshot
  private var seen = 0
  private var engine: DNSServer
  /// The cache key's buffer, reused from query to query.
  private var key: [UInt8] = []

  public init(_ snapshot: DNSSnapshot) {
    self.snapshot = snapshot
    engine = snapshot.current(&seen)
    key.reserveCapacity(Responder.largestCachedRequest)
  }

  /// The reply to `query` without its first two bytes, nil when the server stays silent
  /// (see `Responder.reply(to:overTCP:log:cache:answer:)`). The reply's ID is the query's:
  /// the caller sends `query[0]`, `query[1]`, then these bytes. The slice shares a kept
  /// reply's storage, so answering a repeated query copies nothing.
  /// - Parameter log: filled with the question, the rcode and whether the reply was truncated.
  public mutating func replyAfterID(
    to query: UnsafeRawBufferPointer, overTCP: Bool, client: IPAddress?,
    log: inout QueryLogEntry
  ) -> ArraySlice<UInt8>? {
    if let fresh = snapshot.newer(than: &seen) { engine = fresh }
    let engine = engine
    var rng = SystemRandomNumberGenerator()
    var key: [UInt8] = []
    swap(&key, &self.key)  // moved out and back, so its storage stays uniquely referenced
    defer { swap(&key, &self.key) }
    let reply = Responder.reply(
      query, overTCP: overTCP, log: &log, cache: engine, key: &key
    ) { name, type in
      engine.query(name: name, type: type, client: client, using: &rng)
    }
    return reply?[2...]
  }
}

/// A server's counters and bounded query log, written by its serving thread a batch of
/// queries at a time (one lock per batch) and read from any thread.
public final class WireLog: @unchecked Sendable {
  /// One query as the serving thread hands it over.
  public struct Record: Sendable {
    public var entry: QueryLogEntry
    public var overTCP: Bool
    /// Whether a reply went out (nothing is sent to a runt or a response).
    public var replied: Bool
    public init(entry: QueryLogEntry, overTCP: Bool, replied: Bool) {
      (self.entry, self.overTCP, self.replied) = (entry, overTCP, replied)
    }
  }

  private let lock = NSLock()
  private let limit: Int
  private var stats = WireServer.Stats()
  private var log: [QueryLogEntry] = []
  private var start = 0

  /// Keeps the last `limit` entries.
  public init(limit: Int) { self.limit = limit }

  /// Counts and logs `batch`, then empties it (keeping its capacity). Only queries whose
  /// question could be read or that were answered are logged.
  public func record(_ batch: inout [Record]) {
    guard !batch.isEmpty else { return }
    lock.lock()
    for r in batch {
      if r.overTCP { stats.tcpQueries += 1 } else { stats.udpQueries += 1 }
      if r.replied { stats.replies += 1 } else { stats.dropped += 1 }
      if r.entry.truncated { stats.truncated += 1 }
      guard r.replied || !r.entry.name.isEmpty else { continue }
      if log.count < limit {
        log.append(r.entry)
      } else if limit > 0 {
        log[start] = r.entry
        start = (start + 1) % limit
        stats.logDropped += 1
      }
    }
    lock.unlock()
    batch.removeAll(keepingCapacity: true)
  }

  /// Changes the connection counters.
  public func count(_ update: (inout WireServer.Stats) -> Void) {
    lock.lock()
    update(&stats)
    lock.unlock()
  }

  public var currentStats: WireServer.Stats {
    lock.lock()
    defer { lock.unlock() }
    return stats
  }

  /// The entries, oldest first.
  public var entries: [QueryLogEntry] {
    lock.lock()
    defer { lock.unlock() }
    return Array(log[start...] + log[..<start])
  }

  public func clear() {
    lock.lock()
    log.removeAll()
    start = 0
    lock.unlock()
  }
}
