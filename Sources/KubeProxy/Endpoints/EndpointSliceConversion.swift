import NetAddr

/// The part of a `ServicePortName` an EndpointSlice port matches: its name and protocol.
public struct EndpointPortKey: Hashable, Sendable {
  /// "" for an unnamed port.
  public var name: String
  public var proto: ProxyProtocol

  public init(name: String, proto: ProxyProtocol) {
    self.name = name
    self.proto = proto
  }
}

extension ServicePortName {
  /// The slice-port key whose endpoints belong to this Service port.
  public var endpointPortKey: EndpointPortKey { EndpointPortKey(name: port, proto: proto) }
}

/// Reads a Service's EndpointSlices as kube-proxy's `EndpointSliceCache` does, keeping every
/// candidate: only `addresses[0]` of each endpoint, endpoints of the other IP family or without
/// an address skipped, ports without a number skipped. Candidates are sorted by `ip:port`
/// string (stable, so duplicates stay in slice order and sit next to each other); use
/// `resolvingDuplicates(_:nodeName:)` to keep one per `ip:port`.
/// - Parameter slices: the Service's slices, in slice-name order.
public func mergeSliceEndpoints(
  _ slices: [ProxyEndpointSlice], family: IPFamily
) -> [EndpointPortKey: [ProxyEndpoint]] {
  var byPort: [EndpointPortKey: [ProxyEndpoint]] = [:]
  for slice in slices {
    let endpoints = slice.endpoints.compactMap { proxyEndpoint($0, family: family, port: 0) }
    guard !endpoints.isEmpty else { continue }
    for port in slice.ports {
      guard let number = port.port, number != 0 else { continue }
      let key = EndpointPortKey(name: port.name, proto: port.proto)
      byPort[key, default: []] += endpoints.map { with($0) { $0.port = number } }
    }
  }
  return byPort.mapValues { endpoints in
    // Sorted by `ip:port` text, then by position (a stable sort). Indices are sorted rather
    // than the endpoints, which would be copied at every move.
    textOrder(endpoints).map { endpoints[$0] }
  }
}

/// Keeps one endpoint per `ip:port` from a candidate list sorted by `ip:port`: the first one,
/// unless a later duplicate runs on `nodeName`, which wins (kube-proxy favours local).
public func resolvingDuplicates(
  _ candidates: [ProxyEndpoint], nodeName: String?
)
  -> [ProxyEndpoint]
{
  // Duplicates are rare: without any, the list is the answer as it is (not copied).
  let hasDuplicate = candidates.indices.dropFirst().contains {
    candidates[$0 - 1].port == candidates[$0].port && candidates[$0 - 1].ip == candidates[$0].ip
  }
  guard hasDuplicate else { return candidates }
  var result: [ProxyEndpoint] = []
  result.reserveCapacity(candidates.count)
  for endpoint in candidates {
    if let last = result.last, last.ip == endpoint.ip, last.port == endpoint.port {
      if let nodeName, endpoint.isLocal(to: nodeName), !last.isLocal(to: nodeName) {
        result[result.count - 1] = endpoint
      }
      continue
    }
    result.append(endpoint)
  }
  return result
}

/// The endpoints map of one Service as kube-proxy on `nodeName` builds it from the slices.
public func endpointsFromSlices(
  _ slices: [ProxyEndpointSlice], family: IPFamily, nodeName: String?
) -> [EndpointPortKey: [ProxyEndpoint]] {
  mergeSliceEndpoints(slices, family: family).mapValues {
    resolvingDuplicates($0, nodeName: nodeName)
  }
}

/// One slice endpoint as a `ProxyEndpoint`, or nil when kube-proxy would skip it.
func proxyEndpoint(
  _ endpoint: ProxyEndpointSlice.Endpoint, family: IPFamily, port: Int
) -> ProxyEndpoint? {
  // Only the first address counts; a wrong-family one is an IncorrectIPVersion event.
  guard let ip = endpoint.addresses.first, ip.family == family else { return nil }
  // kube-proxy reads an absent ready or serving condition as true, an absent terminating as
  // false (endpointslicecache.go).
  return ProxyEndpoint(
    ip: ip, port: port, ready: endpoint.ready ?? true, serving: endpoint.serving ?? true,
    terminating: endpoint.terminating ?? false, nodeName: endpoint.nodeName, zone: endpoint.zone,
    zoneHints: endpoint.zoneHints.flatMap { $0.isEmpty ? nil : Set($0) },
    nodeHints: endpoint.nodeHints.flatMap { $0.isEmpty ? nil : Set($0) },
    podName: endpoint.podName)
}

/// A copy of `value` changed by `change`.
func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
  var copy = value
  change(&copy)
  return copy
}
