/// The one place objects are written: each setter keeps the indexes in step and records the
/// change for subscribers.
extension Cluster {
  func putNamespace(_ name: String, _ new: Namespace?) {
    let old = namespaceStore[name]
    namespaceStore[name] = new
    pending.record(
      .namespace(previous: old, current: new), key: NamespacedName(namespace: "", name: name),
      unchanged: Self.sameVersion(old, new))
  }

  func putNode(_ name: String, _ new: Node?) {
    let old = nodeStore[name]
    if let old { nodeIPs[old.internalIP] = nil }
    nodeStore[name] = new
    if let new { nodeIPs[new.internalIP] = name }
    if new != nil { podIndex.nodeLoad.note(name, count: podIndex.byNode[name]?.count ?? 0) }
    pending.record(
      .node(previous: old, current: new), key: NamespacedName(namespace: "", name: name),
      unchanged: Self.sameVersion(old, new))
  }

  /// Writes a pod and returns the version it replaced.
  @discardableResult
  func putPod(_ key: NamespacedName, _ new: Pod?) -> Pod? {
    let old = podStore.updateValueOrRemove(new, forKey: key)
    // A change of readiness or phase leaves the pod where the index filed it.
    let refile = old.flatMap { o in new.map { !Self.sameIndexEntries(o, $0) } } ?? true
    if refile, let old { podIndex.remove(old) }
    if refile, let new { podIndex.insert(new) }
    pending.record(
      .pod(previous: old, current: new), key: key, unchanged: Self.sameVersion(old, new))
    return old
  }

  /// Whether two versions of a pod are filed under the same entries of the pod index
  /// (namespace, name, labels, node, owner, addresses). Skipping the refiling then changes no
  /// lookup: the scheduler's load heap checks every entry against the real pod counts.
  private static func sameIndexEntries(_ a: Pod, _ b: Pod) -> Bool {
    a.metadata.namespace == b.metadata.namespace && a.metadata.name == b.metadata.name
      && a.nodeName == b.nodeName && a.hostNetwork == b.hostNetwork
      && a.ownerDeployment == b.ownerDeployment && a.podIPs == b.podIPs
      && a.metadata.labels == b.metadata.labels
  }

  func putService(_ key: NamespacedName, _ new: Service?) {
    let old = serviceStore[key]
    if let old {
      for (k, v) in old.spec.selector ?? [:] {
        let lp = LabelPair(namespace: key.namespace, key: k, value: v)
        serviceSelectorIndex[lp]?.remove(key)
        if serviceSelectorIndex[lp]?.isEmpty == true { serviceSelectorIndex[lp] = nil }
      }
      servicesByNamespace[key.namespace]?.remove(key.name)
    }
    serviceStore[key] = new
    if let new {
      for (k, v) in new.spec.selector ?? [:] {
        serviceSelectorIndex[LabelPair(namespace: key.namespace, key: k, value: v), default: []]
          .insert(key)
      }
      servicesByNamespace[key.namespace, default: []].insert(key.name)
    }
    pending.record(
      .service(previous: old, current: new), key: key, unchanged: Self.sameVersion(old, new))
  }

  func putSlice(_ key: NamespacedName, _ new: EndpointSlice?) {
    let old = sliceStore[key]
    // A slice rewritten for the same Service stays filed where it is.
    if let old, let new, old.serviceName == new.serviceName {
      sliceStore[key] = new
      pending.record(.endpointSlice(previous: old, current: new), key: key, unchanged: old == new)
      return
    }
    if let old {
      if let svc = old.serviceName {
        let sk = NamespacedName(namespace: key.namespace, name: svc)
        slicesByService[sk]?.remove(key.name)
        if slicesByService[sk]?.isEmpty == true { slicesByService[sk] = nil }
      }
      slicesByNamespace[key.namespace]?.remove(key.name)
    }
    sliceStore[key] = new
    if let new {
      if let svc = new.serviceName {
        slicesByService[NamespacedName(namespace: key.namespace, name: svc), default: []].insert(
          key.name)
      }
      slicesByNamespace[key.namespace, default: []].insert(key.name)
    }
    pending.record(
      .endpointSlice(previous: old, current: new), key: key, unchanged: Self.sameVersion(old, new))
  }

  func putDeployment(_ key: NamespacedName, _ new: Deployment?) {
    let old = deploymentStore[key]
    deploymentStore[key] = new
    if new != nil {
      // A status change (one per pod created) leaves the index as it is.
      if old == nil { deploymentsByNamespace[key.namespace, default: []].insert(key.name) }
    } else {
      deploymentsByNamespace[key.namespace]?.remove(key.name)
    }
    pending.record(
      .deployment(previous: old, current: new), key: key, unchanged: Self.sameVersion(old, new))
  }

  func putEndpoints(_ key: NamespacedName, _ new: V1Endpoints?) {
    let old = endpointsStore[key]
    endpointsStore[key] = new
    endpointsOwnOutput.remove(key)
    pending.record(
      .endpoints(previous: old, current: new), key: key, unchanged: Self.sameVersion(old, new))
  }

  /// Whether two versions of an object are equal. Optional's `==` would first copy both into
  /// a tuple, which for a pod costs more than comparing it.
  static func sameVersion<T: Equatable>(_ a: T?, _ b: T?) -> Bool {
    switch a {
    case .none: return b == nil
    case .some(let x):
      switch b {
      case .none: return false
      case .some(let y): return x == y
      }
    }
  }

  /// New object metadata stamped with the clock and a fresh uid.
  func newMeta(name: String, namespace: String, labels: [String: String]) -> ObjectMeta {
    ObjectMeta(
      name: name, namespace: namespace, labels: labels, creationTimestamp: now, uid: takeUID())
  }
}

extension Dictionary {
  /// Stores `value` under `key` (removes the entry for nil) with one lookup; returns the value
  /// it replaced.
  mutating func updateValueOrRemove(_ value: Value?, forKey key: Key) -> Value? {
    if let value { return updateValue(value, forKey: key) }
    return removeValue(forKey: key)
  }
}
