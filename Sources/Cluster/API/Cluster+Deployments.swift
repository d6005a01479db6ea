/// Options of `createDeployment`.
public struct DeploymentOptions: Hashable, Sendable {
  public var namespace: String
  public var replicas: Int
  /// Pod template labels.
  public var labels: [String: String]
  /// `spec.selector.matchLabels`; nil means the template labels.
  public var selector: [String: String]?
  public var ports: [ContainerPort]
  public var dnsPolicy: DNSPolicy

  public init(
    namespace: String = "default", replicas: Int = 1, labels: [String: String] = [:],
    selector: [String: String]? = nil, ports: [ContainerPort] = [],
    dnsPolicy: DNSPolicy = .clusterFirst
  ) {
    self.namespace = namespace
    self.replicas = replicas
    self.labels = labels
    self.selector = selector
    self.ports = ports
    self.dnsPolicy = dnsPolicy
  }
}

/// Deployments: create, scale, delete, reads.
extension Cluster {
  /// The most replicas one Deployment may ask for in the lab (a real cluster is bounded by its
  /// nodes and quotas; here every pod is an object in memory).
  public static let maxReplicas = 100_000

  /// Refuses a replica count the lab cannot hold, before anything changes.
  func checkLabCapacity(replicas: Int, name: String) throws(ClusterError) {
    guard replicas > Self.maxReplicas else { return }
    throw .forbidden(
      resource: "deployments.apps", name: name,
      message:
        "svclab simulates at most \(Self.maxReplicas) replicas per Deployment, not \(replicas)")
  }

  /// Creates a Deployment and its pods (labels default to `app=<name>`).
  @discardableResult
  public func createDeployment(
    _ name: String, _ opts: DeploymentOptions = DeploymentOptions()
  ) throws(ClusterError)
    -> Deployment
  {
    try transaction { () throws(ClusterError) in try insertDeployment(name, opts) }
  }

  func insertDeployment(
    _ name: String, _ opts: DeploymentOptions
  ) throws(ClusterError) -> Deployment {
    try requireNamespace(opts.namespace)
    try checkLabCapacity(replicas: opts.replicas, name: name)
    let labels = opts.labels.isEmpty ? ["app": name] : opts.labels
    let selector = opts.selector ?? labels
    let template = PodTemplate(labels: labels, ports: opts.ports, dnsPolicy: opts.dnsPolicy)
    var errs = NameValidation.metadataName(name, NameValidation.dns1123Subdomain)
    errs += DeploymentValidation.validate(
      replicas: opts.replicas, selector: selector, template: template)
    if !errs.isEmpty { throw .invalid(kind: "Deployment.apps", name: name, errors: errs) }
    let key = NamespacedName(namespace: opts.namespace, name: name)
    if deploymentStore[key] != nil {
      throw .alreadyExists(resource: "deployments.apps", name: name)
    }
    let d = Deployment(
      metadata: newMeta(name: name, namespace: opts.namespace, labels: labels),
      replicas: opts.replicas, selector: selector, template: template,
      podTemplateHash: PodTemplateHash.compute(template))
    putDeployment(key, d)
    reconcileDeployment(key)
    return deploymentStore[key] ?? d
  }

  /// Sets `spec.replicas`; scaling down deletes pods gracefully in ReplicaSet order.
  @discardableResult
  public func scale(_ key: NamespacedName, replicas: Int) throws(ClusterError) -> Deployment {
    try transaction { () throws(ClusterError) in
      guard var d = deploymentStore[key] else {
        throw .notFound(resource: "deployments.apps", name: key.name)
      }
      try checkLabCapacity(replicas: replicas, name: key.name)
      let errs = DeploymentValidation.validate(
        replicas: replicas, selector: d.selector, template: d.template)
      if !errs.isEmpty { throw .invalid(kind: "Deployment.apps", name: key.name, errors: errs) }
      d.replicas = replicas
      putDeployment(key, d)
      reconcileDeployment(key)
      return deploymentStore[key] ?? d
    }
  }

  /// Deletes a Deployment and its pods (gracefully, as the garbage collector does); Services
  /// selecting them stay.
  public func deleteDeployment(_ key: NamespacedName) throws(ClusterError) {
    try transaction { () throws(ClusterError) in
      guard deploymentStore[key] != nil else {
        throw .notFound(resource: "deployments.apps", name: key.name)
      }
      putDeployment(key, nil)
      for pk in (podIndex.byDeployment[key] ?? []).sorted() {
        if let p = podStore[pk], !p.isTerminating {
          terminate(pk, grace: p.terminationGracePeriodSeconds)
        }
      }
    }
  }

  /// The Deployment `key`.
  public func deployment(_ key: NamespacedName) -> Deployment? { deploymentStore[key] }

  /// Deployments by namespace then name, filtered by namespace and labels.
  public func deployments(
    namespace: String? = nil, selector: [String: String]? = nil
  ) -> [Deployment] {
    let keys: [NamespacedName]
    if let namespace {
      keys = (deploymentsByNamespace[namespace] ?? []).map {
        NamespacedName(namespace: namespace, name: $0)
      }
    } else {
      keys = Array(deploymentStore.keys)
    }
    return keys.sorted().compactMap { deploymentStore[$0] }.filter { d in
      selector.map { selectorMatches($0, d.metadata.labels) } ?? true
    }
  }
}

/// `ValidateDeploymentSpec`, the parts svclab models.
enum DeploymentValidation {
  static func validate(
    replicas: Int, selector: [String: String], template: PodTemplate
  ) -> [FieldError] {
    let spec = FieldPath("spec")
    var errs: [FieldError] = []
    if replicas < 0 {
      errs.append(
        .invalid(spec.child("replicas"), .int(replicas), "must be greater than or equal to 0"))
    }
    if selector.isEmpty {
      errs.append(
        .invalid(spec.child("selector"), .json("{}"), "empty selector is invalid for deployment"))
    } else if !selectorMatches(selector, template.labels) {
      errs.append(
        .invalid(
          spec.child("template").child("metadata").child("labels"), .stringMap(template.labels),
          "`selector` does not match template `labels`"))
    }
    errs += PodValidation.containerPorts(
      template.ports,
      spec.child("template").child("spec").child("containers").index(0).child("ports"))
    return errs
  }
}
