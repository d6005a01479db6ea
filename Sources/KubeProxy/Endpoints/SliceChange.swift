#if canImport(Glibc)
  import Glibc
#endif

/// One EndpointSlice's applied state before and after a sync (nil: the slice is absent).
public struct SliceChange: Sendable {
  public var previous: ProxyEndpointSlice?
  public var current: ProxyEndpointSlice?

  public init(previous: ProxyEndpointSlice?, current: ProxyEndpointSlice?) {
    self.previous = previous
    self.current = current
  }
}

/// Whether two slice states are equal. Endpoints are compared byte for byte first: an update
/// usually rewrites one endpoint of a hundred and carries the others over unchanged (the same
/// strings and arrays), and those need no field-by-field comparison.
func sameSlice(_ a: ProxyEndpointSlice?, _ b: ProxyEndpointSlice?) -> Bool {
  guard let a, let b else { return a == nil && b == nil }
  return a.name == b.name && a.namespace == b.namespace && a.serviceName == b.serviceName
    && a.addressType == b.addressType && a.ports == b.ports
    && sameElements(a.endpoints, b.endpoints)
}

/// Whether two arrays are equal, comparing each pair of elements byte for byte before `==`.
/// Equal bytes mean equal values (the same references, the same inline contents); different
/// bytes (padding, another copy of a string) fall back to `==`.
func sameElements<T: Equatable>(_ a: [T], _ b: [T]) -> Bool {
  guard a.count == b.count else { return false }
  return a.withUnsafeBufferPointer { x in
    b.withUnsafeBufferPointer { y in
      guard let p = x.baseAddress, let q = y.baseAddress else { return true }
      if p == q { return true }
      let size = MemoryLayout<T>.size
      for i in 0..<x.count where memcmp(p + i, q + i, size) != 0 && x[i] != y[i] {
        return false
      }
      return true
    }
  }
}

/// Whether two values are the same bytes (so certainly equal) or equal.
func sameValue<T: Equatable>(_ a: T, _ b: T) -> Bool {
  withUnsafeBytes(of: a) { x in
    withUnsafeBytes(of: b) { y in
      guard let p = x.baseAddress, let q = y.baseAddress else { return true }
      return memcmp(p, q, x.count) == 0
    }
  } || a == b
}
