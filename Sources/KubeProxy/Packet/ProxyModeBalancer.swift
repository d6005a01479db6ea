import NetAddr

/// Load balancers whose ingress has `ipMode: Proxy` (KEP-1860, GA in 1.32). kube-proxy writes
/// no rule for such an address, in any mode, so nothing on a node short-circuits a connection
/// to it: the packet leaves the node for the balancer, which — like a proxying cloud balancer —
/// opens its own connection to a node's NodePort, from its own address.
extension ProxyCluster {
  /// The Service port a Proxy-mode balancer serves at `destination`, if any.
  func proxyModeBalancer(for destination: ConnectDestination) -> ProxyServicePort? {
    let keys = addresses.proxyModeIngressPorts(at: destination.ip)
    guard !keys.isEmpty else { return nil }
    return keys.sorted().compactMap { servicePorts[$0] }.first {
      $0.port == destination.port && $0.name.proto == destination.proto
    }
  }

  /// The balancer's hop: the node it picks and the connection it makes to that node's
  /// NodePort (source: the balancer's address).
  func proxyModeBalancerHop(
    _ port: ProxyServicePort, destination: ConnectDestination, from origin: ProxyNode?,
    trace: inout [TraceStep], using rng: inout some RandomNumberGenerator
  ) -> Result<(node: ProxyNode, destination: ConnectDestination), ConnectFailure> {
    let vip = destination.ip
    let leaves = origin.map { "leaves \($0.name) for" } ?? "goes to"
    trace.append(
      .init(
        .route,
        "\(vip) is a load balancer with ipMode Proxy: kube-proxy has no rule "
          + "for it, so the packet \(leaves) the balancer"
      ))
    guard port.nodePort != 0 else {
      let text = "load balancer \(vip) (ipMode Proxy) has no NodePort to proxy to"
      trace.append(.init(.verdict, text))
      return .failure(ConnectFailure(.unreachable, text))
    }
    let node: ProxyNode
    switch balancerPick(port, vip: vip, trace: &trace, using: &rng) {
    case .success(let picked): node = picked
    case .failure(let failure): return .failure(failure)
    }
    guard let nodeIP = node.ips.first(where: { $0.family == vip.family }) else {
      let text = "node \(node.name) has no \(vip.family.rawValue) address"
      trace.append(.init(.verdict, text))
      return .failure(ConnectFailure(.unreachable, text))
    }
    let next = ConnectDestination(ip: nodeIP, port: port.nodePort, proto: destination.proto)
    trace.append(
      .init(
        .route,
        "load balancer \(vip) proxies the connection: \(vip) -> "
          + "\(nodeIP.joined(port: port.nodePort)) (NodePort of \(node.name))"
      ))
    return .success((node, next))
  }
}
