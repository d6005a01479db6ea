/// The scheduler and the kubelet's start of a pod.
extension Cluster {
  /// The node with the fewest pods, ties broken by name; nil when there is no node.
  func scheduleTarget() -> String? {
    var best: (count: Int, name: String)?
    for name in nodeStore.keys {
      let c = podIndex.byNode[name]?.count ?? 0
      if best == nil || c < (best?.count ?? 0) || (c == best?.count && name < (best?.name ?? "")) {
        best = (c, name)
      }
    }
    return best?.name
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
