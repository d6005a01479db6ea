import Cluster

/// Converts a slice's endpoints for a follower, reusing `converted` (the conversion of
/// `previous`) for every endpoint the update carried over: the run of equal endpoints at the
/// start and at the end is copied whole, and in between an endpoint equal to the previous one
/// at its position keeps that conversion. So one endpoint's change in a slice of a hundred
/// costs one conversion, not a hundred. Endpoints carried over hold the same strings and
/// arrays as before, so they are told apart by their bits before any field-by-field
/// comparison (which copies both values and would cost more than the conversion).
func convertReusing<Converted>(
  _ current: [Endpoint], previous: [Endpoint]?, converted: [Converted]?,
  _ convert: (Endpoint) -> Converted
) -> [Converted] {
  guard let previous, let converted, previous.count == converted.count else {
    return current.map(convert)
  }
  return previous.withUnsafeBufferPointer { prev in
    current.withUnsafeBufferPointer { cur in
      guard let p = prev.baseAddress, let c = cur.baseAddress else { return current.map(convert) }
      // In place, without copying either endpoint.
      let same = { (i: Int, j: Int) in Endpoint.sameBits(p + i, c + j) || prev[i] == cur[j] }
      var head = 0
      while head < cur.count, head < prev.count, same(head, head) { head += 1 }
      if head == cur.count, head == prev.count { return converted }
      var tail = 0
      while tail < cur.count - head, tail < prev.count - head,
        same(prev.count - 1 - tail, cur.count - 1 - tail)
      {
        tail += 1
      }
      var out: [Converted] = []
      out.reserveCapacity(cur.count)
      out.append(contentsOf: converted[..<head])
      for i in head..<(cur.count - tail) {
        out.append(i < prev.count && same(i, i) ? converted[i] : convert(cur[i]))
      }
      out.append(contentsOf: converted[(prev.count - tail)...])
      return out
    }
  }
}
