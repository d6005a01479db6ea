import NetAddr

/// kube-proxy on every node of one cluster, plus the pod network between them.
///
/// Services and EndpointSlices arrive as `(previous, current)` pairs and wait in change trackers
/// until `sync()`, which applies them and returns the Services whose rules change — as
/// kube-proxy's sync loop does. Per-node decisions (`ServicePortDecision`) are made lazily, on
/// the first question about a (node, Service port) after a change, and cached until the Service,
/// its endpoints or the node change again; so one endpoint change costs the same whatever the
/// cluster's size.
public final class ProxyCluster {
  // MARK: - Inputs waiting for sync
  var serviceChanges = ServiceChangeTracker()
  var sliceChanges = EndpointSliceTracker()

  // MARK: - Applied state
  /// Every applied Service port, per family.
  public internal(set) var servicePorts: [ServicePortKey: ProxyServicePort] = [:]
  var portsByService: [NamespacedName: Set<ServicePortKey>] = [:]
  var addresses = ServiceAddressIndex()
  public internal(set) var nodes: [String: ProxyNode] = [:]
  var nodeByIP: [IPAddress: String] = [:]
  public internal(set) var pods: [NamespacedName: ProxyPod] = [:]
  var podByIP: [IPAddress: NamespacedName] = [:]
  var hostNetworkPods: [String: Set<NamespacedName>] = [:]

  // MARK: - Settings
  /// kube-proxy's settings for nodes without their own.
  public internal(set) var defaultConfig = ProxyConfig()
  var nodeConfigs: [String: ProxyConfig] = [:]
  /// How pod traffic crosses nodes.
  public var podNetwork: PodNetworkMode
  /// Chain names for traces.
  public var namer: any ChainNamer
  /// The `PreferSameTrafficDistribution` feature gate (node hints).
  public var preferSameTrafficDistribution = true

  // MARK: - Caches and per-node data plane
  var endpointCache: [NamespacedName: [IPFamily: [EndpointPortKey: [ProxyEndpoint]]]] = [:]
  var decisionCache: [String: [ServicePortKey: CachedDecision]] = [:]
  var serviceGeneration: [NamespacedName: Int] = [:]
  var nodeGeneration: [String: Int] = [:]
  var dataplanes: [String: NodeDataplane] = [:]
  var openConnections: [Int: OpenConnection] = [:]
  var nextConnectionID = 1

  /// The renderers' chain-name hashes, kept between renders (`ChainNameCache`).
  public let chainNames = ChainNameCache()
  /// The keys of `servicePorts` in order, as `portKeysInOrder` last sorted them.
  var sortedPortKeys: [ServicePortKey] = []

  /// Whether `distribution` compiles its path (off to compare with the plain walk).
  var compilingPaths = true

  struct CachedDecision {
    var serviceGeneration: Int
    var nodeGeneration: Int
    var decision: ServicePortDecision
  }

  public init(namer: any ChainNamer, podNetwork: PodNetworkMode = .ipip) {
    self.namer = namer
    self.podNetwork = podNetwork
  }

  // MARK: - Change notifications

  /// Records a Service change: its ports before and after (nil when added or deleted).
  public func updateService(
    _ name: NamespacedName, previous: [ProxyServicePort]?, current: [ProxyServicePort]?
  ) {
    serviceChanges.update(name, previous: previous, current: current)
  }

  /// Records an EndpointSlice change (nil when added or deleted).
  public func updateEndpointSlice(previous: ProxyEndpointSlice?, current: ProxyEndpointSlice?) {
    sliceChanges.update(previous: previous, current: current)
  }

  /// Whether changes are waiting for `sync()`.
  public var hasPendingChanges: Bool { !serviceChanges.items.isEmpty || sliceChanges.hasPending }

  /// Applies every pending Service and EndpointSlice change and returns the Services whose
  /// kube-proxy state changed (kube-proxy's `UpdatedServices`); only their decisions are made
  /// again, on demand.
  @discardableResult
  public func sync() -> Set<NamespacedName> {
    var updated = Set<NamespacedName>()
    for (name, change) in serviceChanges.checkout() {
      applyServicePorts(name, previous: change.previous, current: change.current)
      updated.insert(name)
    }
    for (service, changes) in sliceChanges.checkoutChanges() {
      updateEndpointCache(service, changes)
      updated.insert(service)
    }
    for service in updated { serviceGeneration[service, default: 0] += 1 }
    return updated
  }

  /// Brings a Service's merged endpoints up to date with its slice changes one endpoint at a
  /// time; when a change cannot be applied that way the Service's endpoints are dropped, to be
  /// merged again from its slices on first use.
  private func updateEndpointCache(_ service: NamespacedName, _ changes: [SliceChange]) {
    guard let index = endpointCache.index(forKey: service) else { return }
    // Changed where they are (through the values' modify accessors), so that the lists are
    // shared with nothing but the decisions made from them while they change.
    if !Self.apply(changes, to: &endpointCache.values[index]) { endpointCache[service] = nil }
  }

  /// Applies slice changes to one Service's merged endpoints of every family; false when one
  /// could not be (the lists are then unusable).
  private static func apply(
    _ changes: [SliceChange], to byFamily: inout [IPFamily: [EndpointPortKey: [ProxyEndpoint]]]
  ) -> Bool {
    var i = byFamily.startIndex
    while i != byFamily.endIndex {
      let family = byFamily.keys[i]
      for change in changes {
        guard applySliceChange(change, to: &byFamily.values[i], family: family) else {
          return false
        }
      }
      byFamily.formIndex(after: &i)
    }
    return true
  }

  /// Replaces one Service's applied ports and their address index entries.
  private func applyServicePorts(
    _ name: NamespacedName, previous: [ServicePortKey: ProxyServicePort],
    current: [ServicePortKey: ProxyServicePort]
  ) {
    for (key, port) in previous {
      servicePorts[key] = nil
      addresses.remove(port)
    }
    for (key, port) in current {
      servicePorts[key] = port
      addresses.insert(port)
    }
    portsByService[name] = current.isEmpty ? nil : Set(current.keys)
  }

  // MARK: - Nodes and pods

  /// Adds or replaces a node; its decisions are made again when next asked for.
  public func upsertNode(_ node: ProxyNode) {
    if let old = nodes[node.name] {
      if old == node { return }
      for ip in old.ips where nodeByIP[ip] == node.name { nodeByIP[ip] = nil }
    }
    nodes[node.name] = node
    for ip in node.ips { nodeByIP[ip] = node.name }
    nodeGeneration[node.name, default: 0] += 1
  }

  /// Removes a node, its kube-proxy state and settings.
  public func removeNode(_ name: String) {
    guard let old = nodes.removeValue(forKey: name) else { return }
    for ip in old.ips where nodeByIP[ip] == name { nodeByIP[ip] = nil }
    decisionCache[name] = nil
    dataplanes[name] = nil
    nodeConfigs[name] = nil
    nodeGeneration[name, default: 0] += 1
  }

  /// Adds or replaces a pod (where a backend address lives and what it listens on).
  public func upsertPod(_ pod: ProxyPod) {
    let name = NamespacedName(namespace: pod.namespace, name: pod.name)
    // A change kube-proxy does not see (readiness) leaves its maps as they are.
    if pods[name] == pod { return }
    removePod(name)
    pods[name] = pod
    if pod.hostNetwork {
      hostNetworkPods[pod.nodeName, default: []].insert(name)
    } else {
      for ip in pod.ips { podByIP[ip] = name }
    }
  }

  /// Removes a pod.
  public func removePod(_ name: NamespacedName) {
    guard let old = pods.removeValue(forKey: name) else { return }
    for ip in old.ips where podByIP[ip] == name { podByIP[ip] = nil }
    hostNetworkPods[old.nodeName]?.remove(name)
  }

  // MARK: - Settings

  /// Sets kube-proxy's settings for one node, or (node nil) for every node, dropping per-node
  /// settings. A node whose mode or IPVS scheduler changes starts with empty kernel state, as
  /// after kube-proxy's cleanup and restart.
  public func setProxyConfig(_ config: ProxyConfig, node: String? = nil) {
    let before = Dictionary(uniqueKeysWithValues: nodes.keys.map { ($0, self.config(for: $0)) })
    if let node {
      nodeConfigs[node] = config
    } else {
      defaultConfig = config
      nodeConfigs = [:]
    }
    for (name, old) in before {
      let new = self.config(for: name)
      if old.mode != new.mode || old.ipvsScheduler != new.ipvsScheduler { dataplanes[name] = nil }
    }
  }

  /// kube-proxy's settings on `node`.
  public func config(for node: String) -> ProxyConfig { nodeConfigs[node] ?? defaultConfig }

  /// The Service port of `key`, if applied.
  public func servicePort(_ key: ServicePortKey) -> ProxyServicePort? { servicePorts[key] }

  /// The applied Service ports whose ClusterIP is `ip`, in key order (an index lookup).
  public func clusterIPPorts(at ip: IPAddress) -> [ProxyServicePort] {
    addresses.servicePorts(at: ip).sorted().compactMap { servicePorts[$0] }
      .filter { $0.clusterIP == ip }
  }
}
