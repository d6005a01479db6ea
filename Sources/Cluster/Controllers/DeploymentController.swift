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
      updateDeploymentStatus(key)
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
    return pods.sorted { a, b in
      if a.nodeName.isEmpty != b.nodeName.isEmpty { return a.nodeName.isEmpty }
      if (a.phase == .running) != (b.phase == .running) { return a.phase != .running }
      if a.ready != b.ready { return !a.ready }
      let ra = perNode[a.nodeName] ?? 0
      let rb = perNode[b.nodeName] ?? 0
      if ra != rb { return ra > rb }
      if a.metadata.creationTimestamp != b.metadata.creationTimestamp {
        return a.metadata.creationTimestamp > b.metadata.creationTimestamp
      }
      return a.metadata.uid > b.metadata.uid
    }
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

  /// Recounts `status.replicas` and `status.readyReplicas` from the Deployment's pods.
  func updateDeploymentStatus(_ key: NamespacedName) {
    guard var d = deploymentStore[key] else { return }
    var total = 0
    var ready = 0
    for pk in podIndex.byDeployment[key] ?? [] {
      guard let p = podStore[pk] else { continue }
      let (a, r) = Cluster.statusContribution(p)
      total += a
      ready += r
    }
    if d.statusReplicas != total || d.readyReplicas != ready {
      d.statusReplicas = total
      d.readyReplicas = ready
      putDeployment(key, d)
    }
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
