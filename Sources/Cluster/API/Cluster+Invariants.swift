import NetAddr

/// Self-checks of the model, by full scans (for tests and `checkInvariants`).
extension Cluster {
  /// Every violated invariant, as a sentence; empty when the model is consistent.
  public func checkInvariants() -> [String] {
    catchUpEndpoints()
    var out: [String] = []
    out += checkServiceAllocations()
    out += checkPodAddresses()
    out += checkEndpoints()
    out += checkEndpointsObjects()
    for (key, p) in podStore where namespaceStore[key.namespace] == nil {
      out.append("pod \(key) lives in missing namespace \(p.namespace)")
    }
    for (key, p) in podStore where !p.nodeName.isEmpty && nodeStore[p.nodeName] == nil {
      out.append("pod \(key) is bound to missing node \(p.nodeName)")
    }
    for (key, d) in deploymentStore {
      let active = (podIndex.byDeployment[key] ?? []).compactMap { podStore[$0] }
        .filter { !$0.isTerminating && !$0.phase.isTerminal }.count
      if active != d.replicas {
        out.append("deployment \(key) has \(active) active pods, wants \(d.replicas)")
      }
      if active != d.statusReplicas {
        out.append("deployment \(key) has \(active) active pods, status says \(d.statusReplicas)")
      }
    }
    return out
  }

  private func checkServiceAllocations() -> [String] {
    var out: [String] = []
    var ips: [IPAddress: NamespacedName] = [:]
    var ports: [Int: NamespacedName] = [:]
    for key in serviceStore.keys.sorted() {
      guard let s = serviceStore[key] else { continue }
      for ip in s.clusterIPAddresses {
        if let other = ips[ip] { out.append("ClusterIP \(ip) held by \(other) and \(key)") }
        ips[ip] = key
        if !serviceIPs.isAllocated(ip) {
          out.append("ClusterIP \(ip) of \(key) not marked allocated")
        }
      }
      var own = Set(s.spec.ports.compactMap(\.nodePort))
      if let h = s.spec.healthCheckNodePort { own.insert(h) }
      for p in own {
        if let other = ports[p] { out.append("node port \(p) held by \(other) and \(key)") }
        ports[p] = key
        if !nodePorts.isAllocated(p) { out.append("node port \(p) of \(key) not marked allocated") }
      }
      if s.spec.type != .nodePort && s.spec.type != .loadBalancer
        && s.spec.ports.contains(where: { $0.nodePort != nil })
      {
        out.append("service \(key) of type \(s.spec.type) has node ports")
      }
    }
    for ip in serviceIPs.allocated where ips[ip] == nil {
      out.append("ClusterIP \(ip) allocated but unused")
    }
    for p in nodePorts.allocated where ports[p] == nil {
      out.append("node port \(p) allocated but unused")
    }
    return out
  }

  private func checkPodAddresses() -> [String] {
    var out: [String] = []
    var seen: [IPAddress: NamespacedName] = [:]
    var inBlocks = Set<IPAddress>()
    for blocks in podBlocks.values { for b in blocks { inBlocks.formUnion(b.allocated) } }
    for key in podStore.keys.sorted() {
      guard let p = podStore[key], !p.hostNetwork else { continue }
      for ip in p.podIPs {
        if let other = seen[ip] { out.append("pod IP \(ip) held by \(other) and \(key)") }
        seen[ip] = key
        if podIndex.byIP[ip] != key { out.append("pod IP index misses \(ip) of \(key)") }
        let inSomeBlock = podBlocks.values.contains { $0.contains { $0.cidr.contains(ip) } }
        if inSomeBlock && !inBlocks.contains(ip) {
          out.append("pod IP \(ip) of \(key) not marked allocated")
        }
      }
    }
    for ip in inBlocks where seen[ip] == nil { out.append("pod IP \(ip) allocated but unused") }
    return out
  }

  /// Managed slices equal what a fresh reconciliation would put in them (as sets).
  /// The Endpoints the endpoints controller wrote last are what its full sync computes now
  /// (whether it last wrote them in full or in place).
  private func checkEndpointsObjects() -> [String] {
    endpointsOwnOutput.sorted().compactMap { key in
      guard let svc = serviceStore[key], let selector = svc.spec.selector, !selector.isEmpty,
        svc.spec.type != .externalName, let ep = endpointsStore[key]
      else { return nil }
      let (subsets, truncated) = computedEndpointSubsets(svc, selector)
      let marked = ep.metadata.annotations[EndpointsAnnotation.overCapacity] != nil
      guard ep.subsets != subsets || marked != truncated else { return nil }
      return "endpoints \(key) differ from the endpoints controller's full sync"
    }
  }

  private func checkEndpoints() -> [String] {
    var out: [String] = []
    for key in serviceStore.keys.sorted() {
      guard let svc = serviceStore[key] else { continue }
      let managed = (slicesByService[key] ?? []).compactMap {
        sliceStore[NamespacedName(namespace: key.namespace, name: $0)]
      }
      .filter { $0.managedBy == Cluster.controllerName }
      guard managesSlices(svc) else {
        if !managed.isEmpty { out.append("service \(key) has managed slices but no selector") }
        continue
      }
      let pods = podIndex.matching(namespace: key.namespace, selector: svc.spec.selector ?? [:])
        .compactMap { podStore[$0] }
      for type in addressTypes(svc) {
        let slices = managed.filter { $0.addressType == type }
        var want = Set<SliceEntry>()
        for pod in pods {
          if let (ep, ports) = desiredEndpoint(pod, svc, type) {
            want.insert(SliceEntry(endpoint: ep, ports: ports))
          }
        }
        var have = Set<SliceEntry>()
        for s in slices {
          if s.endpoints.count > Cluster.maxEndpointsPerSlice {
            out.append("slice \(s.key) holds \(s.endpoints.count) endpoints")
          }
          for ep in s.endpoints { have.insert(SliceEntry(endpoint: ep, ports: s.ports)) }
        }
        if want != have { out.append("slices of \(key) (\(type.rawValue)) differ from its pods") }
        if slices.isEmpty { out.append("service \(key) has no \(type.rawValue) slice") }
        if slices.count > 1 && slices.contains(where: { $0.endpoints.isEmpty }) {
          out.append("service \(key) keeps an empty slice next to others")
        }
      }
    }
    return out
  }
}

/// One endpoint with its slice's ports: what the invariants compare between slices and pods.
private struct SliceEntry: Hashable {
  var endpoint: Endpoint
  var ports: [EndpointPort]
}
