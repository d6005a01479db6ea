/// Updates that `kubectl apply` can make to existing objects: metadata (labels and
/// annotations) of every kind, and a Deployment's replicas and pod template.
extension Cluster {
  /// Replaces an object's annotations (`kubectl.kubernetes.io/last-applied-configuration`
  /// among them); annotations never change networking, so no controller runs.
  public func setAnnotations(
    _ kind: ObjectKind, _ key: NamespacedName, _ annotations: [String: String]
  )
    throws(ClusterError)
  {
    // Caught up before the call, whose failure must leave nothing written.
    if kind == .endpoints { catchUpEndpoints() }
    try transaction { () throws(ClusterError) in
      switch kind {
      case .namespace:
        guard var o = namespaceStore[key.name] else {
          throw .notFound(resource: "namespaces", name: key.name)
        }
        o.metadata.annotations = annotations
        putNamespace(key.name, o)
      case .node:
        guard var o = nodeStore[key.name] else {
          throw .notFound(resource: "nodes", name: key.name)
        }
        o.metadata.annotations = annotations
        putNode(key.name, o)
      case .pod:
        guard var o = podStore[key] else { throw .notFound(resource: "pods", name: key.name) }
        o.metadata.annotations = annotations
        putPod(key, o)
      case .service:
        guard var o = serviceStore[key] else {
          throw .notFound(resource: "services", name: key.name)
        }
        o.metadata.annotations = annotations
        putService(key, o)
      case .endpointSlice:
        guard var o = sliceStore[key] else {
          throw .notFound(resource: "endpointslices.discovery.k8s.io", name: key.name)
        }
        o.metadata.annotations = annotations
        putSlice(key, o)
      case .deployment:
        guard var o = deploymentStore[key] else {
          throw .notFound(resource: "deployments.apps", name: key.name)
        }
        o.metadata.annotations = annotations
        putDeployment(key, o)
      case .endpoints:
        guard var o = endpointsStore[key] else {
          throw .notFound(resource: "endpoints", name: key.name)
        }
        o.metadata.annotations = annotations
        putEndpoints(key, o)
        mirrorEndpoints(key)
      }
    }
  }

  /// Replaces a namespace's labels (`kubernetes.io/metadata.name` always stays, as the API
  /// server sets it).
  @discardableResult
  public func updateNamespaceLabels(
    _ name: String, _ labels: [String: String]
  ) throws(ClusterError)
    -> Namespace
  {
    try transaction { () throws(ClusterError) in
      guard var ns = namespaceStore[name] else {
        throw .notFound(resource: "namespaces", name: name)
      }
      var all = labels
      all[WellKnownLabel.namespaceName] = name
      ns.metadata.labels = all
      putNamespace(name, ns)
      return ns
    }
  }

  /// Replaces a pod's labels; Services that start or stop selecting it update their
  /// EndpointSlices, as the EndpointSlice controller does on a pod update.
  @discardableResult
  public func updatePodLabels(
    _ key: NamespacedName, _ labels: [String: String]
  ) throws(ClusterError) -> Pod {
    try transaction { () throws(ClusterError) in
      guard var pod = podStore[key] else { throw .notFound(resource: "pods", name: key.name) }
      pod.metadata.labels = labels
      storePodChange(key, pod)
      return pod
    }
  }

  /// Applies a new Deployment spec: `replicas` scales; a changed pod template starts a new
  /// ReplicaSet (new pod-template-hash) whose pods replace the old ones, which terminate
  /// gracefully. The selector is immutable in apps/v1.
  @discardableResult
  public func updateDeployment(
    _ key: NamespacedName, _ opts: DeploymentOptions
  ) throws(ClusterError)
    -> Deployment
  {
    try transaction { () throws(ClusterError) in
      guard var d = deploymentStore[key] else {
        throw .notFound(resource: "deployments.apps", name: key.name)
      }
      try checkLabCapacity(replicas: opts.replicas, name: key.name)
      let labels = opts.labels.isEmpty ? ["app": key.name] : opts.labels
      let selector = opts.selector ?? labels
      let template = PodTemplate(
        labels: labels, ports: opts.ports, dnsPolicy: opts.dnsPolicy, hostname: d.template.hostname,
        subdomain: d.template.subdomain)
      var errs = DeploymentValidation.validate(
        replicas: opts.replicas, selector: selector, template: template)
      if selector != d.selector {
        let shown =
          "v1.LabelSelector{MatchLabels:map[string]string{"
          + selector.keys.sorted().map { "\(goQuoted($0)):\(goQuoted(selector[$0] ?? ""))" }.joined(
            separator: ", ")
          + "}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"
        errs.append(.invalid(FieldPath("spec", "selector"), .json(shown), "field is immutable"))
      }
      if !errs.isEmpty { throw .invalid(kind: "Deployment.apps", name: key.name, errors: errs) }
      if template != d.template {
        for pk in (podIndex.byDeployment[key] ?? []).sorted() {
          if let p = podStore[pk], !p.isTerminating {
            terminate(pk, grace: p.terminationGracePeriodSeconds)
          }
        }
        // Terminating the old pods updated the stored status; keep it.
        if let current = deploymentStore[key] {
          d.statusReplicas = current.statusReplicas
          d.readyReplicas = current.readyReplicas
        }
        d.template = template
        d.podTemplateHash = PodTemplateHash.compute(template)
      }
      d.replicas = opts.replicas
      putDeployment(key, d)
      reconcileDeployment(key)
      return deploymentStore[key] ?? d
    }
  }
}
