import NetAddr

/// Options of `addNode`; nil fields get the defaults described on `ClusterConfig`.
public struct NodeOptions: Hashable, Sendable {
  public var zone: String?
  public var region: String?
  public var ip: String?
  public var podCIDR: String?
  public var labels: [String: String]
  public var dnsSearch: [String]

  public init(
    zone: String? = nil, region: String? = nil, ip: String? = nil, podCIDR: String? = nil,
    labels: [String: String] = [:], dnsSearch: [String] = []
  ) {
    self.zone = zone
    self.region = region
    self.ip = ip
    self.podCIDR = podCIDR
    self.labels = labels
    self.dnsSearch = dnsSearch
  }
}

/// Nodes: joining, leaving, reads.
extension Cluster {
  /// Adds a node; its pod CIDR is the lowest free /24 (IPv4) or /64 (IPv6) of the pod CIDRs.
  @discardableResult
  public func addNode(
    _ name: String, _ opts: NodeOptions = NodeOptions()
  ) throws(ClusterError) -> Node {
    try transaction { () throws(ClusterError) in try insertNode(name, opts) }
  }

  /// `sequence` is the node's position when a new cluster creates its nodes in order: its
  /// address and pod CIDR are then the `sequence`-th ones, found without searching the nodes
  /// already made (the same values the search gives, since nothing else holds addresses yet).
  func insertNode(
    _ name: String, _ opts: NodeOptions, sequence: Int? = nil
  ) throws(ClusterError) -> Node {
    let errs = NameValidation.metadataName(name, NameValidation.dns1123Subdomain)
    if !errs.isEmpty { throw .invalid(kind: "Node", name: name, errors: errs) }
    if nodeStore[name] != nil { throw .alreadyExists(resource: "nodes", name: name) }
    let ip: IPAddress
    if let sequence, opts.ip == nil, let first = IPAddress(config.firstNodeIP),
      let next = first.advanced(by: UInt64(sequence))
    {
      ip = next
    } else {
      ip = try nodeAddress(name, opts.ip)
    }
    let (cidrs, index) = try nodePodCIDRs(
      name, opts.podCIDR, sequence: opts.podCIDR == nil ? sequence : nil)
    var labels = opts.labels
    labels[WellKnownLabel.hostname] = name
    labels["kubernetes.io/os"] = "linux"
    if let z = opts.zone { labels[WellKnownLabel.zone] = z }
    if let r = opts.region { labels[WellKnownLabel.region] = r }
    let node = Node(
      metadata: newMeta(name: name, namespace: "", labels: labels), podCIDR: cidrs.first,
      internalIP: ip, dnsSearch: opts.dnsSearch)
    podBlocks[name] = cidrs.map(BlockAllocator.init)
    if let index { podCIDRIndexes[name] = index }
    putNode(name, node)
    reconcileAllDeployments()
    return node
  }

  /// The node's InternalIP: the one asked for, or the next free after `firstNodeIP`.
  private func nodeAddress(_ name: String, _ text: String?) throws(ClusterError) -> IPAddress {
    let path = FieldPath("status", "addresses").index(0).child("address")
    if let text {
      guard let ip = IPAddress(text) else {
        throw .invalid(
          kind: "Node", name: name,
          errors: [
            .invalid(
              path, .string(text), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")
          ])
      }
      if let other = nodeIPs[ip] {
        throw .invalid(
          kind: "Node", name: name,
          errors: [
            .invalid(path, .string(text), "address is already used by node \(goQuoted(other))")
          ])
      }
      return ip
    }
    guard var ip = IPAddress(config.firstNodeIP) else {
      throw .badConfig("first node IP \(config.firstNodeIP) is not an IP address")
    }
    while nodeIPs[ip] != nil || podIndex.byIP[ip] != nil {
      guard let next = ip.advanced(by: 1) else { throw .internalError("no free node address") }
      ip = next
    }
    return ip
  }

  /// The node's pod CIDRs (one per cluster family) and the index of its subnet.
  private func nodePodCIDRs(
    _ name: String, _ text: String?, sequence: Int?
  ) throws(ClusterError) -> ([CIDR], UInt64?) {
    if let text {
      guard let c = CIDR(text) else {
        throw .invalid(
          kind: "Node", name: name,
          errors: [
            .invalid(
              FieldPath("spec", "podCIDR"), .string(text),
              "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")
          ])
      }
      for (other, blocks) in podBlocks where blocks.contains(where: { overlaps($0.cidr, c) }) {
        throw .invalid(
          kind: "Node", name: name,
          errors: [
            .invalid(
              FieldPath("spec", "podCIDR"), .string(text),
              "overlaps the pod CIDR of node \(goQuoted(other))")
          ])
      }
      return ([c], nil)
    }
    let index: UInt64
    if let sequence {
      index = UInt64(sequence)
    } else {
      // The lowest index no node holds: a flag per index up to the node count.
      var used = [Bool](repeating: false, count: podCIDRIndexes.count + 1)
      for v in podCIDRIndexes.values where v < UInt64(used.count) { used[Int(v)] = true }
      index = UInt64(used.firstIndex(of: false) ?? used.count)
    }
    // Only a node given its own podCIDR can overlap an allocated subnet.
    let explicit = podBlocks.count > podCIDRIndexes.count
    var out: [CIDR] = []
    for (idx, pc) in podCIDRs.enumerated() {
      guard let sub = pc.subnet(length: ConfigParsing.nodeMaskLength(pc.family), index: index),
        !explicit
          || !podBlocks.values.contains(where: { $0.contains(where: { overlaps($0.cidr, sub) }) })
      else {
        // kube-controller-manager's range allocator words; it would leave the node without
        // spec.podCIDR, the lab refuses the node instead.
        throw .internalError(
          "failed to allocate cidr from cluster cidr at idx:\(idx): \(Self.noCIDRsRemaining)")
      }
      out.append(sub)
    }
    return (out, index)
  }

  /// The range allocator's error when the cluster CIDR has no free node subnet (`cidr_set.go`).
  static let noCIDRsRemaining =
    "CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range"

  private func overlaps(_ a: CIDR, _ b: CIDR) -> Bool {
    a.contains(b.network) || b.contains(a.network)
  }

  /// Removes a node: its pods go away at once and Deployments replace them elsewhere.
  public func removeNode(_ name: String) throws(ClusterError) {
    try transaction { () throws(ClusterError) in
      guard nodeStore[name] != nil else { throw .notFound(resource: "nodes", name: name) }
      for key in (podIndex.byNode[name] ?? []).sorted() { removePodNow(key) }
      podBlocks[name] = nil
      podCIDRIndexes[name] = nil
      putNode(name, nil)
      reconcileAllDeployments()
    }
  }

  /// The node called `name`.
  public func node(_ name: String) -> Node? { nodeStore[name] }

  /// Every node, by name.
  public func nodes() -> [Node] { nodeStore.keys.sorted().compactMap { nodeStore[$0] } }
}
