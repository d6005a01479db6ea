import NetAddr

extension ProxyCluster {
  /// The decision kube-proxy on `node` makes for one Service port: its endpoints categorized
  /// for that node. Made on first use after a change, then cached.
  public func decision(node: String, servicePort key: ServicePortKey) -> ServicePortDecision? {
    guard let port = servicePorts[key], let proxyNode = nodes[node] else { return nil }
    let service = key.name.serviceName
    let svcGen = serviceGeneration[service, default: 0]
    let nodeGen = nodeGeneration[node, default: 0]
    if let cached = decisionCache[node]?[key], cached.serviceGeneration == svcGen,
      cached.nodeGeneration == nodeGen, cached.decision.servicePort == port
    {
      return cached.decision
    }
    let all = resolvingDuplicates(candidates(for: key), nodeName: node)
    let categorized = categorizeEndpoints(
      all, servicePort: port, nodeName: node, nodeZone: proxyNode.zone,
      preferSameTrafficDistribution: preferSameTrafficDistribution)
    let decision = ServicePortDecision(
      servicePort: port, allEndpoints: all, clusterEndpoints: categorized.cluster,
      localEndpoints: categorized.local, allReachableEndpoints: categorized.allReachable,
      hasAnyEndpoints: categorized.hasAny)
    decisionCache[node, default: [:]][key] = CachedDecision(
      serviceGeneration: svcGen, nodeGeneration: nodeGen, decision: decision)
    return decision
  }

  /// Every Service port's decision on `node`, in Service-port order (what a full sync writes).
  public func decisions(node: String) -> [ServicePortDecision] {
    portKeysInOrder().compactMap { decision(node: node, servicePort: $0) }
  }

  /// The keys of `servicePorts` in order. The order is kept between calls (sorting 10,000
  /// keys of strings costs more than all the lookups a full sync makes) and checked instead:
  /// a kept list of distinct keys that has as many keys as `servicePorts`, each of them in it,
  /// holds exactly its keys.
  func portKeysInOrder() -> [ServicePortKey] {
    let current =
      sortedPortKeys.count == servicePorts.count
      && sortedPortKeys.allSatisfy { servicePorts[$0] != nil }
    if !current { sortedPortKeys = servicePorts.keys.sorted() }
    return sortedPortKeys
  }

  /// The decisions on `node` for the ports of `services` only (what a partial sync rewrites).
  public func decisions(node: String, services: Set<NamespacedName>) -> [ServicePortDecision] {
    services.flatMap { portsByService[$0] ?? [] }.sorted().compactMap {
      decision(node: node, servicePort: $0)
    }
  }

  /// The Service ports of one Service.
  public func servicePortKeys(of service: NamespacedName) -> [ServicePortKey] {
    (portsByService[service] ?? []).sorted()
  }

  /// The endpoint candidates of a Service port (duplicates kept), merged from the applied
  /// slices on first use after a change.
  func candidates(for key: ServicePortKey) -> [ProxyEndpoint] {
    let service = key.name.serviceName
    if let cached = endpointCache[service]?[key.family] {
      return cached[key.name.endpointPortKey] ?? []
    }
    let merged = mergeSliceEndpoints(sliceChanges.slices(of: service), family: key.family)
    endpointCache[service, default: [:]][key.family] = merged
    return merged[key.name.endpointPortKey] ?? []
  }
}
