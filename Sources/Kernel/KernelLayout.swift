import NetAddr

/// What to build on the kernel: the lab's nodes, pods and rules as plain values (the binding
/// layer fills it from the cluster and kube-proxy's renderers; this module knows neither).
public struct KernelLayout: Equatable, Sendable {
  /// How pod traffic crosses between nodes (Calico's modes).
  public enum PodNetwork: String, Sendable {
    case bgp = "BGP"
    case vxlan = "VXLAN"
    case ipip = "IPIP"
  }

  public var nodes: [KernelNode]
  public var pods: [KernelPod]
  public var podNetwork: PodNetwork
  /// The IP pool (cluster pod CIDR): Calico's outgoing NAT masquerades pod traffic leaving it.
  public var clusterCIDR: CIDR?
  /// Whether Calico's `natOutgoing` rule is installed (the lab models it as on).
  public var natOutgoing: Bool
  /// Clients outside the cluster (each gets a namespace on the underlay).
  public var externalClients: [IPAddress]
  /// Addresses outside the nodes routed by the underlay to one node: load-balancer and
  /// external IPs (the simulated cloud's choice of node for each).
  public var underlayRoutes: [IPAddress: String]

  public init(
    nodes: [KernelNode], pods: [KernelPod], podNetwork: PodNetwork, clusterCIDR: CIDR?,
    natOutgoing: Bool = true, externalClients: [IPAddress] = [],
    underlayRoutes: [IPAddress: String] = [:]
  ) {
    self.nodes = nodes
    self.pods = pods
    self.podNetwork = podNetwork
    self.clusterCIDR = clusterCIDR
    self.natOutgoing = natOutgoing
    self.externalClients = externalClients
    self.underlayRoutes = underlayRoutes
  }
}

/// One node: its address, pod CIDR, tunnel address, kube-proxy's rules and host processes.
public struct KernelNode: Equatable, Sendable {
  public enum ProxyMode: String, Sendable {
    case iptables, nftables, ipvs
  }

  public var name: String
  public var ip: IPAddress
  public var podCIDR: CIDR
  /// The tunnel device's address (Calico's IPAM gives it one of the node's block).
  public var tunnelAddress: IPAddress?
  public var proxyMode: ProxyMode
  /// `iptablesSave(node)`: the input kube-proxy feeds `iptables-restore`.
  public var iptablesRestore: String
  /// `nftRuleset(node)`: the table kube-proxy loads with `nft -f`.
  public var nftRuleset: String
  /// Whether kube-proxy accepts NodePorts on 127.0.0.1 (it then sets route_localnet).
  public var localhostNodePorts: Bool
  /// Processes of the node itself listening on its address (name → port/protocol).
  public var listeners: [KernelListener]

  public init(
    name: String, ip: IPAddress, podCIDR: CIDR, tunnelAddress: IPAddress?, proxyMode: ProxyMode,
    iptablesRestore: String, nftRuleset: String, localhostNodePorts: Bool,
    listeners: [KernelListener] = []
  ) {
    self.name = name
    self.ip = ip
    self.podCIDR = podCIDR
    self.tunnelAddress = tunnelAddress
    self.proxyMode = proxyMode
    self.iptablesRestore = iptablesRestore
    self.nftRuleset = nftRuleset
    self.localhostNodePorts = localhostNodePorts
    self.listeners = listeners
  }
}

/// A socket a responder opens: a name it answers with, a port and a protocol.
public struct KernelListener: Hashable, Sendable {
  public var name: String
  public var port: Int
  /// "TCP" or "UDP".
  public var proto: String

  public init(name: String, port: Int, proto: String) {
    self.name = name
    self.port = port
    self.proto = proto
  }
}

/// One pod: where it runs, its address, the ports its containers declare.
public struct KernelPod: Equatable, Sendable {
  public var namespace: String
  public var name: String
  public var node: String
  public var ip: IPAddress
  public var hostNetwork: Bool
  /// Container ports (port, "TCP"/"UDP").
  public var ports: [KernelListener]
  /// `resolvConf(pod)`, written to /etc/netns/<namespace>/resolv.conf.
  public var resolvConf: String
  /// A CoreDNS pod: where the wire DNS server would serve (see `Materializer.dnsHook`).
  public var servesDNS: Bool

  public init(
    namespace: String, name: String, node: String, ip: IPAddress, hostNetwork: Bool,
    ports: [KernelListener], resolvConf: String, servesDNS: Bool = false
  ) {
    self.namespace = namespace
    self.name = name
    self.node = node
    self.ip = ip
    self.hostNetwork = hostNetwork
    self.ports = ports
    self.resolvConf = resolvConf
    self.servesDNS = servesDNS
  }

  public var key: String { "\(namespace)/\(name)" }
}
