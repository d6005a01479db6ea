import NetAddr

/// A node as kube-proxy and the pod network see it.
public struct ProxyNode: Hashable, Sendable {
  public var name: String
  /// The node's addresses (InternalIP first).
  public var ips: [IPAddress]
  /// The node's pod CIDR (the local-traffic detector with `detectLocal: NodeCIDR`).
  public var podCIDR: CIDR
  /// `topology.kubernetes.io/zone`.
  public var zone: String?
  public var labels: [String: String]
  /// Processes of the node itself listening on its addresses (the API server on 6443),
  /// by name.
  public var listeners: [String: ProxyListen]

  public init(
    name: String, ips: [IPAddress], podCIDR: CIDR, zone: String? = nil,
    labels: [String: String] = [:],
    listeners: [String: ProxyListen] = [:]
  ) {
    self.name = name
    self.ips = ips
    self.podCIDR = podCIDR
    self.zone = zone
    self.labels = labels
    self.listeners = listeners
  }
}

/// A pod as the pod network sees it: where a backend address lives.
public struct ProxyPod: Hashable, Sendable {
  public var namespace: String
  public var name: String
  public var ips: [IPAddress]
  public var nodeName: String
  public var hostNetwork: Bool
  /// Container ports the pod listens on (port, protocol); empty means "accepts any port".
  public var listening: [ProxyListen]

  public init(
    namespace: String, name: String, ips: [IPAddress], nodeName: String, hostNetwork: Bool = false,
    listening: [ProxyListen] = []
  ) {
    self.namespace = namespace
    self.name = name
    self.ips = ips
    self.nodeName = nodeName
    self.hostNetwork = hostNetwork
    self.listening = listening
  }
}

/// A listening socket of a pod.
public struct ProxyListen: Hashable, Sendable {
  public var port: Int
  public var proto: ProxyProtocol

  public init(port: Int, proto: ProxyProtocol) {
    self.port = port
    self.proto = proto
  }
}

/// The result of kube-proxy's `CategorizeEndpoints` for one Service port on one node, plus
/// the named facts its rule writers derive. Every renderer and the packet path consume this
/// same value, so what is shown is what happens.
public struct ServicePortDecision: Hashable, Sendable {
  public var servicePort: ProxyServicePort
  /// All endpoints of the port, sorted by `ip:port` string as kube-proxy sorts them.
  public var allEndpoints: [ProxyEndpoint]
  /// Endpoints used for cluster-policy traffic (KUBE-SVC-…), in kube-proxy's order.
  public var clusterEndpoints: [ProxyEndpoint]
  /// Endpoints used for local-policy traffic (KUBE-SVL-…).
  public var localEndpoints: [ProxyEndpoint]
  /// Union of the above (the KUBE-SEP-… chains this node writes).
  public var allReachableEndpoints: [ProxyEndpoint]
  /// Whether any usable endpoint exists anywhere in the cluster.
  public var hasAnyEndpoints: Bool

  public init(
    servicePort: ProxyServicePort, allEndpoints: [ProxyEndpoint], clusterEndpoints: [ProxyEndpoint],
    localEndpoints: [ProxyEndpoint], allReachableEndpoints: [ProxyEndpoint], hasAnyEndpoints: Bool
  ) {
    self.servicePort = servicePort
    self.allEndpoints = allEndpoints
    self.clusterEndpoints = clusterEndpoints
    self.localEndpoints = localEndpoints
    self.allReachableEndpoints = allReachableEndpoints
    self.hasAnyEndpoints = hasAnyEndpoints
  }
}

/// kube-proxy's settings that change rules or behaviour.
public struct ProxyConfig: Hashable, Sendable {
  public enum Mode: String, Hashable, Sendable, CaseIterable {
    case iptables, ipvs, nftables
  }
  public enum DetectLocal: String, Hashable, Sendable {
    case clusterCIDR = "ClusterCIDR"
    case nodeCIDR = "NodeCIDR"
  }

  public var mode: Mode = .iptables
  /// IPVS scheduler name (rr, wrr, lc, wlc, lblc, lblcr, sh, dh, sed, nq, mh).
  public var ipvsScheduler: String = "rr"
  public var detectLocal: DetectLocal = .clusterCIDR
  /// The cluster's pod CIDR (used by the ClusterCIDR detector).
  public var clusterCIDR: CIDR?
  /// The Service CIDRs (nftables drops traffic to their unallocated addresses).
  public var serviceCIDRs: [CIDR] = []
  public var masqueradeAll: Bool = false
  public var localhostNodePorts: Bool = true
  public var randomFully: Bool = true
  /// nil = all local addresses (the iptables default).
  public var nodePortAddresses: [CIDR]? = nil

  public init() {}
}
