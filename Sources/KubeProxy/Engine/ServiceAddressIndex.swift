import NetAddr

/// Which Service ports answer on an address or NodePort: the packet path's view of
/// KUBE-SERVICES, kept up to date one Service at a time.
struct ServiceAddressIndex {
  struct NodePortKey: Hashable {
    var proto: ProxyProtocol
    var port: Int
    var family: IPFamily
  }

  private(set) var byIP: [IPAddress: Set<ServicePortKey>] = [:]
  private(set) var byNodePort: [NodePortKey: Set<ServicePortKey>] = [:]
  /// Load-balancer IPs with `ipMode: Proxy`: the simulated cloud's, never kube-proxy's.
  private(set) var byProxyModeIngressIP: [IPAddress: Set<ServicePortKey>] = [:]

  /// Every address a Service port owns: its ClusterIP, external IPs and load-balancer IPs.
  static func ips(of port: ProxyServicePort) -> [IPAddress] {
    (port.clusterIP.map { [$0] } ?? []) + port.externalIPs + port.loadBalancerVIPs
  }

  mutating func insert(_ port: ProxyServicePort) {
    for ip in Self.ips(of: port) { byIP[ip, default: []].insert(port.key) }
    for ip in port.proxyModeIngressIPs { byProxyModeIngressIP[ip, default: []].insert(port.key) }
    if port.nodePort != 0 {
      byNodePort[
        NodePortKey(proto: port.name.proto, port: port.nodePort, family: port.family),
        default: []
      ].insert(port.key)
    }
  }

  mutating func remove(_ port: ProxyServicePort) {
    for ip in Self.ips(of: port) {
      byIP[ip]?.remove(port.key)
      if byIP[ip]?.isEmpty == true { byIP[ip] = nil }
    }
    for ip in port.proxyModeIngressIPs {
      byProxyModeIngressIP[ip]?.remove(port.key)
      if byProxyModeIngressIP[ip]?.isEmpty == true { byProxyModeIngressIP[ip] = nil }
    }
    if port.nodePort != 0 {
      let key = NodePortKey(proto: port.name.proto, port: port.nodePort, family: port.family)
      byNodePort[key]?.remove(port.key)
      if byNodePort[key]?.isEmpty == true { byNodePort[key] = nil }
    }
  }

  /// The Service ports using `ip` as ClusterIP, external IP or load-balancer IP.
  func servicePorts(at ip: IPAddress) -> Set<ServicePortKey> { byIP[ip] ?? [] }

  /// The Service ports whose balancer answers on `ip` with `ipMode: Proxy`.
  func proxyModeIngressPorts(at ip: IPAddress) -> Set<ServicePortKey> {
    byProxyModeIngressIP[ip] ?? []
  }

  /// The Service port (lowest key, should several claim it) with this NodePort.
  func nodePort(_ port: Int, proto: ProxyProtocol, family: IPFamily) -> ServicePortKey? {
    byNodePort[NodePortKey(proto: proto, port: port, family: family)]?.min()
  }
}
