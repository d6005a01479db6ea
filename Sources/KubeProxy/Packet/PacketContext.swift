import NetAddr

/// How a Service address was reached.
enum ServiceAddressKind: Hashable {
  case clusterIP, externalIP, loadBalancer, nodePort

  var label: String {
    switch self {
    case .clusterIP: return "cluster IP"
    case .externalIP: return "external IP"
    case .loadBalancer: return "loadbalancer IP"
    case .nodePort: return "node port"
    }
  }
}

/// A packet as the entry node's kube-proxy rules see it.
struct PacketContext {
  var entry: ProxyNode
  var config: ProxyConfig
  var sourceIP: IPAddress
  var sourcePort: Int
  var destination: ConnectDestination
  var now: Double
  var connectionID: Int
  var keep: Bool
  /// `-m addrtype --src-type LOCAL`: the packet was sent by the entry node itself.
  var sourceIsLocal: Bool
  /// The local-traffic detector's view: nil when no detector is configured, else whether the
  /// source is a pod (`-s <podCIDR>`).
  var sourceIsPod: Bool?
  /// The pod CIDR the detector matches, for traces.
  var detectorCIDR: CIDR?
  /// The client is outside the cluster.
  var fromOutside: Bool
  /// The service chain's pick, already drawn (a compiled path's walk); nil to draw it.
  var forcedPick: Int?
}

/// What kube-proxy on the entry node did with the packet.
enum ProxyVerdict {
  /// No Service rule matched; the packet is routed on unchanged.
  case notService
  case failed(ConnectFailure)
  case forward(ForwardDecision)
}

/// A DNAT to an endpoint, with the SNAT decision.
struct ForwardDecision {
  var servicePort: ProxyServicePort
  var endpoint: ProxyEndpoint
  var masquerade: Bool
  var virtualServer: IPVSVirtualServerKey?
}

extension ProxyCluster {
  /// Whether `node` owns `address`: one of its node IPs, its tunnel address or loopback
  /// (`-m addrtype --src-type LOCAL`).
  func isLocalAddress(_ address: IPAddress, of node: ProxyNode) -> Bool {
    address == loopback(address.family) || node.ips.contains(address)
      || tunnelAddress(of: node) == address
  }

  /// The node's tunnel device address (the network address of its pod CIDR), nil without a
  /// tunnel; Calico's IP-in-IP carries IPv4 only.
  func tunnelAddress(of node: ProxyNode) -> IPAddress? {
    guard podNetwork != .bgp else { return nil }
    if podNetwork == .ipip && node.podCIDR.family == .v6 { return nil }
    return node.podCIDR.network
  }

  func loopback(_ family: IPFamily) -> IPAddress {
    family == .v4 ? IPAddress(v4: 0x7F00_0001) : IPAddress(v6High: 0, low: 1)
  }

  /// Whether kube-proxy on `node` accepts NodePorts on `address`, per mode: iptables on every
  /// local address (127.0.0.1 only with localhost NodePorts, ::1 never); nftables only on the
  /// node's primary IPs (never loopback); IPVS on every local address; `nodePortAddresses`
  /// narrows each to the addresses inside its CIDRs.
  func acceptsNodePort(on address: IPAddress, node: ProxyNode, config: ProxyConfig) -> Bool {
    let isLoopback = address == loopback(address.family)
    switch config.mode {
    case .iptables:
      if isLoopback && (address.family == .v6 || !config.localhostNodePorts) { return false }
    case .nftables:
      if isLoopback { return false }
    case .ipvs:
      if isLoopback && address.family == .v6 { return false }
    }
    guard isLocalAddress(address, of: node) else { return false }
    if let cidrs = config.nodePortAddresses {
      return cidrs.contains { $0.contains(address) }
    }
    if config.mode == .nftables {
      return node.ips.first { $0.family == address.family } == address
    }
    return true
  }

  /// The local-traffic detector on `node`: nil when none is configured.
  func detectorCIDR(node: ProxyNode, config: ProxyConfig) -> CIDR? {
    switch config.detectLocal {
    case .clusterCIDR: return config.clusterCIDR
    case .nodeCIDR: return node.podCIDR
    }
  }

  /// The Service port and the kind of address a destination hits on `node`, if any.
  func matchService(
    _ destination: ConnectDestination, node: ProxyNode, config: ProxyConfig
  )
    -> (ServicePortKey, ServiceAddressKind)?
  {
    // The lowest matching key, as a walk in key order would find it, without sorting the set
    // (one Service port per address and port, nearly always).
    var found: (ServicePortKey, ServiceAddressKind)?
    for key in addresses.servicePorts(at: destination.ip) {
      if let (best, _) = found, !(key < best) { continue }
      guard let port = servicePorts[key], port.name.proto == destination.proto,
        port.port == destination.port
      else { continue }
      if port.clusterIP == destination.ip {
        found = (key, .clusterIP)
      } else if port.externalIPs.contains(destination.ip) {
        found = (key, .externalIP)
      } else if port.loadBalancerVIPs.contains(destination.ip) {
        found = (key, .loadBalancer)
      }
    }
    if let found { return found }
    guard acceptsNodePort(on: destination.ip, node: node, config: config),
      let key = addresses.nodePort(
        destination.port, proto: destination.proto, family: destination.ip.family)
    else { return nil }
    return (key, .nodePort)
  }

  /// Whether `ip` is the ClusterIP of some Service (on any port).
  func isClusterIP(_ ip: IPAddress) -> Bool {
    addresses.servicePorts(at: ip).contains { servicePorts[$0]?.clusterIP == ip }
  }
}
