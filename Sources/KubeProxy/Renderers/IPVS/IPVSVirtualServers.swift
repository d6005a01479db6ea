import NetAddr

/// One IPVS real server (a backend of a virtual server) as kube-proxy programs it: NAT
/// forwarding ("Masq"), weight 1 (0 while a removed endpoint drains).
public struct IPVSRealServer: Hashable, Sendable {
  public var address: IPAddress
  public var port: Int
  public var weight: Int
  /// Established connections (counted by the packet path).
  public var activeConnections: Int
  /// Connections in other states (TIME_WAIT, FIN…; UDP flows).
  public var inactiveConnections: Int

  public init(
    address: IPAddress, port: Int, weight: Int = 1, activeConnections: Int = 0,
    inactiveConnections: Int = 0
  ) {
    self.address = address
    self.port = port
    self.weight = weight
    self.activeConnections = activeConnections
    self.inactiveConnections = inactiveConnections
  }

  /// `ip:port`, IPv6 bracketed.
  public var description: String { address.joined(port: port) }
}

/// One IPVS virtual server: kube-proxy creates one per (ClusterIP, external IP or LB IP,
/// port, protocol) and one per node IP for a NodePort.
public struct IPVSVirtualServer: Hashable, Sendable {
  public var address: IPAddress
  public var port: Int
  public var proto: ProxyProtocol
  public var scheduler: String
  /// ClientIP affinity: the persistence timeout in seconds.
  public var persistentTimeout: Int?
  /// The `mh` scheduler also hashes the source port (`IP_VS_SVC_F_SCHED_MH_PORT`).
  public var sourcePortHash: Bool
  /// The service port this virtual server implements.
  public var servicePort: ServicePortName
  public var realServers: [IPVSRealServer]
}

/// kube-proxy's IPVS virtual servers for `node` (`pkg/proxy/ipvs/proxier.go`): ClusterIP,
/// external IPs, LB IPs, and each non-loopback node IP for NodePorts. Real servers follow
/// `syncEndpoint`: Local policy uses the local endpoints, or — unlike iptables — all cluster
/// endpoints when there is no local one (kubernetes PR #97081).
public func ipvsVirtualServers(
  node: ProxyNode, config: ProxyConfig, decisions: [ServicePortDecision]
) -> [IPVSVirtualServer] {
  var servers: [IPVSVirtualServer] = []
  for decision in decisions {
    let port = decision.servicePort
    guard let clusterIP = port.clusterIP, port.type != .externalName else { continue }
    let make = { (address: IPAddress, number: Int, onlyLocal: Bool) in
      IPVSVirtualServer(
        address: address, port: number, proto: port.name.proto, scheduler: config.ipvsScheduler,
        persistentTimeout: port.stickyMaxAgeSeconds, sourcePortHash: config.ipvsScheduler == "mh",
        servicePort: port.name,
        realServers: ipvsRealServers(decision, onlyNodeLocal: onlyLocal))
    }
    servers.append(make(clusterIP, port.port, port.internalPolicyLocal))
    for ip in port.externalIPs + port.loadBalancerVIPs {
      servers.append(make(ip, port.port, port.externalPolicyLocal))
    }
    if port.nodePort != 0 {
      for ip in ipvsNodePortIPs(node: node, config: config, family: port.family) {
        servers.append(make(ip, port.nodePort, port.externalPolicyLocal))
      }
    }
  }
  return servers
}

/// The endpoints `syncEndpoint` installs as real servers.
func ipvsRealServers(_ decision: ServicePortDecision, onlyNodeLocal: Bool) -> [IPVSRealServer] {
  let endpoints =
    onlyNodeLocal && !decision.localEndpoints.isEmpty
    ? decision.localEndpoints : decision.clusterEndpoints
  return endpoints.map { IPVSRealServer(address: $0.ip, port: $0.port) }
}

/// Node addresses that get a NodePort virtual server: all of the family (or those inside
/// `--nodeport-addresses`), never loopback.
func ipvsNodePortIPs(node: ProxyNode, config: ProxyConfig, family: IPFamily) -> [IPAddress] {
  let addresses = NodePortAddresses(config: config, family: family)
  return addresses.nodeIPs(of: node).filter { !$0.isLoopback }
}
