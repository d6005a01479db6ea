import NetAddr

/// Address allocation inside one block (a node's pod CIDR, a load-balancer pool), in the way
/// Calico's IPAM block hands out ordinals: never-used ordinals first in ascending order, then
/// released ones in the order they were released.
///
/// Ordinal 0 (the network address) is the node's tunnel address and never given to a pod;
/// the IPv4 broadcast ordinal is never given either.
struct BlockAllocator: Hashable, Sendable {
  let cidr: CIDR
  /// The highest ordinal handed out.
  let limit: UInt64
  private var nextFresh: UInt64 = 1
  private var freed: [UInt64] = []
  private var freedHead = 0
  private(set) var used: Set<UInt64> = []

  init(cidr: CIDR) {
    self.cidr = cidr
    limit = cidr.family == .v4 ? cidr.size - 2 : min(cidr.size - 1, 65535)
  }

  /// Whether `ip` is an address of this block that may be handed out.
  func holds(_ ip: IPAddress) -> Bool {
    guard let off = cidr.offset(of: ip) else { return false }
    return off >= 1 && off <= limit
  }

  func isUsed(_ ip: IPAddress) -> Bool {
    guard let off = cidr.offset(of: ip) else { return false }
    return used.contains(off)
  }

  /// Takes `ip`; false if it is outside the block or taken.
  mutating func allocate(_ ip: IPAddress) -> Bool {
    guard holds(ip), let off = cidr.offset(of: ip), !used.contains(off) else { return false }
    used.insert(off)
    return true
  }

  /// Whether every ordinal that may be handed out is taken (`allocateNext` would give nil).
  var isFull: Bool { UInt64(used.count) >= limit }

  /// Takes the next address in Calico's order; nil when the block is full.
  mutating func allocateNext() -> IPAddress? {
    while nextFresh <= limit {
      let off = nextFresh
      nextFresh += 1
      if !used.contains(off) {
        used.insert(off)
        return cidr.address(at: off)
      }
    }
    while freedHead < freed.count {
      let off = freed[freedHead]
      freedHead += 1
      if !used.contains(off) {
        used.insert(off)
        compactFreed()
        return cidr.address(at: off)
      }
    }
    return nil
  }

  mutating func release(_ ip: IPAddress) {
    guard let off = cidr.offset(of: ip), used.remove(off) != nil else { return }
    if off < nextFresh { freed.append(off) }
  }

  private mutating func compactFreed() {
    if freedHead > 64 && freedHead * 2 > freed.count {
      freed.removeFirst(freedHead)
      freedHead = 0
    }
  }

  var allocated: Set<IPAddress> { Set(used.compactMap { cidr.address(at: $0) }) }
}
