import NetAddr

/// A v1 Node with the fields Service networking depends on.
public struct Node: Hashable, Sendable {
  public var metadata: ObjectMeta
  /// `spec.podCIDR` (the first of `spec.podCIDRs`).
  public var podCIDR: CIDR?
  /// `status.addresses[type=InternalIP]`.
  public var internalIP: IPAddress
  /// Search domains of the node's own resolv.conf (empty: none), used for dnsPolicy Default.
  public var dnsSearch: [String]

  public init(metadata: ObjectMeta, podCIDR: CIDR?, internalIP: IPAddress, dnsSearch: [String] = [])
  {
    self.metadata = metadata
    self.podCIDR = podCIDR
    self.internalIP = internalIP
    self.dnsSearch = dnsSearch
  }

  public var name: String { metadata.name }
  /// The node's `topology.kubernetes.io/zone` label.
  public var zone: String? { metadata.labels[WellKnownLabel.zone] }
  /// The node's `topology.kubernetes.io/region` label.
  public var region: String? { metadata.labels[WellKnownLabel.region] }
}
