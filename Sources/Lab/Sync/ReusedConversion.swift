import Cluster

/// Converts a slice's endpoints for a follower, reusing `converted` (the conversion of
/// `previous`) for every endpoint the update carried over: the run of equal endpoints at the
/// start and at the end is copied whole, and in between an endpoint equal to the previous one
/// at its position keeps that conversion. So one endpoint's change in a slice of a hundred
/// costs one conversion, not a hundred. Endpoints are compared with their synthesized `==`,
/// which finds carried-over strings and arrays equal by their shared storage.
func convertReusing<Converted>(
  _ current: [Endpoint], previous: [Endpoint]?, converted: [Converted]?,
  _ convert: (Endpoint) -> Converted
) -> [Converted] {
  guard let previous, let converted, previous.count == converted.count else {
    return current.map(convert)
  }
  let prev = previous
  let cur = current
  let same = { (i: Int, j: Int) in prev[i] == cur[j] }
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
