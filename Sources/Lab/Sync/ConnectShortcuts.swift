#if canImport(Glibc)
import Glibc
#endif
import KubeProxy

/// `connect(from, "ip:port")` calls seen lately, by the bytes of their two arguments: the
/// plan kube-proxy compiled for the path they name (sender and destination), so that a
/// repeated call reads neither argument again.
///
/// An argument's meaning depends on the cluster (the pod must exist, a named port is looked
/// up among the Service's ports) and on the current namespace, so the owner empties the
/// shortcuts on every cluster change and each one remembers its namespace. Targets written
/// as DNS names are never kept: their lookup depends on DNS settings too.
struct ConnectShortcuts {
  final class Entry {
    let from: [UInt8]
    let target: [UInt8]
    let namespace: String
    /// The plan of the path the arguments name (it holds the sender and the destination).
    let plan: ConnectPlan

    init(from: [UInt8], target: [UInt8], namespace: String, plan: ConnectPlan) {
      self.from = from
      self.target = target
      self.namespace = namespace
      self.plan = plan
    }
  }

  /// A handful, newest replacing the oldest: scripts repeat a few calls in loops.
  static let capacity = 8
  private var entries: [Entry] = []
  private var next = 0

  /// The entry for these argument bytes in `namespace`, if one is kept.
  func find(from: UnsafeRawBufferPointer, target: UnsafeRawBufferPointer, namespace: String) -> Entry? {
    for e in entries where Self.same(e.from, from) && Self.same(e.target, target) {
      if e.namespace == namespace { return e }
    }
    return nil
  }

  /// Keeps `entry`, in place of one for the same arguments (whose plan went stale).
  mutating func add(_ entry: Entry) {
    if let i = entries.firstIndex(where: {
      $0.from == entry.from && $0.target == entry.target && $0.namespace == entry.namespace
    }) {
      entries[i] = entry
    } else if entries.count < Self.capacity {
      entries.append(entry)
    } else {
      entries[next] = entry
      next = (next + 1) % Self.capacity
    }
  }

  mutating func removeAll() {
    if !entries.isEmpty { entries.removeAll() }
    next = 0
  }

  private static func same(_ kept: [UInt8], _ bytes: UnsafeRawBufferPointer) -> Bool {
    guard kept.count == bytes.count else { return false }
    guard let b = bytes.baseAddress else { return true }
    return kept.withUnsafeBytes { k in k.baseAddress.map { memcmp($0, b, bytes.count) == 0 } ?? false }
  }
}
