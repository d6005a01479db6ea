/// The Deployment and ReplicaSet controllers folded into one: a Deployment owns one
/// ReplicaSet `<name>-<pod-template-hash>` whose pods are `<name>-<hash>-<5 chars>`.
extension Cluster {
  /// Creates or removes pods until the Deployment has `replicas` active ones.
  func reconcileDeployment(_ key: NamespacedName) {
    guard let d = deploymentStore[key] else { return }
    // status.replicas counts exactly the active pods and follows every pod change
    // (adjustDeploymentStatus), so only a scale-down walks the Deployment's pods.
    if d.statusReplicas < d.replicas {
      let replica = ReplicaTemplate(d)
      for _ in d.statusReplicas..<d.replicas { createReplica(d, replica) }
    } else if d.statusReplicas > d.replicas {
      let owned = (podIndex.byDeployment[key] ?? []).compactMap { podStore[$0] }
      let active = owned.filter { !$0.isTerminating && !$0.phase.isTerminal }
      for pod in rankForDeletion(active).prefix(active.count - d.replicas) {
        terminate(pod.key, grace: pod.terminationGracePeriodSeconds)
      }
    }
  }

  /// Reconciles every Deployment (after nodes come or go) and binds waiting pods.
  func reconcileAllDeployments() {
    schedulePendingPods()
    for key in deploymentStore.keys.sorted() { reconcileDeployment(key) }
  }

  /// What every pod of one ReplicaSet shares (made once per reconcile; the pods share the
  /// storage of its labels and owner references).
  private struct ReplicaTemplate {
    /// The `generateName` of the ReplicaSet's pods, `<replicaset>-`.
    let nameBase: String
    let labels: [String: String]
    let ownerReferences: [OwnerReference]

    init(_ d: Deployment) {
      nameBase = d.replicaSetName + "-"
      var labels = d.template.labels
      labels[WellKnownLabel.podTemplateHash] = d.podTemplateHash
      self.labels = labels
      ownerReferences = [
        OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: d.replicaSetName)
      ]
    }
  }

  /// One new pod from the template, scheduled and started (Pending if there is no node).
  private func createReplica(_ d: Deployment, _ replica: ReplicaTemplate) {
    var name: String
    repeat {
      name = NameAlphabet.generateName(base: replica.nameBase, using: &random)
    } while podStore[NamespacedName(namespace: d.namespace, name: name)] != nil
    var meta = newMeta(name: name, namespace: d.namespace, labels: replica.labels)
    meta.ownerReferences = replica.ownerReferences
    var pod = Pod(
      metadata: meta, ports: d.template.ports, hostname: d.template.hostname,
      subdomain: d.template.subdomain, dnsPolicy: d.template.dnsPolicy, ownerDeployment: d.name)
    if let node = scheduleTarget() {
      do { try bind(&pod, to: node, ip: nil, ready: true) } catch { pod.nodeName = "" }
    }
    storePodChange(pod.key, pod)
  }

  /// Pods in the order the ReplicaSet controller deletes them (`ActivePodsWithRanks`):
  /// unscheduled, then pending, then not ready, then those sharing a node with more of their
  /// siblings, then the newest.
  func rankForDeletion(_ pods: [Pod]) -> [Pod] {
    var perNode: [String: Int] = [:]
    for p in pods { perNode[p.nodeName, default: 0] += 1 }
    // Each pod's rank is read once, not again at every comparison.
    let ranks = pods.map { p in
      DeletionRank(
        unscheduled: p.nodeName.isEmpty, notRunning: p.phase != .running, notReady: !p.ready,
        siblings: perNode[p.nodeName] ?? 0, created: p.metadata.creationTimestamp,
        uid: p.metadata.uid)
    }
    return pods.indices.sorted { ranks[$0].goesBefore(ranks[$1]) }.map { pods[$0] }
  }

  /// Starts a graceful deletion (or removes at once for grace 0 or an unscheduled pod).
  func terminate(_ key: NamespacedName, grace: Int) {
    guard var pod = podStore[key] else { return }
    if grace == 0 || pod.nodeName.isEmpty {
      removePodNow(key)
      return
    }
    pod.metadata.deletionTimestamp = now + Double(grace)
    pod.metadata.deletionGracePeriodSeconds = grace
    storePodChange(key, pod)
  }

  /// Adjusts the owner's status by one pod's change, in constant time.
  func adjustDeploymentStatus(old: Pod?, new: Pod?) {
    guard let any = new ?? old, let owner = any.ownerDeployment else { return }
    let key = NamespacedName(namespace: any.namespace, name: owner)
    guard var d = deploymentStore[key] else { return }
    let before = old.map(Cluster.statusContribution) ?? (0, 0)
    let after = new.map(Cluster.statusContribution) ?? (0, 0)
    guard before != after else { return }
    d.statusReplicas += after.0 - before.0
    d.readyReplicas += after.1 - before.1
    putDeployment(key, d)
  }

  /// Whether a pod counts as a replica, and as a ready one.
  static func statusContribution(_ p: Pod) -> (Int, Int) {
    guard !p.isTerminating, !p.phase.isTerminal else { return (0, 0) }
    return (1, p.ready && p.phase == .running ? 1 : 0)
  }
}

/// The pod-template-hash: 32-bit FNV-1a over a canonical text of the template, written out
/// with `rand.SafeEncodeString` as Kubernetes' `ComputeHash` does. Kubernetes hashes its
/// spew dump of the whole PodTemplateSpec; svclab's template is smaller, so the digits differ
/// from a real cluster's while keeping their shape and stability.
enum PodTemplateHash {
  static func compute(_ t: PodTemplate) -> String {
    var text = "labels:"
    for k in t.labels.keys.sorted() { text += "\(k)=\(t.labels[k] ?? "");" }
    text += "ports:"
    for p in t.ports { text += "\(p.name ?? "")/\(p.containerPort)/\(p.protocol.rawValue);" }
    text += "dnsPolicy:\(t.dnsPolicy.rawValue);"
    text += "hostname:\(t.hostname ?? "");subdomain:\(t.subdomain ?? "")"
    var h: UInt32 = 2_166_136_261
    for b in text.utf8 {
      h ^= UInt32(b)
      h = h &* 16_777_619
    }
    return NameAlphabet.safeEncode(String(h))
  }
}

/// What orders a pod for deletion (`ActivePodsWithRanks`); see `rankForDeletion`.
struct DeletionRank {
  var unscheduled: Bool
  var notRunning: Bool
  var notReady: Bool
  /// Pods of the same set on the pod's node, itself included.
  var siblings: Int
  var created: Double
  var uid: Int

  /// Whether a pod of this rank is deleted before one of rank `b`.
  func goesBefore(_ b: DeletionRank) -> Bool {
    if unscheduled != b.unscheduled { return unscheduled }
    if notRunning != b.notRunning { return notRunning }
    if notReady != b.notReady { return notReady }
    if siblings != b.siblings { return siblings > b.siblings }
    if created != b.created { return created > b.created }
    return uid > b.uid
  }
}
