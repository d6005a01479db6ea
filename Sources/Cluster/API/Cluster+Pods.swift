import NetAddr

/// Options of `addPod`.
public struct PodOptions: Hashable, Sendable {
  public var namespace: String
  public var labels: [String: String]
  /// The node to run on; nil lets the scheduler pick the least loaded one.
  public var node: String?
  /// The pod IP; nil takes the next free address of the node's pod CIDR.
  public var ip: String?
  public var ready: Bool
  public var ports: [ContainerPort]
  public var hostname: String?
  public var subdomain: String?
  public var dnsPolicy: DNSPolicy
  public var dnsConfig: PodDNSConfig?
  public var hostNetwork: Bool
  public var setHostnameAsFQDN: Bool
  public var terminationGracePeriodSeconds: Int
  /// `metadata.ownerReferences` (a ReplicaSet's or DaemonSet's pods).
  public var ownerReferences: [OwnerReference] = []

  public init(
    namespace: String = "default", labels: [String: String] = [:], node: String? = nil,
    ip: String? = nil, ready: Bool = true, ports: [ContainerPort] = [], hostname: String? = nil,
    subdomain: String? = nil, dnsPolicy: DNSPolicy = .clusterFirst, dnsConfig: PodDNSConfig? = nil,
    hostNetwork: Bool = false, setHostnameAsFQDN: Bool = false,
    terminationGracePeriodSeconds: Int = 30
  ) {
    self.namespace = namespace
    self.labels = labels
    self.node = node
    self.ip = ip
    self.ready = ready
    self.ports = ports
    self.hostname = hostname
    self.subdomain = subdomain
    self.dnsPolicy = dnsPolicy
    self.dnsConfig = dnsConfig
    self.hostNetwork = hostNetwork
    self.setHostnameAsFQDN = setHostnameAsFQDN
    self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
  }
}

/// Pods: creation, readiness, graceful deletion, reads.
extension Cluster {
  /// Creates a running pod (Pending without an IP while no node exists).
  @discardableResult
  public func addPod(_ name: String, _ opts: PodOptions = PodOptions()) throws(ClusterError) -> Pod
  {
    try transaction { () throws(ClusterError) in
      try requireNamespace(opts.namespace)
      let errs = PodValidation.validate(name: name, opts: opts)
      if !errs.isEmpty { throw .invalid(kind: "Pod", name: name, errors: errs) }
      let key = NamespacedName(namespace: opts.namespace, name: name)
      if podStore[key] != nil { throw .alreadyExists(resource: "pods", name: name) }
      if let n = opts.node, nodeStore[n] == nil { throw .notFound(resource: "nodes", name: n) }
      var pod = Pod(
        metadata: newMeta(name: name, namespace: opts.namespace, labels: opts.labels),
        ports: opts.ports, hostname: opts.hostname, subdomain: opts.subdomain,
        dnsPolicy: opts.dnsPolicy, dnsConfig: opts.dnsConfig, hostNetwork: opts.hostNetwork,
        setHostnameAsFQDN: opts.setHostnameAsFQDN,
        terminationGracePeriodSeconds: opts.terminationGracePeriodSeconds)
      pod.metadata.ownerReferences = opts.ownerReferences
      let explicitIP = try parsePodIP(name, opts.ip)
      if let node = opts.node ?? scheduleTarget() {
        try bind(&pod, to: node, ip: explicitIP, ready: opts.ready)
      } else {
        readyIntent[key] = opts.ready
      }
      storePodChange(key, pod)
      return pod
    }
  }

  /// A free pod name `<base><5 chars>` from the seeded generator, as `generateName` makes
  /// them (a ReplicaSet's or DaemonSet's pods: base `<owner>-`).
  public func generatePodName(base: String, namespace: String) -> String {
    var name: String
    repeat {
      name = NameAlphabet.generateName(base: base, using: &random)
    } while podStore[NamespacedName(namespace: namespace, name: name)] != nil
    return name
  }

  private func parsePodIP(_ name: String, _ text: String?) throws(ClusterError) -> IPAddress? {
    guard let text else { return nil }
    let path = FieldPath("status", "podIPs").index(0).child("ip")
    guard let ip = IPAddress(text) else {
      throw .invalid(
        kind: "Pod", name: name,
        errors: [
          .invalid(
            path, .string(text), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")
        ])
    }
    if podIndex.byIP[ip] != nil || nodeIPs[ip] != nil {
      throw .invalid(
        kind: "Pod", name: name,
        errors: [
          .invalid(path, .string(text), "provided IP is already allocated")
        ])
    }
    return ip
  }

  /// Places `pod` on `node` with its addresses; it starts Running.
  func bind(_ pod: inout Pod, to node: String, ip: IPAddress?, ready: Bool) throws(ClusterError) {
    guard let n = nodeStore[node] else { throw .notFound(resource: "nodes", name: node) }
    pod.nodeName = node
    if pod.hostNetwork {
      pod.podIPs = [n.internalIP]
    } else {
      pod.podIPs = try allocatePodIPs(node: node, explicit: ip)
    }
    pod.phase = .running
    pod.ready = ready
  }

  /// One address per pod-network family from the node's blocks (the explicit one replacing
  /// its family's pick). Nothing is taken when a block is full. The blocks are changed in
  /// place: a copy of the node's block list would copy each block's set of used ordinals.
  private func allocatePodIPs(
    node: String, explicit: IPAddress?
  ) throws(ClusterError) -> [IPAddress] {
    let blocks = podBlocks[node]?.indices ?? 0..<0
    let picks = blocks.filter { podBlocks[node]?[$0].cidr.family != explicit?.family }
    if let full = picks.lazy.compactMap({ self.podBlocks[node]?[$0] }).first(where: \.isFull) {
      let lo = full.cidr.address(at: 1).map { "\($0)" } ?? ""
      let hi = full.cidr.address(at: full.limit).map { "\($0)" } ?? ""
      throw .internalError(
        "failed to allocate for range 0: no IP addresses available in range set: \(lo)-\(hi)")
    }
    var out: [IPAddress] = []
    if let explicit {
      out.append(explicit)
      if let i = podBlocks[node]?.firstIndex(where: { $0.holds(explicit) }) {
        _ = podBlocks[node]?[i].allocate(explicit)
      } else {
        for other in podBlocks.keys where other != node {
          if let j = podBlocks[other]?.firstIndex(where: { $0.holds(explicit) }) {
            _ = podBlocks[other]?[j].allocate(explicit)
          }
        }
      }
    }
    for i in picks { if let ip = podBlocks[node]?[i].allocateNext() { out.append(ip) } }
    return out
  }

  /// Returns a pod's addresses to its node's blocks (or to the block of another node that
  /// holds an explicit address).
  func releasePodIPs(_ pod: Pod) {
    guard !pod.hostNetwork else { return }
    for ip in pod.podIPs {
      if let j = podBlocks[pod.nodeName]?.firstIndex(where: { $0.isUsed(ip) }) {
        podBlocks[pod.nodeName]?[j].release(ip)
        continue
      }
      for node in podBlocks.keys {
        if let j = podBlocks[node]?.firstIndex(where: { $0.isUsed(ip) }) {
          podBlocks[node]?[j].release(ip)
          break
        }
      }
    }
  }

  /// Deletes a pod: with `grace` > 0 (default: its terminationGracePeriodSeconds) it stays
  /// Terminating until `advance` passes the grace period; with 0 it goes at once.
  public func deletePod(_ key: NamespacedName, grace: Int? = nil) throws(ClusterError) {
    try transaction { () throws(ClusterError) in
      guard var pod = podStore[key] else { throw .notFound(resource: "pods", name: key.name) }
      let g = grace ?? pod.terminationGracePeriodSeconds
      if g < 0 {
        throw .invalid(
          kind: "Pod", name: key.name,
          errors: [
            .invalid(FieldPath("gracePeriodSeconds"), .int(g), "must be greater than or equal to 0")
          ])
      }
      if g == 0 || pod.nodeName.isEmpty {
        removePodNow(key)
      } else {
        // As the API server does, deletionTimestamp is when the grace period ends; a second
        // delete may only bring it forward.
        let deadline = now + Double(g)
        if let current = pod.metadata.deletionTimestamp, current <= deadline { return }
        pod.metadata.deletionTimestamp = deadline
        pod.metadata.deletionGracePeriodSeconds = g
        storePodChange(key, pod)
      }
      if let d = pod.ownerDeployment {
        reconcileDeployment(NamespacedName(namespace: key.namespace, name: d))
      }
    }
  }

  /// Sets the pod's Ready condition.
  @discardableResult
  public func setPodReady(_ key: NamespacedName, _ ready: Bool) throws(ClusterError) -> Pod {
    try transaction { () throws(ClusterError) in
      guard var pod = podStore[key] else { throw .notFound(resource: "pods", name: key.name) }
      if pod.phase == .running { pod.ready = ready } else { readyIntent[key] = ready }
      storePodChange(key, pod)
      return pod
    }
  }

  /// Sets the pod's phase (Succeeded/Failed pods leave their Services' endpoints).
  @discardableResult
  public func setPodPhase(_ key: NamespacedName, _ phase: PodPhase) throws(ClusterError) -> Pod {
    try transaction { () throws(ClusterError) in
      guard var pod = podStore[key] else { throw .notFound(resource: "pods", name: key.name) }
      pod.phase = phase
      if phase != .running { pod.ready = false }
      storePodChange(key, pod)
      if let d = pod.ownerDeployment {
        reconcileDeployment(NamespacedName(namespace: key.namespace, name: d))
      }
      return pod
    }
  }

  /// Removes a pod at once, freeing its addresses and updating its Services.
  func removePodNow(_ key: NamespacedName) {
    guard let pod = podStore[key] else { return }
    releasePodIPs(pod)
    readyIntent[key] = nil
    storePodChange(key, nil)
  }

  /// Writes a pod change and runs the controllers it concerns.
  func storePodChange(_ key: NamespacedName, _ new: Pod?) {
    let old = putPod(key, new)
    if let t = new?.metadata.deletionTimestamp {
      terminating[key] = t
    } else if old?.metadata.deletionTimestamp != nil {
      terminating[key] = nil
    }
    podChangedForEndpoints(old: old, new: new)
    adjustDeploymentStatus(old: old, new: new)
  }

  /// The pod `key`.
  public func pod(_ key: NamespacedName) -> Pod? { podStore[key] }

  /// Pods, by namespace then name; filtered by namespace and an equality selector.
  public func pods(namespace: String? = nil, selector: [String: String]? = nil) -> [Pod] {
    var keys: [NamespacedName]
    if let namespace, let selector, !selector.isEmpty {
      keys = podIndex.matching(namespace: namespace, selector: selector)
    } else if let namespace {
      keys = (podIndex.byNamespace[namespace] ?? []).map {
        NamespacedName(namespace: namespace, name: $0)
      }
    } else {
      keys = Array(podStore.keys)
    }
    return keys.sorted().compactMap { podStore[$0] }.filter { p in
      selector.map { selectorMatches($0, p.labels) } ?? true
    }
  }
}
