import NetAddr

/// What one Service write took from the allocators, so a failure can give it back and a
/// success can release what the old object no longer holds (`storage/alloc.go` transactions).
struct AllocationTxn {
  var ips: [IPAddress] = []
  var ports: [Int] = []
  var releaseIPs: [IPAddress] = []
  var releasePorts: [Int] = []
}

extension Cluster {
  /// Gives back everything `txn` took.
  func revert(_ txn: AllocationTxn) {
    for ip in txn.ips { serviceIPs.release(ip) }
    for p in txn.ports { nodePorts.release(p) }
  }

  /// Releases what `txn` marked as no longer used.
  func commit(_ txn: AllocationTxn) {
    for ip in txn.releaseIPs { serviceIPs.release(ip) }
    for p in txn.releasePorts { nodePorts.release(p) }
    if !txn.releaseIPs.isEmpty { syncServiceCIDRs() }
  }

  /// Allocates (or reserves) the ClusterIP of each family `s.ipFamilies` lists from `start`.
  func allocateClusterIPs(
    _ s: inout ServiceSpec, from start: Int, name: String, txn: inout AllocationTxn
  )
    throws(ClusterError)
  {
    if s.type == .externalName || s.isHeadless { return }
    while s.clusterIPs.count < s.ipFamilies.count { s.clusterIPs.append("") }
    for i in start..<s.ipFamilies.count {
      let text = s.clusterIPs[i]
      if text.isEmpty {
        do {
          let ip = try serviceIPs.allocateNext(family: s.ipFamilies[i], using: &random)
          txn.ips.append(ip)
          s.clusterIPs[i] = ip.description
        } catch {
          throw .internalError("failed to allocate a serviceIP: \(error.message)")
        }
      } else if let ip = IPAddress(text) {
        do {
          try serviceIPs.allocate(ip)
          txn.ips.append(ip)
          s.clusterIPs[i] = ip.description
        } catch {
          throw .invalid(
            kind: "Service", name: name,
            errors: [
              .invalid(
                FieldPath("spec", "clusterIPs"), .stringList(s.clusterIPs),
                "failed to allocate IP \(text): \(error.message)")
            ])
        }
      }
    }
    s.clusterIP = s.clusterIPs.first ?? ""
  }

  /// Allocates node ports (`initNodePorts`/`updateNodePorts`): one per port number shared by
  /// TCP and UDP ports, explicit ones reserved, ports the old object held kept.
  func allocateNodePorts(
    _ s: inout ServiceSpec, old: ServiceSpec?, name: String, txn: inout AllocationTxn
  )
    throws(ClusterError)
  {
    let held = Set((old?.ports ?? []).compactMap(\.nodePort)).union(
      old?.healthCheckNodePort.map { [$0] } ?? [])
    if ServiceDefaults.needsNodePort(s) {
      var byPort: [Int: Int] = [:]
      for i in s.ports.indices {
        if s.ports[i].nodePort == nil && !ServiceDefaults.shouldAllocateNodePorts(s) { continue }
        let number = s.ports[i].port
        if let np = s.ports[i].nodePort {
          if !held.contains(np) && !txn.ports.contains(np) {
            try reservePort(
              np, path: FieldPath("spec", "ports").index(i).child("nodePort"), name: name, txn: &txn
            )
          }
          if byPort[number] == nil { byPort[number] = np }
        } else if let shared = byPort[number] ?? requestedNodePort(number, in: s.ports) {
          if !held.contains(shared) && !txn.ports.contains(shared) {
            try reservePort(
              shared, path: FieldPath("spec", "ports").index(i).child("nodePort"), name: name,
              txn: &txn)
          }
          s.ports[i].nodePort = shared
          byPort[number] = shared
        } else {
          do {
            let np = try nodePorts.allocateNext(using: &random)
            txn.ports.append(np)
            s.ports[i].nodePort = np
            byPort[number] = np
          } catch {
            throw .internalError("failed to allocate a nodePort: \(error.message)")
          }
        }
      }
    }
    try allocateHealthCheckPort(&s, old: old, name: name, txn: &txn)
    let now = Set(s.ports.compactMap(\.nodePort)).union(s.healthCheckNodePort.map { [$0] } ?? [])
    txn.releasePorts += held.subtracting(now).sorted()
  }

  /// A node port another entry with the same port number asks for explicitly.
  private func requestedNodePort(_ number: Int, in ports: [ServicePort]) -> Int? {
    ports.first { $0.port == number && $0.nodePort != nil }?.nodePort
  }

  private func reservePort(
    _ np: Int, path: FieldPath, name: String, txn: inout AllocationTxn
  ) throws(ClusterError) {
    do {
      try nodePorts.allocate(np)
      txn.ports.append(np)
    } catch {
      throw .invalid(kind: "Service", name: name, errors: [.invalid(path, .int(np), error.message)])
    }
  }

  /// The health-check node port of a LoadBalancer with externalTrafficPolicy Local.
  private func allocateHealthCheckPort(
    _ s: inout ServiceSpec, old: ServiceSpec?, name: String, txn: inout AllocationTxn
  )
    throws(ClusterError)
  {
    guard ServiceDefaults.needsHealthCheck(s) else { return }
    let path = FieldPath("spec", "healthCheckNodePort")
    if let old, ServiceDefaults.needsHealthCheck(old), let had = old.healthCheckNodePort {
      if let want = s.healthCheckNodePort, want != had {
        throw .invalid(
          kind: "Service", name: name,
          errors: [
            .invalid(
              path, .int(want),
              "cannot change healthCheckNodePort on loadBalancer "
                + "service with externalTraffic=Local during update"
            )
          ])
      }
      s.healthCheckNodePort = had
      return
    }
    if let want = s.healthCheckNodePort {
      do {
        try nodePorts.allocate(want)
        txn.ports.append(want)
      } catch {
        throw .internalError(
          "failed to allocate requested HealthCheck NodePort \(want): \(error.message)")
      }
    } else {
      do {
        let np = try nodePorts.allocateNext(using: &random)
        txn.ports.append(np)
        s.healthCheckNodePort = np
      } catch {
        throw .internalError("failed to allocate a HealthCheck NodePort 0: \(error.message)")
      }
    }
  }

  /// Ingress addresses from the simulated cloud: the requested `loadBalancerIP` when free,
  /// else the next address of a pool per Service family (never-used ones first, in order).
  /// An address that cannot be had leaves the ingress empty (the Service stays `<pending>`),
  /// which is no API error.
  func assignLoadBalancerIngress(_ svc: inout Service) {
    guard svc.spec.type == .loadBalancer else {
      svc.status.loadBalancerIngress = []
      return
    }
    var out: [IPAddress] = []
    for fam in svc.spec.ipFamilies {
      if let t = svc.spec.loadBalancerIP, let ip = IPAddress(t), ip.family == fam {
        if let i = lbBlocks.firstIndex(where: { $0.holds(ip) }) {
          if lbBlocks[i].allocate(ip) { out.append(ip) }
        } else if !lbIngressInUse(ip) {
          out.append(ip)
        }
        continue
      }
      for i in lbBlocks.indices where lbBlocks[i].cidr.family == fam {
        if let ip = lbBlocks[i].allocateNext() {
          out.append(ip)
          break
        }
      }
    }
    svc.status.loadBalancerIngress = out
  }

  /// The simulated cloud writes `ipMode` into a Service's `status.loadBalancer.ingress[]`
  /// (as a cloud controller updates status); nil restores its default, VIP.
  public func setLoadBalancerIPMode(
    _ key: NamespacedName, _ mode: LoadBalancerIPMode?
  )
    throws(ClusterError) -> Service
  {
    try transaction { () throws(ClusterError) in
      guard var svc = serviceStore[key] else {
        throw .notFound(resource: "services", name: key.name)
      }
      guard svc.status.loadBalancerIPMode != mode else { return svc }
      svc.status.loadBalancerIPMode = mode
      putService(key, svc)
      return svc
    }
  }

  private func lbIngressInUse(_ ip: IPAddress) -> Bool {
    serviceStore.values.contains { $0.status.loadBalancerIngress.contains(ip) }
  }

  /// Returns a Service's ingress addresses to the pools.
  func releaseLoadBalancerIngress(_ svc: Service) {
    for ip in svc.status.loadBalancerIngress {
      if let i = lbBlocks.firstIndex(where: { $0.holds(ip) }) { lbBlocks[i].release(ip) }
    }
  }
}
