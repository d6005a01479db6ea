/// How kube-proxy narrows cluster-policy endpoints by topology hints (`topologyModeFromHints`).
public enum TopologyMode: String, Hashable, Sendable {
  /// No narrowing: every ready endpoint is used.
  case none = ""
  case preferSameZone = "PreferSameZone"
  case preferSameNode = "PreferSameNode"
}

/// What kube-proxy's `CategorizeEndpoints` returns for one Service port on one node.
public struct CategorizedEndpoints: Hashable, Sendable {
  /// Usable endpoints for Cluster traffic policy (empty if the port never uses it).
  public var cluster: [ProxyEndpoint] = []
  /// Usable endpoints for Local traffic policy (empty if the port never uses it).
  public var local: [ProxyEndpoint] = []
  /// Union of both: every endpoint this node may send traffic to.
  public var allReachable: [ProxyEndpoint] = []
  /// Whether a usable endpoint exists anywhere in the cluster (even if none is reachable here).
  public var hasAny = false
  /// The topology mode chosen for cluster endpoints.
  public var topologyMode: TopologyMode = .none

  public init() {}
}

/// Splits a Service port's endpoints into the cluster-policy, local-policy and reachable sets
/// for the node `nodeName` in zone `nodeZone`, as kube-proxy's `CategorizeEndpoints` does.
///
/// Usable means ready; when no ready endpoint exists, serving-and-terminating endpoints are used
/// instead, separately for the cluster and the local set. Topology hints narrow only the
/// cluster set, and never the serving-terminating fallback.
/// - Parameters:
///   - endpoints: the port's endpoints in kube-proxy's order (sorted by `ip:port` string).
///   - preferSameTrafficDistribution: the `PreferSameTrafficDistribution` feature gate (node
///     hints), on by default since 1.34.
public func categorizeEndpoints(
  _ endpoints: [ProxyEndpoint], servicePort: ProxyServicePort, nodeName: String,
  nodeZone: String?, preferSameTrafficDistribution: Bool = true
) -> CategorizedEndpoints {
  var result = CategorizedEndpoints()
  guard !endpoints.isEmpty else { return result }
  let zone = nodeZone ?? ""

  if servicePort.usesClusterEndpoints {
    result.topologyMode = topologyModeFromHints(
      endpoints, nodeName: nodeName, zone: zone, preferSameNode: preferSameTrafficDistribution)
    let mode = result.topologyMode
    result.cluster = endpoints.keeping {
      $0.ready && availableForTopology($0, mode: mode, nodeName: nodeName, zone: zone)
    }
    // No ready endpoint anywhere (a topology mode is only chosen when one exists in this
    // node's zone or for this node): fall back to serving-terminating ones, topology ignored.
    if result.cluster.isEmpty {
      result.cluster = endpoints.filter { $0.serving && $0.terminating }
    }
    result.hasAny = !result.cluster.isEmpty
  }

  guard servicePort.usesLocalEndpoints else {
    result.allReachable = result.cluster
    return result
  }

  if endpoints.contains(where: { $0.ready || ($0.serving && $0.terminating) }) {
    result.hasAny = true
  }
  let localReady = endpoints.filter { $0.isLocal(to: nodeName) && $0.ready }
  let usesTerminating = localReady.isEmpty
  result.local =
    usesTerminating
    ? endpoints.filter { $0.isLocal(to: nodeName) && $0.serving && $0.terminating }
    : localReady

  guard servicePort.usesClusterEndpoints else {
    result.allReachable = result.local
    return result
  }
  if result.topologyMode == .none && !usesTerminating {
    // Every ready endpoint is in the cluster set, so it already contains the local ones.
    result.allReachable = result.cluster
  } else {
    result.allReachable = mergedByEndpoint(result.cluster, result.local)
  }
  return result
}

/// The topology mode for this node: PreferSameNode if every ready endpoint carries a node hint
/// and one names this node, else PreferSameZone if every ready endpoint carries a zone hint and
/// one names this node's zone, else none. No ready endpoint means no mode.
func topologyModeFromHints(
  _ endpoints: [ProxyEndpoint], nodeName: String, zone: String, preferSameNode: Bool
) -> TopologyMode {
  var hasReady = false
  var allNodeHints = true
  var forNode = false
  var allZoneHints = true
  var forZone = false
  for endpoint in endpoints where endpoint.ready {
    hasReady = true
    if let hints = endpoint.nodeHints, !hints.isEmpty {
      if hints.contains(nodeName) { forNode = true }
    } else {
      allNodeHints = false
    }
    if let hints = endpoint.zoneHints, !hints.isEmpty {
      if hints.contains(zone) { forZone = true }
    } else {
      allZoneHints = false
    }
  }
  guard hasReady else { return .none }
  if preferSameNode && allNodeHints && forNode { return .preferSameNode }
  if allZoneHints && forZone { return .preferSameZone }
  return .none
}

/// Whether an endpoint may be used under an already chosen topology mode; the fallback to "all
/// endpoints" belongs to choosing the mode, never to applying it.
func availableForTopology(
  _ endpoint: ProxyEndpoint, mode: TopologyMode, nodeName: String, zone: String
) -> Bool {
  switch mode {
  case .none: return true
  case .preferSameNode: return endpoint.nodeHints?.contains(nodeName) ?? false
  case .preferSameZone: return endpoint.zoneHints?.contains(zone) ?? false
  }
}

/// The union of two endpoint lists, one entry per `ip:port`, in kube-proxy's string order.
func mergedByEndpoint(_ a: [ProxyEndpoint], _ b: [ProxyEndpoint]) -> [ProxyEndpoint] {
  var byKey: [String: ProxyEndpoint] = [:]
  for endpoint in a { byKey[endpoint.description] = endpoint }
  for endpoint in b { byKey[endpoint.description] = endpoint }
  return byKey.keys.sorted().compactMap { byKey[$0] }
}

extension Array where Element == ProxyEndpoint {
  /// The endpoints for which `keep` holds, in order; when it holds for all of them (the usual
  /// case: every endpoint ready, no topology) the list itself, not a copy.
  func keeping(_ keep: (ProxyEndpoint) -> Bool) -> [ProxyEndpoint] {
    guard let first = firstIndex(where: { !keep($0) }) else { return self }
    var kept = Array(self[..<first])
    kept.reserveCapacity(count - 1)
    for endpoint in self[(first + 1)...] where keep(endpoint) { kept.append(endpoint) }
    return kept
  }
}
