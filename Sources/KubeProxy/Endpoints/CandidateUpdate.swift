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
  for port in ports {
    guard let number = port.port, number != 0 else { continue }
    let key = EndpointPortKey(name: port.name, proto: port.proto)
    var list = byPort.removeValue(forKey: key) ?? []
    defer { byPort[key] = list }
    for endpoint in removed {
      guard var e = proxyEndpoint(endpoint, family: family, port: 0) else { continue }
      e.port = number
      guard removeCandidate(e, from: &list) else { return false }
    }
    for endpoint in added {
      guard var e = proxyEndpoint(endpoint, family: family, port: 0) else { continue }
      e.port = number
      guard insertCandidate(e, into: &list) else { return false }
    }
  }
  return true
}

/// Removes `endpoint` from a list in `ip:port` order, if it is that text's only candidate.
private func removeCandidate(_ endpoint: ProxyEndpoint, from list: inout [ProxyEndpoint]) -> Bool {
  guard let key = EndpointTextKey(endpoint) else { return false }
  guard let i = lowerBound(key, in: list), i < list.count, list[i] == endpoint else { return false }
  if i + 1 < list.count, EndpointTextKey(list[i + 1]) == key { return false }
  list.remove(at: i)
  return true
}

/// Inserts `endpoint` at its place in a list in `ip:port` order, unless its text is there.
private func insertCandidate(_ endpoint: ProxyEndpoint, into list: inout [ProxyEndpoint]) -> Bool {
  guard let key = EndpointTextKey(endpoint), let i = lowerBound(key, in: list) else { return false }
  if i < list.count, EndpointTextKey(list[i]) == key { return false }
  list.insert(endpoint, at: i)
  return true
}

/// The first position whose `ip:port` text is not below `key`, or nil when a text in the way
/// does not pack.
private func lowerBound(_ key: EndpointTextKey, in list: [ProxyEndpoint]) -> Int? {
  var low = 0
  var high = list.count
  while low < high {
    let mid = (low + high) / 2
    guard let k = EndpointTextKey(list[mid]) else { return nil }
    if k < key { low = mid + 1 } else { high = mid }
  }
  return low
}
