/// The scheduler and the kubelet's start of a pod.
extension Cluster {
  /// The node with the fewest pods, ties broken by name; nil when there is no node.
  func scheduleTarget() -> String? {
    if podIndex.nodeLoad.entryCount > 2 * nodeStore.count + 1024 {
      // Stale entries have piled up (every pod removal files one): start afresh.
      podIndex.nodeLoad.rebuild(nodeStore.keys.map { (podIndex.byNode[$0]?.count ?? 0, $0) })
    }
    let nodes = nodeStore
    let byNode = podIndex.byNode
    return podIndex.nodeLoad.least { name in
      nodes[name] == nil ? nil : byNode[name]?.count ?? 0
    }
  }

  /// Binds pods waiting for a node, oldest first, once nodes exist.
  func schedulePendingPods() {
    let waiting = (podIndex.byNode[""] ?? []).compactMap { podStore[$0] }
      .filter { !$0.isTerminating && $0.phase == .pending }
      .sorted { $0.metadata.uid < $1.metadata.uid }
    for var pod in waiting {
      guard let node = scheduleTarget() else { return }
      let ready = readyIntent[pod.key] ?? true
      do {
        try bind(&pod, to: node, ip: nil, ready: ready)
      } catch {
        continue
      }
      readyIntent[pod.key] = nil
      storePodChange(pod.key, pod)
    }
  }
}
