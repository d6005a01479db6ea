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

/// One ServiceCIDR object (networking.k8s.io/v1, GA in 1.33) as the allocator serves it.
public struct ServiceCIDR: Hashable, Sendable {
  /// The finalizer the servicecidrs controller puts on every ServiceCIDR.
  public static let finalizer = "networking.k8s.io/service-cidr-finalizer"
  /// The name of the default ServiceCIDR the API server keeps from its flags.
  public static let defaultName = "kubernetes"

  public var name: String
  public var uid: Int
  public var cidrs: [CIDR]
  /// Set once a delete was asked for (the object has a deletionTimestamp and stays while its
  /// finalizer holds it).
  public var deleting: Bool = false
  public var finalizers: [String] { [ServiceCIDR.finalizer] }

  /// The `Ready` condition as the controllers write it: (status, reason, message).
  public var ready: (status: String, reason: String, message: String) {
    if deleting {
      return (
        "False", "Terminating",
        "There are still IPAddresses referencing the ServiceCIDR, "
          + "please remove them or create a new ServiceCIDR"
      )
    }
    return (
      "True", "",
      name == ServiceCIDR.defaultName
        ? "Kubernetes default Service CIDR is ready" : "Kubernetes Service CIDR is ready"
    )
  }
}

/// ClusterIP allocation over every ServiceCIDR, per family (the MultiCIDR allocator of
/// `ipallocator/cidrallocator.go`): an explicit IP is reserved in every range that holds it,
/// automatic ones come from the first ready range of the family with room (ranges in the order
/// their ServiceCIDRs were made); a terminating ServiceCIDR gives out no new addresses.
/// Overlapping ranges share their addresses: every range's bitmap is the set of allocated
/// addresses inside it.
struct ServiceIPAllocator: Hashable, Sendable {
  private(set) var ranges: [CIDRAllocator]
  /// The ServiceCIDRs, in creation order; `owner[i]` names the object of `ranges[i]`.
  private(set) var objects: [ServiceCIDR] = []
  private var owner: [String] = []

  /// The configured ranges: the first of each family form the default ServiceCIDR
  /// `kubernetes`, further ones `servicecidr-<n>`.
  init(cidrs: [CIDR]) {
    ranges = []
    var fams: [IPFamily] = []
    for c in cidrs where !fams.contains(c.family) { fams.append(c.family) }
    families = fams
    var first: [CIDR] = []
    var rest: [CIDR] = []
    for c in cidrs {
      if first.contains(where: { $0.family == c.family }) {
        rest.append(c)
      } else {
        first.append(c)
      }
    }
    add(ServiceCIDR(name: ServiceCIDR.defaultName, uid: 0, cidrs: first))
    for (i, c) in rest.enumerated() {
      add(ServiceCIDR(name: "servicecidr-\(i + 1)", uid: 0, cidrs: [c]))
    }
  }

  /// The families of the configured ranges, in configuration order (the first is the
  /// cluster's primary family); ServiceCIDRs made later add ranges, not families.
  let families: [IPFamily]

  /// Adds a ServiceCIDR's ranges; addresses already allocated inside them are marked.
  mutating func add(_ object: ServiceCIDR) {
    let taken = allocated
    // the default one stays first (ranges are tried in this order)
    let first = object.name == ServiceCIDR.defaultName
    objects.insert(object, at: first ? 0 : objects.count)
    var at = first ? 0 : ranges.count
    for c in object.cidrs {
      var r = CIDRAllocator(cidr: c)
      for ip in taken { if let s = r.slot(of: ip) { _ = r.band.allocate(s) } }
      ranges.insert(r, at: at)
      owner.insert(object.name, at: at)
      at += 1
    }
  }

  /// Marks a ServiceCIDR as terminating (no new automatic addresses from it).
  mutating func markDeleting(_ name: String) {
    if let i = objects.firstIndex(where: { $0.name == name }) { objects[i].deleting = true }
  }

  /// Drops a ServiceCIDR and its ranges.
  mutating func remove(_ name: String) {
    objects.removeAll { $0.name == name }
    for i in owner.indices.reversed() where owner[i] == name {
      owner.remove(at: i)
      ranges.remove(at: i)
    }
  }

  /// Whether the servicecidrs controller may drop its finalizer (`canDeleteCIDR`): every range
  /// lies inside another ServiceCIDR, or no allocated address is held by it alone.
  func canDelete(_ name: String) -> Bool {
    guard let obj = objects.first(where: { $0.name == name }) else { return true }
    let others = objects.filter { $0.name != name }
    let hasParent = obj.cidrs.allSatisfy { c in
      others.contains {
        $0.cidrs.contains { p in
          p.family == c.family && p.prefixLength <= c.prefixLength && p.contains(c.network)
        }
      }
    }
    if hasParent { return true }
    for ip in allocated where obj.cidrs.contains(where: { $0.contains(ip) }) {
      if !others.contains(where: { $0.cidrs.contains { $0.contains(ip) } }) { return false }
    }
    return true
  }

  private func isReady(_ i: Int) -> Bool {
    !(objects.first { $0.name == owner[i] }?.deleting ?? true)
  }

  /// Reserves `ip`.
  mutating func allocate(_ ip: IPAddress) throws(IPAllocationFailure) {
    let holding = ranges.indices.filter { ranges[$0].cidr.contains(ip) }
    guard !holding.isEmpty else { throw .networkMismatch }
    let slots = holding.compactMap { i in ranges[i].slot(of: ip).map { (i, $0) } }
    guard !slots.isEmpty else { throw .notInRange(ip) }
    guard !slots.contains(where: { ranges[$0.0].band.isUsed($0.1) }) else {
      throw .alreadyAllocated
    }
    for (i, s) in slots { _ = ranges[i].band.allocate(s) }
  }

  /// Picks a free IP of `family`.
  mutating func allocateNext(
    family: IPFamily, using rng: inout SeededGenerator
  ) throws(IPAllocationFailure)
    -> IPAddress
  {
    for i in ranges.indices where ranges[i].cidr.family == family && isReady(i) {
      if let slot = ranges[i].band.allocateNext(using: &rng), let ip = ranges[i].address(of: slot) {
        for j in ranges.indices where j != i {
          if let s = ranges[j].slot(of: ip) { _ = ranges[j].band.allocate(s) }
        }
        return ip
      }
    }
    throw .full
  }

  /// Returns `ip` to its pool.
  mutating func release(_ ip: IPAddress) {
    for i in ranges.indices { if let s = ranges[i].slot(of: ip) { ranges[i].band.release(s) } }
  }

  func isAllocated(_ ip: IPAddress) -> Bool {
    ranges.contains { r in r.slot(of: ip).map { r.band.isUsed($0) } ?? false }
  }

  /// Every allocated address.
  var allocated: Set<IPAddress> {
    var out = Set<IPAddress>()
    for r in ranges { for s in r.band.used { if let ip = r.address(of: s) { out.insert(ip) } } }
    return out
  }
}
