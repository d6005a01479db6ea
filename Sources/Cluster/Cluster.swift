import NetAddr

/// The simulated Kubernetes cluster: API objects, validation, allocators and controllers.
///
/// Every mutating call is transactional: it either succeeds completely (controllers
/// included) and then notifies subscribers of each changed object once, or throws a
/// `ClusterError` and changes nothing. The type is used from one thread.
public final class Cluster {
  /// The settings the cluster was created with.
  public let config: ClusterConfig
  /// The cluster DNS domain.
  public let domain: String
  /// The parsed Service CIDRs, in configuration order.
  public let serviceCIDRs: [CIDR]
  /// The parsed cluster pod CIDRs (one per family).
  public let podCIDRs: [CIDR]
  /// The NodePort range.
  public let nodePortRange: ClosedRange<Int>
  /// The load-balancer address pools.
  public let loadBalancerPools: [CIDR]

  /// The logical clock in seconds; only `advance(_:)` moves it.
  public internal(set) var now: Double = 0
  /// The cluster's random stream; other engines may draw from it too.
  public var random: SeededGenerator

  // MARK: - Objects

  var namespaceStore: [String: Namespace] = [:]
  var nodeStore: [String: Node] = [:]
  var podStore: [NamespacedName: Pod] = [:]
  var serviceStore: [NamespacedName: Service] = [:]
  var sliceStore: [NamespacedName: EndpointSlice] = [:]
  var deploymentStore: [NamespacedName: Deployment] = [:]
  var endpointsStore: [NamespacedName: V1Endpoints] = [:]

  // MARK: - Indexes

  var podIndex = PodIndex()
  var serviceSelectorIndex: [LabelPair: Set<NamespacedName>] = [:]
  var servicesByNamespace: [String: Set<String>] = [:]
  var slicesByService: [NamespacedName: Set<String>] = [:]
  var slicesByNamespace: [String: Set<String>] = [:]
  var deploymentsByNamespace: [String: Set<String>] = [:]
  /// Which managed slice holds each pod's endpoint, per Service and address type.
  var endpointHome: [NamespacedName: [AddressType: [NamespacedName: String]]] = [:]
  /// The slice a Service's last endpoint went to, tried first for the next one.
  var fillTarget: [NamespacedName: [AddressType: String]] = [:]

  // MARK: - Allocators

  var serviceIPs: ServiceIPAllocator
  var nodePorts: NodePortAllocator
  var podBlocks: [String: [BlockAllocator]] = [:]
  var podCIDRIndexes: [String: UInt64] = [:]
  var lbBlocks: [BlockAllocator]
  var nodeIPs: [IPAddress: String] = [:]

  // MARK: - Bookkeeping

  var nextUID = 1
  /// Services whose Endpoints the endpoints controller has yet to sync, with the pod changes
  /// that marked them, in order (at most `endpointsInPlaceMaxChanges` + 1: past that the
  /// Service is synced in full). The controller catches up when its output is next read
  /// (`catchUpEndpoints`), as the real one works through its queue behind the API server:
  /// nothing on the path of traffic or DNS reads v1 Endpoints, so a pod change does not wait
  /// for them, and many changes to one Service cost one sync.
  var endpointsDirty: [NamespacedName: [PodChange]] = [:]
  /// Services whose stored Endpoints are what the endpoints controller last wrote (so that
  /// a pod change may be applied to them in place); any other writer takes a Service out.
  var endpointsOwnOutput = Set<NamespacedName>()
  /// Whether the endpoints controller may apply pod changes in place (off to compare with
  /// syncing every Service in full).
  var endpointsInPlace = true
  /// How many Services' Endpoints were updated in place, for the tests comparing the paths.
  var endpointsUpdatedInPlace = 0
  /// Readiness asked for pods that wait for a node.
  var readyIntent: [NamespacedName: Bool] = [:]
  /// Terminating pods and the clock time their grace period ends.
  var terminating: [NamespacedName: Double] = [:]
  var pending = ChangeLog()
  var observers: [(id: Int, fn: (ClusterChange) -> Void)] = []
  var nextObserverID = 1
  var inTransaction = false

  /// Creates a cluster from `config`; throws `ClusterError.badConfig` for unusable settings.
  public init(config: ClusterConfig = ClusterConfig()) throws {
    self.config = config
    domain = config.domain
    random = SeededGenerator(seed: config.seed)
    serviceCIDRs = try ConfigParsing.serviceCIDRs(config.serviceCIDRs)
    podCIDRs = try ConfigParsing.podCIDRs(config.podCIDR)
    nodePortRange = try ConfigParsing.portRange(config.nodePortRange)
    loadBalancerPools = try ConfigParsing.pools(config.loadBalancerPools)
    serviceIPs = ServiceIPAllocator(cidrs: serviceCIDRs)
    nodePorts = NodePortAllocator(first: nodePortRange.lowerBound, last: nodePortRange.upperBound)
    lbBlocks = loadBalancerPools.map(BlockAllocator.init)
    try bootstrap()
    flushEndpoints()
    pending = ChangeLog()
  }

  /// Restarts the random stream from `seed`.
  public func seed(_ seed: UInt64) { random = SeededGenerator(seed: seed) }

  // MARK: - Notifications

  /// Registers `observer`, called synchronously once per changed object after each successful
  /// call, in the order the changes happened. Returns a token for `unsubscribe`.
  @discardableResult
  public func subscribe(_ observer: @escaping (ClusterChange) -> Void) -> Int {
    let id = nextObserverID
    nextObserverID += 1
    observers.append((id, observer))
    return id
  }

  /// Removes an observer registered with `subscribe`.
  public func unsubscribe(_ token: Int) { observers.removeAll { $0.id == token } }

  /// Runs one API call: on error the random stream and counters are restored and nothing is
  /// reported; on success the collected changes are delivered.
  func transaction<T>(_ body: () throws(ClusterError) -> T) throws(ClusterError) -> T {
    precondition(!inTransaction, "Cluster calls do not nest")
    let savedRandom = random
    let savedUID = nextUID
    let savedDirty = endpointsDirty
    inTransaction = true
    defer { inTransaction = false }
    do {
      let result = try body()
      deliverChanges()
      return result
    } catch {
      random = savedRandom
      nextUID = savedUID
      endpointsDirty = savedDirty
      pending = ChangeLog()
      throw error
    }
  }

  /// Tells the observers about the changes collected so far, in order.
  private func deliverChanges() {
    let changes = pending.drain()
    for change in changes { for o in observers { o.fn(change) } }
  }

  /// Lets the endpoints controller finish its pending syncs before its output (v1 Endpoints)
  /// is read or written; outside a call, the changes it makes are delivered at once. A call
  /// that may still fail catches up before it starts: its rollback does not undo writes.
  func catchUpEndpoints() {
    guard !endpointsDirty.isEmpty else { return }
    guard !inTransaction else { return flushEndpoints() }
    inTransaction = true
    defer { inTransaction = false }
    flushEndpoints()
    deliverChanges()
  }

  /// A fresh object id.
  func takeUID() -> Int {
    defer { nextUID += 1 }
    return nextUID
  }
}

/// One pod change a Service's endpoints controller has yet to apply: the pod before and after.
struct PodChange {
  var old: Pod?
  var new: Pod?
}

/// Changes collected during one call, one entry per object (first previous, last current).
struct ChangeLog {
  /// The changes in the order their objects first changed.
  private var changes: [ClusterChange] = []
  /// Whether each change in `changes` ends as it began (then it is not reported).
  private var unchanged: [Bool] = []
  /// Where each object's change is in `changes`.
  private var positions: [ChangeKey: Int] = [:]

  struct ChangeKey: Hashable {
    let kind: ObjectKind
    let key: NamespacedName
  }

  /// Records one write of an object; `unchanged` tells whether it wrote what was there (the
  /// writer compares its own two versions, which costs no copies of them).
  mutating func record(_ change: ClusterChange, key: NamespacedName, unchanged same: Bool) {
    let k = ChangeKey(kind: change.kind, key: key)
    // One lookup for an object's first change, the common case.
    guard let i = positions.updateValue(changes.count, forKey: k) else {
      changes.append(change)
      unchanged.append(same)
      return
    }
    positions[k] = i
    changes[i] = ChangeLog.merge(changes[i], change)
    unchanged[i] = changes[i].isNoOp
  }

  private static func merge(_ a: ClusterChange, _ b: ClusterChange) -> ClusterChange {
    switch (a, b) {
    case (.namespace(let p, _), .namespace(_, let c)): return .namespace(previous: p, current: c)
    case (.node(let p, _), .node(_, let c)): return .node(previous: p, current: c)
    case (.pod(let p, _), .pod(_, let c)): return .pod(previous: p, current: c)
    case (.service(let p, _), .service(_, let c)): return .service(previous: p, current: c)
    case (.endpointSlice(let p, _), .endpointSlice(_, let c)):
      return .endpointSlice(previous: p, current: c)
    case (.deployment(let p, _), .deployment(_, let c)): return .deployment(previous: p, current: c)
    case (.endpoints(let p, _), .endpoints(_, let c)): return .endpoints(previous: p, current: c)
    default: return b
    }
  }

  /// The collected changes in order, without those whose end state equals their start.
  mutating func drain() -> [ClusterChange] {
    var out: [ClusterChange] = []
    out.reserveCapacity(changes.count)
    for (change, same) in zip(changes, unchanged) where !same { out.append(change) }
    // Kept at their size: the next call records about as many changes.
    changes.removeAll(keepingCapacity: true)
    unchanged.removeAll(keepingCapacity: true)
    positions.removeAll(keepingCapacity: true)
    return out
  }
}

extension ClusterChange {
  var isNoOp: Bool {
    switch self {
    case .namespace(let p, let c): return p == c
    case .node(let p, let c): return p == c
    case .pod(let p, let c): return p == c
    case .service(let p, let c): return p == c
    case .endpointSlice(let p, let c): return p == c
    case .deployment(let p, let c): return p == c
    case .endpoints(let p, let c): return p == c
    }
  }
}
