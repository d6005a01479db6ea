import NetAddr

/// Applies one slice change to a Service's merged candidates (`mergeSliceEndpoints`' result for
/// `family`) in place, one endpoint at a time: the endpoints the change removed leave their
/// places in `ip:port` order and the ones it added are inserted at theirs. Returns false, with
/// `byPort` left unusable, when the result could differ from a fresh merge's or would cost
/// more than one: ports changed, many endpoints changed, an `ip:port` shared by two candidates
/// (their order then depends on slice positions), or text that does not pack (IPv6). The
/// caller then merges the Service's slices again.
func applySliceChange(
  _ change: SliceChange, to byPort: inout [EndpointPortKey: [ProxyEndpoint]], family: IPFamily
) -> Bool {
  let old = change.previous?.endpoints ?? []
  let new = change.current?.endpoints ?? []
  guard let ports = change.current?.ports ?? change.previous?.ports else { return true }
  if let before = change.previous, let after = change.current, before.ports != after.ports {
    return false
  }
  // Endpoints kept at the same place at both ends are untouched; the rest changed.
  let (head, tail) = unchangedRuns(old, new)
  let removed = old[head..<(old.count - tail)]
  let added = new[head..<(new.count - tail)]
  guard removed.count + added.count <= 8 else { return false }
  // Each changed endpoint kept its place in the slice and its first address (a condition,
  // its node or its hints changed): its candidate keeps its `ip:port` text, so its place.
  let inPlace =
    removed.count == added.count
    && zip(removed, added).allSatisfy { $0.addresses.first == $1.addresses.first }
  for port in ports {
    guard let number = port.port, number != 0 else { continue }
    let key = EndpointPortKey(name: port.name, proto: port.proto)
    guard
      updateCandidates(
        removed, added, family: family, port: number, inPlace: inPlace,
        in: &byPort[key, default: []])
    else { return false }
  }
  return true
}

/// Removes the `removed` endpoints' candidates (with port `number`) and inserts the `added`
/// ones at their places. With `inPlace` (each added endpoint has the first address of the
/// removed one at its position), each added one takes that removed one's place instead: the
/// same list, without moving the others.
private func updateCandidates(
  _ removed: ArraySlice<ProxyEndpointSlice.Endpoint>,
  _ added: ArraySlice<ProxyEndpointSlice.Endpoint>, family: IPFamily, port number: Int,
  inPlace: Bool, in list: inout [ProxyEndpoint]
) -> Bool {
  if inPlace {
    for (r, a) in zip(removed.indices, added.indices) {
      // Skipped before and after alike (the address is of the other family).
      guard let before = proxyEndpoint(removed[r], family: family, port: number) else {
        continue
      }
      guard let after = proxyEndpoint(added[a], family: family, port: number),
        let i = soleCandidate(before, in: list)
      else { return false }
      list[i] = after
    }
    return true
  }
  for endpoint in removed {
    guard let e = proxyEndpoint(endpoint, family: family, port: number) else { continue }
    guard let i = soleCandidate(e, in: list) else { return false }
    list.remove(at: i)
  }
  for endpoint in added {
    guard let e = proxyEndpoint(endpoint, family: family, port: number) else { continue }
    guard insertCandidate(e, into: &list) else { return false }
  }
  return true
}

/// The position of `endpoint` in a list in `ip:port` order, if it is that text's only
/// candidate.
private func soleCandidate(_ endpoint: ProxyEndpoint, in list: [ProxyEndpoint]) -> Int? {
  guard let key = EndpointTextKey(ip: endpoint.ip, port: endpoint.port) else { return nil }
  guard let i = lowerBound(key, in: list), i < list.count, list[i] == endpoint else { return nil }
  if i + 1 < list.count, sameText(list[i + 1], endpoint) { return nil }
  return i
}

/// Inserts `endpoint` at its place in a list in `ip:port` order, unless its text is there.
private func insertCandidate(_ endpoint: ProxyEndpoint, into list: inout [ProxyEndpoint]) -> Bool {
  guard let key = EndpointTextKey(ip: endpoint.ip, port: endpoint.port),
    let i = lowerBound(key, in: list)
  else { return false }
  if i < list.count, sameText(list[i], endpoint) { return false }
  list.insert(endpoint, at: i)
  return true
}

/// Whether two candidates have the same `ip:port` text: the same address and port (an
/// address has one text).
private func sameText(_ a: ProxyEndpoint, _ b: ProxyEndpoint) -> Bool {
  a.ip == b.ip && a.port == b.port
}

/// The first position whose `ip:port` text is not below `key`, or nil when a text in the way
/// does not pack.
private func lowerBound(_ key: EndpointTextKey, in list: [ProxyEndpoint]) -> Int? {
  var low = 0
  var high = list.count
  while low < high {
    let mid = (low + high) / 2
    guard let k = EndpointTextKey(ip: list[mid].ip, port: list[mid].port) else { return nil }
    if k < key { low = mid + 1 } else { high = mid }
  }
  return low
}
