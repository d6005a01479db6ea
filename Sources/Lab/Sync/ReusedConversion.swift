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
  convertReusing(current, previous: previous, converted: converted) { e, _ in convert(e) }
}

/// `convertReusing` whose `convert` is also handed the previous version at the endpoint's
/// position and its conversion, if there is one, to take what did not change from it.
func convertReusing<Converted>(
  _ current: [Endpoint], previous: [Endpoint]?, converted: [Converted]?,
  _ convert: (Endpoint, _ before: (Endpoint, Converted)?) -> Converted
) -> [Converted] {
  guard let previous, let converted, previous.count == converted.count else {
    return current.map { convert($0, nil) }
  }
  let prev = previous
  let cur = current
  let same = { (i: Int, j: Int) in prev[i] == cur[j] }
  var head = 0
  while head < cur.count, head < prev.count, same(head, head) { head += 1 }
  if head == cur.count, head == prev.count { return converted }
  // The pair that ended the head run differs: it is compared no more (with lists of one
  // length the tail run would reach it last).
  let headDiffers = head < cur.count && head < prev.count
  let limit = min(cur.count, prev.count) - head - (headDiffers && cur.count == prev.count ? 1 : 0)
  var tail = 0
  while tail < limit, same(prev.count - 1 - tail, cur.count - 1 - tail) { tail += 1 }
  var out: [Converted] = []
  out.reserveCapacity(cur.count)
  out.append(contentsOf: converted[..<head])
  for i in head..<(cur.count - tail) {
    guard i < prev.count else {
      out.append(convert(cur[i], nil))
      continue
    }
    let kept = !(i == head && headDiffers) && same(i, i)
    out.append(kept ? converted[i] : convert(cur[i], (prev[i], converted[i])))
  }
  out.append(contentsOf: converted[(prev.count - tail)...])
  return out
}
