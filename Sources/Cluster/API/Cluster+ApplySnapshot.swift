import NetAddr

/// The whole mutable state of a cluster, captured by value: objects, indexes, allocators,
/// clock and random stream (subscribers are not part of it).
public struct ClusterSnapshot {
  var now: Double
  var random: SeededGenerator
  var namespaceStore: [String: Namespace]
  var nodeStore: [String: Node]
  var podStore: [NamespacedName: Pod]
  var serviceStore: [NamespacedName: Service]
  var sliceStore: [NamespacedName: EndpointSlice]
  var deploymentStore: [NamespacedName: Deployment]
  var endpointsStore: [NamespacedName: V1Endpoints]
  var podIndex: PodIndex
  var serviceSelectorIndex: [LabelPair: Set<NamespacedName>]
  var servicesByNamespace: [String: Set<String>]
  var slicesByService: [NamespacedName: Set<String>]
  var slicesByNamespace: [String: Set<String>]
  var deploymentsByNamespace: [String: Set<String>]
  var endpointHome: [NamespacedName: [AddressType: [NamespacedName: String]]]
  var fillTarget: [NamespacedName: [AddressType: String]]
  var serviceIPs: ServiceIPAllocator
  var nodePorts: NodePortAllocator
  var podBlocks: [String: [BlockAllocator]]
  var podCIDRIndexes: [String: UInt64]
  var lbBlocks: [BlockAllocator]
  var nodeIPs: [IPAddress: String]
  var nextUID: Int
  var readyIntent: [NamespacedName: Bool]
  var terminating: [NamespacedName: Double]
}

/// Whole-state copies, so that a batch of calls (a manifest with several objects) can be
/// tried on a scratch cluster and then taken over all at once, or not at all.
extension Cluster {
  /// Captures the cluster's state.
  /// The endpoints controller catches up first, so that the state holds no pending work.
  public func snapshot() -> ClusterSnapshot {
    catchUpEndpoints()
    return ClusterSnapshot(
      now: now, random: random, namespaceStore: namespaceStore, nodeStore: nodeStore,
      podStore: podStore, serviceStore: serviceStore, sliceStore: sliceStore,
      deploymentStore: deploymentStore, endpointsStore: endpointsStore, podIndex: podIndex,
      serviceSelectorIndex: serviceSelectorIndex, servicesByNamespace: servicesByNamespace,
      slicesByService: slicesByService, slicesByNamespace: slicesByNamespace,
      deploymentsByNamespace: deploymentsByNamespace, endpointHome: endpointHome,
      fillTarget: fillTarget, serviceIPs: serviceIPs, nodePorts: nodePorts, podBlocks: podBlocks,
      podCIDRIndexes: podCIDRIndexes, lbBlocks: lbBlocks, nodeIPs: nodeIPs, nextUID: nextUID,
      readyIntent: readyIntent, terminating: terminating)
  }

  /// Puts the cluster back in the captured state, then tells subscribers about `changes`
  /// (the object changes that lead from the old state to the new one), in order.
  public func restore(_ s: ClusterSnapshot, announcing changes: [ClusterChange] = []) {
    precondition(!inTransaction, "Cluster calls do not nest")
    now = s.now
    random = s.random
    namespaceStore = s.namespaceStore
    nodeStore = s.nodeStore
    podStore = s.podStore
    serviceStore = s.serviceStore
    sliceStore = s.sliceStore
    deploymentStore = s.deploymentStore
    endpointsStore = s.endpointsStore
    podIndex = s.podIndex
    serviceSelectorIndex = s.serviceSelectorIndex
    servicesByNamespace = s.servicesByNamespace
    slicesByService = s.slicesByService
    slicesByNamespace = s.slicesByNamespace
    deploymentsByNamespace = s.deploymentsByNamespace
    endpointHome = s.endpointHome
    fillTarget = s.fillTarget
    serviceIPs = s.serviceIPs
    nodePorts = s.nodePorts
    podBlocks = s.podBlocks
    podCIDRIndexes = s.podCIDRIndexes
    lbBlocks = s.lbBlocks
    nodeIPs = s.nodeIPs
    nextUID = s.nextUID
    readyIntent = s.readyIntent
    terminating = s.terminating
    endpointsDirty = [:]
    pending = ChangeLog()
    for change in changes { for o in observers { o.fn(change) } }
  }

  /// A new cluster with the same settings and the same state, and no subscribers.
  public func scratchCopy() throws(ClusterError) -> Cluster {
    let copy: Cluster
    do {
      copy = try Cluster(config: config)
    } catch let e as ClusterError {
      throw e
    } catch {
      throw .internalError("\(error)")
    }
    copy.restore(snapshot())
    return copy
  }

  /// Sets the logical clock (restoring a saved lab); it never runs graceful deletions.
  public func setClock(_ seconds: Double) { now = seconds }

  /// The object id the next created object gets (saved with a lab).
  public var nextObjectID: Int {
    get { nextUID }
    set { nextUID = newValue }
  }
}
