import NetAddr

/// A label `key=value` inside one namespace: the unit selectors are indexed by.
struct LabelPair: Hashable {
  let namespace: String
  let key: String
  let value: String
}

/// Pod lookups that keep every controller step proportional to what it touches: by namespace,
/// by label pair, by node, by owner Deployment, by IP.
struct PodIndex {
  var byNamespace: [String: Set<String>] = [:]
  var byLabel: [LabelPair: Set<NamespacedName>] = [:]
  var byNode: [String: Set<NamespacedName>] = [:]
  var byDeployment: [NamespacedName: Set<NamespacedName>] = [:]
  /// Pod IPs of pods on the pod network (hostNetwork pods share their node's address).
  var byIP: [IPAddress: NamespacedName] = [:]
  /// Pod counts per node for the scheduler.
  var nodeLoad = NodeLoad()

  mutating func insert(_ pod: Pod) {
    let key = pod.key
    byNamespace[pod.namespace, default: []].insert(pod.name)
    for (k, v) in pod.labels {
      byLabel[LabelPair(namespace: pod.namespace, key: k, value: v), default: []].insert(key)
    }
    byNode[pod.nodeName, default: []].insert(key)
    if let d = pod.ownerDeployment {
      byDeployment[NamespacedName(namespace: pod.namespace, name: d), default: []].insert(key)
    }
    if !pod.hostNetwork { for ip in pod.podIPs { byIP[ip] = key } }
  }

  mutating func remove(_ pod: Pod) {
    let key = pod.key
    byNamespace[pod.namespace]?.remove(pod.name)
    if byNamespace[pod.namespace]?.isEmpty == true { byNamespace[pod.namespace] = nil }
    for (k, v) in pod.labels {
      let lp = LabelPair(namespace: pod.namespace, key: k, value: v)
      byLabel[lp]?.remove(key)
      if byLabel[lp]?.isEmpty == true { byLabel[lp] = nil }
    }
    byNode[pod.nodeName]?.remove(key)
    if byNode[pod.nodeName]?.isEmpty == true { byNode[pod.nodeName] = nil }
    nodeLoad.note(pod.nodeName, count: byNode[pod.nodeName]?.count ?? 0)
    if let d = pod.ownerDeployment {
      let dk = NamespacedName(namespace: pod.namespace, name: d)
      byDeployment[dk]?.remove(key)
      if byDeployment[dk]?.isEmpty == true { byDeployment[dk] = nil }
    }
    if !pod.hostNetwork { for ip in pod.podIPs where byIP[ip] == key { byIP[ip] = nil } }
  }

  /// Keys of pods in `namespace` whose labels include every pair of `selector` (an empty
  /// selector matches nothing, as a Service's empty selector does).
  func matching(namespace: String, selector: [String: String]) -> [NamespacedName] {
    var sets: [Set<NamespacedName>] = []
    for (k, v) in selector {
      let set = byLabel[LabelPair(namespace: namespace, key: k, value: v)] ?? []
      if set.isEmpty { return [] }
      sets.append(set)
    }
    // Walk the smallest set; a pod must carry every pair of the selector.
    guard let smallest = sets.indices.min(by: { sets[$0].count < sets[$1].count }) else {
      return []
    }
    return sets[smallest].filter { key in
      sets.indices.allSatisfy { $0 == smallest || sets[$0].contains(key) }
    }
  }
}

/// Whether `labels` satisfy an equality-based selector.
func selectorMatches(_ selector: [String: String], _ labels: [String: String]) -> Bool {
  selector.allSatisfy { labels[$0.key] == $0.value }
}
