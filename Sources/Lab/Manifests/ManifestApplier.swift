import Cluster

/// Creates or updates objects the way `kubectl apply` does and says what happened to each
/// document: `created`, `configured` (the live object changed) or `unchanged`.
enum ManifestApplier {
  enum Outcome: Int, Comparable {
    case unchanged, configured, created
    static func < (a: Outcome, b: Outcome) -> Bool { a.rawValue < b.rawValue }
    var word: String { ["unchanged", "configured", "created"][rawValue] }
  }

  /// Applies `objects` in order to `cluster`, returning kubectl's line per document (a
  /// StatefulSet's pods share one line), each after its `Warning: ...` lines. Stops at the
  /// first refusal.
  static func apply(
    _ objects: [ManifestObject], to cluster: Cluster
  ) throws(ManifestError) -> [String] {
    var lines: [(display: String, document: Int, outcome: Outcome, warnings: [String])] = []
    for o in objects {
      let outcome: Outcome
      do {
        outcome = try applyOne(o, cluster)
      } catch {
        throw .rejected(document: o.document, object: o.display, error: error)
      }
      if let last = lines.last, last.display == o.display, last.document == o.document {
        lines[lines.count - 1].outcome = max(last.outcome, outcome)
      } else {
        lines.append((o.display, o.document, outcome, o.warnings))
      }
    }
    return lines.flatMap { l in
      l.warnings.map { "Warning: \($0)" } + ["\(l.display) \(l.outcome.word)"]
    }
  }

  /// The annotations an applied object carries: its own plus the applied document.
  static func annotations(_ o: ManifestObject) -> [String: String] {
    var a = o.annotations
    a[LastApplied.key] = JSONText.encode(o.raw) + "\n"
    return a
  }

  private static func applyOne(_ o: ManifestObject, _ c: Cluster) throws(ClusterError) -> Outcome {
    let notes = annotations(o)
    switch o.body {
    case .namespace(let labels):
      guard let before = c.namespace(o.name) else {
        try c.createNamespace(o.name, labels: labels)
        try c.setAnnotations(.namespace, o.key, notes)
        return .created
      }
      try c.updateNamespaceLabels(o.name, labels)
      try c.setAnnotations(.namespace, o.key, notes)
      return c.namespace(o.name) == before ? .unchanged : .configured
    case .node(let opts):
      guard let before = c.node(o.name) else {
        try c.addNode(o.name, opts)
        try c.setAnnotations(.node, o.key, notes)
        return .created
      }
      try checkNodeUnchanged(before, opts)
      try c.setAnnotations(.node, o.key, notes)
      return c.node(o.name) == before ? .unchanged : .configured
    case .pod(let opts):
      guard let before = c.pod(o.key) else {
        try c.addPod(o.name, opts)
        try c.setAnnotations(.pod, o.key, notes)
        return .created
      }
      try checkPodUpdate(before, opts)
      if before.labels != opts.labels { try c.updatePodLabels(o.key, opts.labels) }
      try c.setAnnotations(.pod, o.key, notes)
      return c.pod(o.key) == before ? .unchanged : .configured
    case .service(let spec, let labels):
      guard let before = c.service(o.key) else {
        try c.createService(o.name, namespace: o.namespace, spec: spec, labels: labels)
        try c.setAnnotations(.service, o.key, notes)
        return .created
      }
      try c.updateService(o.key, spec: carryAllocations(spec, from: before.spec), labels: labels)
      try c.setAnnotations(.service, o.key, notes)
      return c.service(o.key) == before ? .unchanged : .configured
    case .deployment(let opts):
      guard let before = c.deployment(o.key) else {
        try c.createDeployment(o.name, opts)
        try c.setAnnotations(.deployment, o.key, notes)
        return .created
      }
      try c.updateDeployment(o.key, opts)
      try c.setAnnotations(.deployment, o.key, notes)
      return c.deployment(o.key) == before ? .unchanged : .configured
    case .endpointSlice(let slice):
      var wanted = slice
      wanted.metadata.annotations = notes
      guard let before = c.endpointSlice(o.key) else {
        try c.createEndpointSlice(wanted)
        return .created
      }
      if before.addressType == wanted.addressType && before.endpoints == wanted.endpoints
        && before.ports == wanted.ports && before.metadata.labels == wanted.metadata.labels
      {
        try c.setAnnotations(.endpointSlice, o.key, notes)
        return c.endpointSlice(o.key) == before ? .unchanged : .configured
      }
      try c.updateEndpointSlice(wanted)
      return c.endpointSlice(o.key) == before ? .unchanged : .configured
    case .ownedPods(let kind, let replicas, let template):
      return try applyOwnedPods(o, kind: kind, replicas: replicas, template: template, c)
    case .endpoints(let ep):
      var wanted = ep
      wanted.metadata.annotations = notes
      guard let before = c.v1Endpoints(o.key) else {
        try c.createEndpoints(wanted)
        return .created
      }
      try c.updateEndpoints(wanted)
      return c.v1Endpoints(o.key) == before ? .unchanged : .configured
    }
  }

  /// A ReplicaSet's or DaemonSet's pods, as their controllers create them: owned by the
  /// object (`ownerReferences`), named `<owner>-<5 chars>` (`generateName`); a ReplicaSet
  /// keeps `replicas` pods placed by the scheduler (deleting the newest names first when
  /// there are too many), a DaemonSet one pod on every node, with the label
  /// `pod-template-generation: "1"`.
  private static func applyOwnedPods(
    _ o: ManifestObject, kind: String, replicas: Int?, template: PodOptions, _ c: Cluster
  ) throws(ClusterError) -> Outcome {
    let owner = OwnerReference(apiVersion: "apps/v1", kind: kind, name: o.name)
    let owned = c.pods(namespace: o.namespace).filter {
      $0.metadata.ownerReferences.contains(owner) && !$0.isTerminating
    }
    var t = template
    t.ownerReferences = [owner]
    var changed = false
    if let replicas {
      for _ in owned.count..<max(owned.count, replicas) {
        try c.addPod(c.generatePodName(base: o.name + "-", namespace: o.namespace), t)
        changed = true
      }
      for p in owned.sorted(by: { $0.metadata.uid > $1.metadata.uid }).prefix(
        max(0, owned.count - replicas))
      {
        try c.deletePod(p.key, grace: nil)
        changed = true
      }
    } else {
      t.labels["pod-template-generation"] = "1"
      let covered = Set(owned.map(\.nodeName))
      for n in c.nodes() where !covered.contains(n.name) {
        var p = t
        p.node = n.name
        try c.addPod(c.generatePodName(base: o.name + "-", namespace: o.namespace), p)
        changed = true
      }
    }
    if owned.isEmpty { return .created }
    return changed ? .configured : .unchanged
  }

  /// Keeps what the API server allocated when the manifest leaves it out, as apply's merge
  /// does for fields it never set: ClusterIPs, families, node ports, the health-check port.
  static func carryAllocations(_ new: ServiceSpec, from old: ServiceSpec) -> ServiceSpec {
    var s = new
    if s.clusterIP.isEmpty && s.clusterIPs.isEmpty && s.type != .externalName {
      s.clusterIP = old.clusterIP
      s.clusterIPs = old.clusterIPs
    }
    if s.ipFamilies.isEmpty && s.ipFamilyPolicy == nil && old.type != .externalName {
      s.ipFamilies = old.ipFamilies
      s.ipFamilyPolicy = old.ipFamilyPolicy
    }
    for i in s.ports.indices where s.ports[i].nodePort == nil {
      s.ports[i].nodePort =
        old.ports.first {
          $0.port == s.ports[i].port && $0.protocol == s.ports[i].protocol
        }?.nodePort
    }
    if s.healthCheckNodePort == nil { s.healthCheckNodePort = old.healthCheckNodePort }
    return s
  }

  /// A pod's spec is immutable except for a few fields; labels and annotations may change.
  private static func checkPodUpdate(_ pod: Pod, _ o: PodOptions) throws(ClusterError) {
    let same =
      (o.node == nil || o.node == pod.nodeName) && o.ports == pod.ports
      && o.hostname == pod.hostname && o.subdomain == pod.subdomain && o.dnsPolicy == pod.dnsPolicy
      && o.hostNetwork == pod.hostNetwork && o.dnsConfig == pod.dnsConfig
    guard !same else { return }
    throw .invalid(
      kind: "Pod", name: pod.name,
      errors: [
        .forbidden(
          FieldPath("spec"),
          "pod updates may not change fields other than `spec.containers[*].image`,"
            + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
            + "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
            + "(allow it to be set to 1 if it was previously negative)"
        )
      ])
  }

  /// The lab keeps nodes as they joined: an applied Node must match the live one.
  private static func checkNodeUnchanged(_ node: Node, _ o: NodeOptions) throws(ClusterError) {
    var errs: [FieldError] = []
    if let ip = o.ip, ip != node.internalIP.description {
      errs.append(
        .forbidden(
          FieldPath("status", "addresses"),
          "svclab does not change a node's address; remove and add the node"))
    }
    if let cidr = o.podCIDR, cidr != node.podCIDR?.description {
      errs.append(.forbidden(FieldPath("spec", "podCIDR"), "podCIDR is immutable once set"))
    }
    if (o.zone != nil && o.zone != node.zone) || (o.region != nil && o.region != node.region) {
      errs.append(
        .forbidden(
          FieldPath("metadata", "labels"), "svclab does not move a node to another zone or region"))
    }
    if !errs.isEmpty { throw .invalid(kind: "Node", name: node.name, errors: errs) }
  }
}
