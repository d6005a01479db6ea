import NetAddr

/// One EndpointSlice's applied state before and after a sync (nil: the slice is absent).
public struct SliceChange: Sendable {
  public var previous: ProxyEndpointSlice?
  public var current: ProxyEndpointSlice?

  public init(previous: ProxyEndpointSlice?, current: ProxyEndpointSlice?) {
    self.previous = previous
    self.current = current
  }
}

/// Whether two slice states are equal. Endpoints are compared bit for bit first: an update
/// usually rewrites one endpoint of a hundred and carries the others over unchanged (the same
/// strings and arrays), and those need no field-by-field comparison.
func sameSlice(_ a: ProxyEndpointSlice?, _ b: ProxyEndpointSlice?) -> Bool {
  guard let a, let b else { return a == nil && b == nil }
  guard a.name == b.name, a.namespace == b.namespace, a.serviceName == b.serviceName,
    a.addressType == b.addressType, a.ports == b.ports, a.endpoints.count == b.endpoints.count
  else { return false }
  return unchangedRuns(a.endpoints, b.endpoints).head == a.endpoints.count
}

/// The lengths of the runs of equal endpoints at the start and at the end of two lists (the
/// tail run not overlapping the head run), each pair compared in place: bit for bit, else `==`.
func unchangedRuns(_ a: [ProxyEndpointSlice.Endpoint], _ b: [ProxyEndpointSlice.Endpoint])
  -> (head: Int, tail: Int)
{
  a.withUnsafeBufferPointer { x in
    b.withUnsafeBufferPointer { y in
      guard let p = x.baseAddress, let q = y.baseAddress else { return (0, 0) }
      let layout = ProxyEndpointSlice.Endpoint.fieldBytes
      let same = { (i: Int, j: Int) in
        layout.same(UnsafeRawPointer(p + i), UnsafeRawPointer(q + j)) || x[i] == y[j]
      }
      var head = 0
      while head < x.count, head < y.count, same(head, head) { head += 1 }
      var tail = 0
      while tail < x.count - head, tail < y.count - head,
        same(x.count - 1 - tail, y.count - 1 - tail)
      {
        tail += 1
      }
      return (head, tail)
    }
  }
}

extension ProxyEndpointSlice.Endpoint {
  /// The byte ranges of the stored fields.
  static let fieldBytes = FieldBytes([
    (MemoryLayout<Self>.offset(of: \.addresses), MemoryLayout<[IPAddress]>.size),
    (MemoryLayout<Self>.offset(of: \.ready), MemoryLayout<Bool?>.size),
    (MemoryLayout<Self>.offset(of: \.serving), MemoryLayout<Bool?>.size),
    (MemoryLayout<Self>.offset(of: \.terminating), MemoryLayout<Bool?>.size),
    (MemoryLayout<Self>.offset(of: \.nodeName), MemoryLayout<String?>.size),
    (MemoryLayout<Self>.offset(of: \.zone), MemoryLayout<String?>.size),
    (MemoryLayout<Self>.offset(of: \.zoneHints), MemoryLayout<[String]?>.size),
    (MemoryLayout<Self>.offset(of: \.nodeHints), MemoryLayout<[String]?>.size),
    (MemoryLayout<Self>.offset(of: \.podName), MemoryLayout<String?>.size),
  ])
}
