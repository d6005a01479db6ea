/// Services: create, update, delete, reads.
extension Cluster {
  /// Creates a Service: defaulting, IP-family initialisation, allocation (ClusterIPs, node
  /// ports, health-check port), validation, then load-balancer ingress and EndpointSlices.
  @discardableResult
  public func createService(
    _ name: String, namespace: String = "default", spec: ServiceSpec, labels: [String: String] = [:]
  ) throws(ClusterError) -> Service {
    try transaction { () throws(ClusterError) in
      try insertService(name, namespace: namespace, spec: spec, labels: labels)
    }
  }

  func insertService(
    _ name: String, namespace: String, spec: ServiceSpec, labels: [String: String]
  )
    throws(ClusterError) -> Service
  {
    try requireNamespace(namespace)
    var s = spec
    ServiceDefaults.apply(&s)
    try ServiceFamilies(configured: serviceIPs.families).initialize(&s, old: nil, name: name)
    var txn = AllocationTxn()
    do throws(ClusterError) {
      try allocateClusterIPs(&s, from: 0, name: name, txn: &txn)
      try allocateNodePorts(&s, old: nil, name: name, txn: &txn)
      var svc = Service(
        metadata: newMeta(name: name, namespace: namespace, labels: labels), spec: s)
      let errs = ServiceValidation.validate(svc)
      if !errs.isEmpty { throw ClusterError.invalid(kind: "Service", name: name, errors: errs) }
      let key = svc.key
      if serviceStore[key] != nil {
        throw ClusterError.alreadyExists(resource: "services", name: name)
      }
      assignLoadBalancerIngress(&svc)
      putService(key, svc)
      reconcileService(key)
      return svc
    } catch {
      revert(txn)
      throw error
    }
  }

  /// Replaces a Service's spec (and labels, when given), with update validation: the primary
  /// ClusterIP is immutable; fields the new type no longer uses are dropped.
  @discardableResult
  public func updateService(
    _ key: NamespacedName, spec: ServiceSpec, labels: [String: String]? = nil
  ) throws(ClusterError) -> Service {
    try transaction { () throws(ClusterError) in
      guard let old = serviceStore[key] else {
        throw .notFound(resource: "services", name: key.name)
      }
      var s = spec
      ServiceDefaults.apply(&s)
      ServiceDefaults.dropTypeDependentFields(&s, old: old.spec)
      try ServiceFamilies(configured: serviceIPs.families).initialize(
        &s, old: old.spec, name: key.name)
      var txn = AllocationTxn()
      do throws(ClusterError) {
        try updateClusterIPs(&s, old: old.spec, name: key.name, txn: &txn)
        try allocateNodePorts(&s, old: old.spec, name: key.name, txn: &txn)
        var svc = old
        svc.spec = s
        if let labels { svc.metadata.labels = labels }
        var errs = ServiceValidation.clusterIPsUpdate(old: old.spec, new: s)
        errs += ServiceValidation.validate(svc)
        if !errs.isEmpty {
          throw ClusterError.invalid(kind: "Service", name: key.name, errors: errs)
        }
        commit(txn)
        if svc.spec.type != old.spec.type || svc.spec.loadBalancerIP != old.spec.loadBalancerIP
          || svc.spec.ipFamilies != old.spec.ipFamilies
        {
          releaseLoadBalancerIngress(old)
          assignLoadBalancerIngress(&svc)
        }
        putService(key, svc)
        reconcileService(key)
        return svc
      } catch {
        revert(txn)
        throw error
      }
    }
  }

  /// ClusterIP changes on update: ExternalName transitions, dual-stack upgrade and downgrade.
  private func updateClusterIPs(
    _ s: inout ServiceSpec, old: ServiceSpec, name: String, txn: inout AllocationTxn
  )
    throws(ClusterError)
  {
    if old.type == .externalName && s.type != .externalName {
      try allocateClusterIPs(&s, from: 0, name: name, txn: &txn)
      return
    }
    if old.isHeadless { return }
    if old.type != .externalName && s.type == .externalName {
      txn.releaseIPs += old.clusterIPs.compactMap(IPAddressText.parse)
      return
    }
    if old.ipFamilies.count == 1 && s.ipFamilies.count == 2 {
      try allocateClusterIPs(&s, from: 1, name: name, txn: &txn)
    } else if old.ipFamilies.count == 2 && s.ipFamilies.count == 1, old.clusterIPs.count == 2 {
      txn.releaseIPs += [old.clusterIPs[1]].compactMap(IPAddressText.parse)
      if s.clusterIPs.count > 1 { s.clusterIPs = [s.clusterIPs[0]] }
    }
  }

  /// Deletes a Service, returning its addresses and ports and removing its managed slices.
  public func deleteService(_ key: NamespacedName) throws(ClusterError) {
    try transaction { () throws(ClusterError) in
      guard serviceStore[key] != nil else { throw .notFound(resource: "services", name: key.name) }
      removeService(key)
    }
  }

  func removeService(_ key: NamespacedName) {
    guard let svc = serviceStore[key] else { return }
    for ip in svc.clusterIPAddresses { serviceIPs.release(ip) }
    for p in Set(svc.spec.ports.compactMap(\.nodePort)) { nodePorts.release(p) }
    if let h = svc.spec.healthCheckNodePort { nodePorts.release(h) }
    releaseLoadBalancerIngress(svc)
    putService(key, nil)
    reconcileService(key)
    syncServiceCIDRs()
  }

  /// The Service `key`.
  public func service(_ key: NamespacedName) -> Service? { serviceStore[key] }

  /// Services by namespace then name, filtered by namespace and labels.
  public func services(namespace: String? = nil, selector: [String: String]? = nil) -> [Service] {
    let keys: [NamespacedName]
    if let namespace {
      keys = (servicesByNamespace[namespace] ?? []).map {
        NamespacedName(namespace: namespace, name: $0)
      }
    } else {
      keys = Array(serviceStore.keys)
    }
    return keys.sorted().compactMap { serviceStore[$0] }.filter { s in
      selector.map { selectorMatches($0, s.metadata.labels) } ?? true
    }
  }
}
