/// Why a NodePort could not be allocated, in the allocator's words.
enum PortAllocationFailure: Error, Equatable {
  case alreadyAllocated
  case notInRange(String)
  case full

  var message: String {
    switch self {
    case .alreadyAllocated: return "provided port is already allocated"
    case .notInRange(let range):
      return "provided port is not in the valid range. The range of valid ports is \(range)"
    case .full: return "range is full"
    }
  }
}

/// The NodePort allocator (`portallocator/allocator.go`), healthCheckNodePorts included.
struct NodePortAllocator: Hashable, Sendable {
  let first: Int
  let last: Int
  var band: BandAllocator

  init(first: Int, last: Int) {
    self.first = first
    self.last = last
    let size = UInt64(last - first + 1)
    band = BandAllocator(size: size, offset: BandAllocator.nodePortOffset(size: size))
  }

  var rangeText: String { "\(first)-\(last)" }

  mutating func allocate(_ port: Int) throws(PortAllocationFailure) {
    guard port >= first, port <= last else { throw .notInRange(rangeText) }
    guard band.allocate(UInt64(port - first)) else { throw .alreadyAllocated }
  }

  mutating func allocateNext(using rng: inout SeededGenerator) throws(PortAllocationFailure) -> Int
  {
    guard let slot = band.allocateNext(using: &rng) else { throw .full }
    return first + Int(slot)
  }

  mutating func release(_ port: Int) {
    guard port >= first, port <= last else { return }
    band.release(UInt64(port - first))
  }

  func isAllocated(_ port: Int) -> Bool {
    port >= first && port <= last && band.isUsed(UInt64(port - first))
  }

  var allocated: Set<Int> { Set(band.used.map { first + Int($0) }) }
}
