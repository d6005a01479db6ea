import NetAddr

/// Why an explicit Service IP could not be allocated, in the allocator's words.
enum IPAllocationFailure: Error, Equatable {
  case alreadyAllocated
  case notInRange(IPAddress)
  case networkMismatch
  case full

  var message: String {
    switch self {
    case .alreadyAllocated: return "provided IP is already allocated"
    case .notInRange(let ip): return "provided IP \(ip) is not in the valid range"
    case .networkMismatch: return "the provided network does not match the current range"
    case .full: return "range is full"
    }
  }
}

/// The ClusterIP allocator of one Service CIDR (`ipallocator/bitmap.go`).
///
/// Slot *k* is address `network + 1 + k`: the network address is never handed out, and for
/// IPv4 neither is the broadcast address. IPv6 ranges are capped at 65536 slots.
struct CIDRAllocator: Hashable, Sendable {
  let cidr: CIDR
  var band: BandAllocator

  init(cidr: CIDR) {
    self.cidr = cidr
    let whole = cidr.size
    let slots = cidr.family == .v4 ? whole - 2 : min(whole - 1, 65536)
    band = BandAllocator(size: slots, offset: BandAllocator.serviceIPOffset(cidrSize: whole))
  }

  func slot(of ip: IPAddress) -> UInt64? {
    guard let off = cidr.offset(of: ip), off >= 1, off - 1 < band.size else { return nil }
    return off - 1
  }

  func address(of slot: UInt64) -> IPAddress? { cidr.address(at: slot + 1) }
}

/// ClusterIP allocation over every configured Service CIDR, per family (the MultiCIDR
/// allocator: an explicit IP goes to the CIDR that holds it, automatic ones to the first
/// CIDR of the family with room).
struct ServiceIPAllocator: Hashable, Sendable {
  private(set) var ranges: [CIDRAllocator]

  init(cidrs: [CIDR]) { ranges = cidrs.map(CIDRAllocator.init) }

  /// The families in configuration order (the first is the cluster's primary family).
  var families: [IPFamily] {
    var out: [IPFamily] = []
    for r in ranges where !out.contains(r.cidr.family) { out.append(r.cidr.family) }
    return out
  }

  /// Reserves `ip`.
  mutating func allocate(_ ip: IPAddress) throws(IPAllocationFailure) {
    guard let i = ranges.firstIndex(where: { $0.cidr.contains(ip) }) else {
      throw .networkMismatch
    }
    guard let slot = ranges[i].slot(of: ip) else { throw .notInRange(ip) }
    guard ranges[i].band.allocate(slot) else { throw .alreadyAllocated }
  }

  /// Picks a free IP of `family`.
  mutating func allocateNext(family: IPFamily, using rng: inout SeededGenerator) throws(IPAllocationFailure)
    -> IPAddress
  {
    for i in ranges.indices where ranges[i].cidr.family == family {
      if let slot = ranges[i].band.allocateNext(using: &rng), let ip = ranges[i].address(of: slot) {
        return ip
      }
    }
    throw .full
  }

  /// Returns `ip` to its pool.
  mutating func release(_ ip: IPAddress) {
    guard let i = ranges.firstIndex(where: { $0.cidr.contains(ip) }),
      let slot = ranges[i].slot(of: ip)
    else { return }
    ranges[i].band.release(slot)
  }

  func isAllocated(_ ip: IPAddress) -> Bool {
    guard let r = ranges.first(where: { $0.cidr.contains(ip) }), let slot = r.slot(of: ip) else {
      return false
    }
    return r.band.isUsed(slot)
  }

  /// Every allocated address.
  var allocated: Set<IPAddress> {
    var out = Set<IPAddress>()
    for r in ranges { for s in r.band.used { if let ip = r.address(of: s) { out.insert(ip) } } }
    return out
  }
}
