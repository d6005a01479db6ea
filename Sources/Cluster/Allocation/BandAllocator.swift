/// A slot allocator with the API server's static/dynamic band split (`allocator/bitmap.go`).
///
/// Slots `[0, offset)` form the static band, `[offset, size)` the dynamic band. Automatic
/// picks start at a random slot of the dynamic band and scan forward with wrap; only when it
/// is full do they scan the static band. Explicit requests may take any free slot.
struct BandAllocator: Hashable, Sendable {
  let size: UInt64
  let offset: UInt64
  private(set) var used: Set<UInt64> = []

  init(size: UInt64, offset: UInt64) {
    self.size = size
    self.offset = min(offset, size)
  }

  /// The static band for a Service IP range (`calculateRangeOffset`): 0 for ≤ 16 addresses,
  /// else `min(max(16, size/16), 256)`, computed on the whole CIDR size.
  static func serviceIPOffset(cidrSize: UInt64) -> UInt64 {
    cidrSize <= 16 ? 0 : min(max(16, cidrSize / 16), 256)
  }

  /// The static band for the NodePort range: 0 for ≤ 16 ports, else `min(max(16, size/32), 128)`.
  static func nodePortOffset(size: UInt64) -> UInt64 {
    size <= 16 ? 0 : min(max(16, size / 32), 128)
  }

  var isFull: Bool { UInt64(used.count) >= size }

  func isUsed(_ slot: UInt64) -> Bool { used.contains(slot) }

  /// Takes `slot`; false if it is outside the range or taken.
  mutating func allocate(_ slot: UInt64) -> Bool {
    guard slot < size, !used.contains(slot) else { return false }
    used.insert(slot)
    return true
  }

  /// Takes a free slot by the random-scan-with-offset strategy; nil when full.
  mutating func allocateNext(using rng: inout SeededGenerator) -> UInt64? {
    guard !isFull else { return nil }
    if let slot = scan(from: offset, count: size - offset, rng: &rng)
      ?? scan(from: 0, count: offset, rng: &rng)
    {
      used.insert(slot)
      return slot
    }
    return nil
  }

  /// Scans `count` slots from a random start inside `[base, base+count)`, wrapping.
  private func scan(from base: UInt64, count: UInt64, rng: inout SeededGenerator) -> UInt64? {
    guard count > 0 else { return nil }
    let start = rng.next() % count
    var i: UInt64 = 0
    while i < count {
      let at = base + (start + i) % count
      if !used.contains(at) { return at }
      i += 1
    }
    return nil
  }

  mutating func release(_ slot: UInt64) { used.remove(slot) }
}
