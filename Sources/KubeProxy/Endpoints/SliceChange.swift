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

/// Whether two slice states are equal. An update usually rewrites one endpoint of a hundred
/// and carries the others over unchanged: their synthesized `==` finds the shared strings and
/// arrays equal by identity first.
func sameSlice(_ a: ProxyEndpointSlice?, _ b: ProxyEndpointSlice?) -> Bool {
  guard let a, let b else { return a == nil && b == nil }
  guard a.name == b.name, a.namespace == b.namespace, a.serviceName == b.serviceName,
    a.addressType == b.addressType, a.ports == b.ports, a.endpoints.count == b.endpoints.count
  else { return false }
  return equalPrefix(a.endpoints, b.endpoints) == a.endpoints.count
}

/// The lengths of the runs of equal endpoints at the start and at the end of two lists (the
/// tail run not overlapping the head run). Each pair is compared once: with lists of one
/// length, the pair that ended the head run is not compared again for the tail.
func unchangedRuns(
  _ x: [ProxyEndpointSlice.Endpoint], _ y: [ProxyEndpointSlice.Endpoint]
)
  -> (head: Int, tail: Int)
{
  let head = equalPrefix(x, y)
  let limit = min(x.count, y.count) - head - (x.count == y.count && head < x.count ? 1 : 0)
  var tail = 0
  while tail < limit, x[x.count - 1 - tail] == y[y.count - 1 - tail] { tail += 1 }
  return (head, tail)
}

/// The length of the run of equal endpoints at the start of two lists.
private func equalPrefix(
  _ x: [ProxyEndpointSlice.Endpoint], _ y: [ProxyEndpointSlice.Endpoint]
) -> Int {
  var head = 0
  while head < x.count, head < y.count, x[head] == y[head] { head += 1 }
  return head
}
