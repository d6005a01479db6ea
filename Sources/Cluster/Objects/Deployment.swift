/// The pod template of a Deployment (`spec.template`), reduced to what pods inherit.
public struct PodTemplate: Hashable, Sendable {
  public var labels: [String: String]
  public var ports: [ContainerPort]
  public var dnsPolicy: DNSPolicy
  public var hostname: String?
  public var subdomain: String?

  public init(
    labels: [String: String], ports: [ContainerPort] = [], dnsPolicy: DNSPolicy = .clusterFirst,
    hostname: String? = nil, subdomain: String? = nil
  ) {
    self.labels = labels
    self.ports = ports
    self.dnsPolicy = dnsPolicy
    self.hostname = hostname
    self.subdomain = subdomain
  }
}

/// An apps/v1 Deployment (with its single ReplicaSet folded in).
public struct Deployment: Hashable, Sendable {
  public var metadata: ObjectMeta
  /// `spec.replicas`.
  public var replicas: Int
  /// `spec.selector.matchLabels`.
  public var selector: [String: String]
  public var template: PodTemplate
  /// The `pod-template-hash` of the current ReplicaSet (`<name>-<hash>`).
  public var podTemplateHash: String
  /// `status.replicas`: pods that exist and are not terminating.
  public var statusReplicas: Int
  /// `status.readyReplicas`.
  public var readyReplicas: Int

  public init(
    metadata: ObjectMeta, replicas: Int, selector: [String: String], template: PodTemplate,
    podTemplateHash: String = "", statusReplicas: Int = 0, readyReplicas: Int = 0
  ) {
    self.metadata = metadata
    self.replicas = replicas
    self.selector = selector
    self.template = template
    self.podTemplateHash = podTemplateHash
    self.statusReplicas = statusReplicas
    self.readyReplicas = readyReplicas
  }

  public var name: String { metadata.name }
  public var namespace: String { metadata.namespace }
  public var key: NamespacedName { metadata.key }
  /// The name of the ReplicaSet that owns the pods.
  public var replicaSetName: String { "\(metadata.name)-\(podTemplateHash)" }
}
