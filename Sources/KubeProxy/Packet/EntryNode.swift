import NetAddr

/// How traffic from outside the cluster reaches a node.
extension ProxyCluster {
  /// The node an external client's packet arrives at: the owner of a node IP; for a
  /// load-balancer IP, a node the simulated cloud balancer picks (every node for
  /// externalTrafficPolicy Cluster, nodes whose health check answers 200 for Local, all nodes
  /// again if none does, as cloud balancers fail open); for an external IP, the first node by
  /// name, as a static route to one node would send it. ClusterIPs and pod IPs are not routed
  /// from outside.
  func externalEntry(
    _ destination: ConnectDestination, client: IPAddress, trace: inout [TraceStep],
    using rng: inout some RandomNumberGenerator
  ) -> Result<ProxyNode, ConnectFailure> {
    let target = destination.ip.joined(port: destination.port)
    if let name = nodeByIP[destination.ip], let node = nodes[name] {
      trace.append(.init(.route, "routed to \(name) (\(destination.ip))"))
      return .success(node)
    }
    let ports = addresses.servicePorts(at: destination.ip).sorted().compactMap { servicePorts[$0] }
    if let lb = ports.first(where: {
      $0.loadBalancerVIPs.contains(destination.ip) && $0.port == destination.port
        && $0.name.proto == destination.proto
    }) {
      return balancerPick(lb, vip: destination.ip, trace: &trace, using: &rng)
    }
    if ports.contains(where: { $0.externalIPs.contains(destination.ip) }),
      let first = nodes.keys.sorted().first, let node = nodes[first]
    {
      trace.append(.init(.route, "external IP \(destination.ip) routed to \(first)"))
      return .success(node)
    }
    let text =
      ports.contains(where: { $0.clusterIP == destination.ip })
      ? "ClusterIP \(destination.ip) is not reachable from outside the cluster"
      : "no route from outside the cluster to \(target)"
    trace.append(.init(.verdict, text))
    return .failure(ConnectFailure(.unreachable, text))
  }

  /// The cloud load balancer's choice of node for one LoadBalancer Service port.
  func balancerPick(
    _ port: ProxyServicePort, vip: IPAddress, trace: inout [TraceStep],
    using rng: inout some RandomNumberGenerator
  ) -> Result<ProxyNode, ConnectFailure> {
    let all = nodes.keys.sorted()
    var candidates = all
    var why = "externalTrafficPolicy Cluster: all nodes"
    if port.externalPolicyLocal {
      let healthy = all.filter {
        healthCheck(node: $0, service: port.name.serviceName)?.statusCode == 200
      }
      candidates = healthy.isEmpty ? all : healthy
      why =
        healthy.isEmpty
        ? "no node passes the health check on "
          + "\(port.healthCheckNodePort); failing open to all nodes"
        : "nodes passing the health check on \(port.healthCheckNodePort): "
          + "\(healthy.joined(separator: ", "))"
    }
    guard !candidates.isEmpty else {
      return .failure(ConnectFailure(.unreachable, "load balancer \(vip) has no nodes"))
    }
    let pick = candidates[Int.random(in: 0..<candidates.count, using: &rng)]
    guard let node = nodes[pick] else {
      return .failure(ConnectFailure(.unreachable, "load balancer \(vip) has no nodes"))
    }
    trace.append(.init(.route, "load balancer \(vip) (\(why)) -> \(pick)"))
    return .success(node)
  }
}
