import NetAddr

/// The packet path: source → entry node (routing or the cloud load balancer) → that node's
/// kube-proxy rules → the pod network → the backend's socket.
extension ProxyCluster {
  /// One connection, traced hop by hop. Uses the applied state (call `sync()` first).
  public func connect(
    from source: ConnectSource, to destination: ConnectDestination,
    options: ConnectOptions = ConnectOptions(), using rng: inout some RandomNumberGenerator
  ) -> ConnectOutcome {
    var trace: [TraceStep] = []
    trace.reserveCapacity(10)
    let id = nextConnectionID
    nextConnectionID += 1
    let result = route(
      source, destination, options, id: id, forcedPick: nil, trace: &trace, using: &rng)
    return ConnectOutcome(result: result, trace: trace)
  }

  /// Closes a kept connection: IPVS counts it as inactive from now on (TIME_WAIT).
  public func disconnect(_ connection: Connection, now: Double) {
    guard let open = openConnections.removeValue(forKey: connection.id) else { return }
    if let key = open.virtualServer {
      dataplanes[open.node]?.virtualServers[key]?.close(id: connection.id, now: now)
    }
  }

  /// The walk itself; `forcedPick` replaces the service chain's random pick (a compiled
  /// path's walk, whose draws are already made).
  func route(
    _ source: ConnectSource, _ destination: ConnectDestination, _ options: ConnectOptions,
    id: Int, forcedPick: Int?, trace: inout [TraceStep], using rng: inout some RandomNumberGenerator
  ) -> Result<Connection, ConnectFailure> {
    let sourcePort = options.sourcePort ?? Self.ephemeralPort(using: &rng)
    let origin: (ip: IPAddress, node: ProxyNode?)
    switch resolveSource(source, destination: destination) {
    case .success(let value): origin = value
    case .failure(let failure): return .failure(failure)
    }
    trace.append(
      .init(
        .source, node: origin.node?.name,
        detail: .source(source, ip: origin.ip, port: sourcePort, destination: destination)))
    if case .pod(let name) = source, let pod = pods[name], !pod.hostNetwork,
      let node = origin.node, isOwnAddress(destination.ip, of: pod)
    {
      return deliverInPod(
        pod, node: node, destination: destination, sourceIP: origin.ip, id: id,
        keep: options.keep, trace: &trace)
    }

    var sourceIP = origin.ip
    var destination = destination
    var fromOutside = origin.node == nil
    let entry: ProxyNode
    if let balancer = proxyModeBalancer(for: destination) {
      switch proxyModeBalancerHop(
        balancer, destination: destination, from: origin.node, trace: &trace, using: &rng)
      {
      case .success(let hop):
        entry = hop.node
        sourceIP = destination.ip
        destination = hop.destination
        fromOutside = true
      case .failure(let failure): return .failure(failure)
      }
    } else if let node = origin.node {
      entry = entryFromInside(
        node, destination: destination, sourceIsPod: isPodSource(source),
        sourceIP: &sourceIP, trace: &trace)
    } else {
      switch externalEntry(destination, client: origin.ip, trace: &trace, using: &rng) {
      case .success(let node): entry = node
      case .failure(let failure): return .failure(failure)
      }
    }

    let config = config(for: entry.name)
    let cidr = detectorCIDR(node: entry, config: config)
    let ctx = PacketContext(
      entry: entry, config: config, sourceIP: sourceIP, sourcePort: sourcePort,
      destination: destination, now: options.now, connectionID: id, keep: options.keep,
      sourceIsLocal: isLocalAddress(sourceIP, of: entry),
      sourceIsPod: cidr.map { $0.contains(sourceIP) }, detectorCIDR: cidr,
      fromOutside: fromOutside, forcedPick: forcedPick)
    trace.append(.init(.entry, node: entry.name, Self.entryText(config)))
    switch proxyHop(ctx, trace: &trace, using: &rng) {
    case .failed(let failure):
      return .failure(failure)
    case .notService:
      return deliverDirect(ctx, trace: &trace)
    case .forward(let forward):
      let result = forwardToEndpoint(ctx, forward, trace: &trace)
      if case .failure = result, let key = forward.virtualServer {
        dataplanes[entry.name]?.virtualServers[key]?.close(id: id, now: options.now)
        openConnections[id] = nil
      } else if options.keep, forward.virtualServer == nil, case .success = result {
        openConnections[id] = OpenConnection(node: entry.name, virtualServer: nil)
      }
      return result
    }
  }

  /// The source's address and node; pods use their address of the destination's family.
  private func resolveSource(
    _ source: ConnectSource, destination: ConnectDestination
  )
    -> Result<(ip: IPAddress, node: ProxyNode?), ConnectFailure>
  {
    let family = destination.ip.family
    switch source {
    case .pod(let name):
      guard let pod = pods[name], let node = nodes[pod.nodeName] else {
        return .failure(ConnectFailure(.unreachable, "pod \(name) is not running on any node"))
      }
      // A pod's own loopback answers from loopback.
      if !pod.hostNetwork && destination.ip == loopback(family) {
        return .success((destination.ip, node))
      }
      let address =
        pod.hostNetwork
        ? node.ips.first { $0.family == family } : pod.ips.first { $0.family == family }
      guard let address else {
        return .failure(
          ConnectFailure(.unreachable, "pod \(name) has no \(family.rawValue) address"))
      }
      return .success((address, node))
    case .node(let name):
      guard let node = nodes[name] else {
        return .failure(ConnectFailure(.unreachable, "node \(name) does not exist"))
      }
      if destination.ip == loopback(family) { return .success((destination.ip, node)) }
      // A node process towards a remote pod leaves through the tunnel with its address.
      if let located = locate(destination.ip, port: destination.port, proto: destination.proto),
        located.pod?.hostNetwork == false, located.node.name != name,
        let tunnel = tunnelAddress(of: node), tunnel.family == family
      {
        return .success((tunnel, node))
      }
      guard let address = node.ips.first(where: { $0.family == family }) else {
        return .failure(
          ConnectFailure(.unreachable, "node \(name) has no \(family.rawValue) address"))
      }
      return .success((address, node))
    case .external(let address):
      return .success((address, nil))
    }
  }

  /// Pods and node processes enter through their own node's rules, except towards another
  /// node's address, where the packet is routed to that node first (Calico's natOutgoing
  /// masquerades pod sources there, as node IPs lie outside the IP pools).
  private func entryFromInside(
    _ node: ProxyNode, destination: ConnectDestination, sourceIsPod: Bool,
    sourceIP: inout IPAddress, trace: inout [TraceStep]
  ) -> ProxyNode {
    guard let owner = nodeByIP[destination.ip], owner != node.name, let target = nodes[owner],
      matchService(destination, node: node, config: config(for: node.name)) == nil
    else { return node }
    if sourceIsPod, let nodeIP = node.ips.first(where: { $0.family == destination.ip.family }) {
      trace.append(
        .init(
          .snat, node: node.name,
          "cali-nat-outgoing: MASQUERADE \(sourceIP) -> "
            + "\(nodeIP) (destination outside the IP pools)"
        ))
      sourceIP = nodeIP
    }
    trace.append(.init(.route, node: node.name, "routed to \(owner) (\(destination.ip))"))
    return target
  }

  private func isPodSource(_ source: ConnectSource) -> Bool {
    if case .pod(let name) = source { return pods[name]?.hostNetwork == false }
    return false
  }

  /// `kube-proxy (iptables)`, `kube-proxy (ipvs, rr)`: literals but for IPVS's scheduler.
  private static func entryText(_ config: ProxyConfig) -> String {
    switch config.mode {
    case .iptables: return "kube-proxy (iptables)"
    case .nftables: return "kube-proxy (nftables)"
    case .ipvs: return "kube-proxy (ipvs, \(config.ipvsScheduler))"
    }
  }

  /// kube-proxy's handling on the entry node, by mode.
  private func proxyHop(
    _ ctx: PacketContext, trace: inout [TraceStep], using rng: inout some RandomNumberGenerator
  ) -> ProxyVerdict {
    if let (key, kind) = matchService(ctx.destination, node: ctx.entry, config: ctx.config),
      let decision = decision(node: ctx.entry.name, servicePort: key)
    {
      return ctx.config.mode == .ipvs
        ? ipvsHop(ctx, decision: decision, kind: kind, trace: &trace)
        : netfilterHop(ctx, decision: decision, kind: kind, trace: &trace, using: &rng)
    }
    // nftables drops traffic to unallocated addresses of the Service CIDRs.
    if ctx.config.mode == .nftables, !isClusterIP(ctx.destination.ip),
      ctx.config.serviceCIDRs.contains(where: { $0.contains(ctx.destination.ip) })
    {
      trace.append(
        .init(
          .verdict, node: ctx.entry.name, chain: "cluster-ips-check",
          "ip daddr \(ctx.destination.ip) drop (\"Drop traffic to unallocated ClusterIPs\")"))
      return .failed(
        ConnectFailure(.dropped, "\(ctx.destination.ip) is not an allocated ClusterIP"))
    }
    // nftables and IPVS reject unknown ports on an active ClusterIP; iptables routes the
    // packet on, where it goes nowhere.
    guard ctx.config.mode != .iptables, isClusterIP(ctx.destination.ip) else { return .notService }
    let what = "\(ctx.destination.port)/\(ctx.destination.proto.rawValue)"
    trace.append(
      .init(
        .verdict, node: ctx.entry.name,
        chain: ctx.config.mode == .nftables ? "cluster-ips-check" : "KUBE-IPVS-FILTER",
        ctx.config.mode == .nftables
          ? "ip daddr @cluster-ips reject (\"reject traffic to invalid ports of ClusterIPs\")"
          : "KUBE-IPVS-IPS dst -j REJECT"))
    return .failed(
      ConnectFailure(.refused, "no Service port \(what) on ClusterIP \(ctx.destination.ip)"))
  }

  /// Whether `address` is the pod's own: loopback or one of its pod IPs.
  private func isOwnAddress(_ address: IPAddress, of pod: ProxyPod) -> Bool {
    address == loopback(address.family) || pod.ips.contains(address)
  }

  /// A pod's packet to its own address never leaves its network namespace: the pod's kernel
  /// routes it over the pod's loopback, so no rule of the node sees it, and the pod answers
  /// as for any other client (refused where it does not listen).
  private func deliverInPod(
    _ pod: ProxyPod, node: ProxyNode, destination dst: ConnectDestination, sourceIP: IPAddress,
    id: Int, keep: Bool, trace: inout [TraceStep]
  ) -> Result<Connection, ConnectFailure> {
    trace.append(
      .init(
        .route, node: node.name,
        "\(dst.ip) is the pod's own address: routed over the pod's loopback (lo), "
          + "inside its network namespace"))
    if let failure = deliver(
      to: dst.ip, port: dst.port, proto: dst.proto, node: node, pod: pod, trace: &trace)
    {
      return .failure(failure)
    }
    return .success(
      Connection(
        id: id, pod: NamespacedName(namespace: pod.namespace, name: pod.name), podIP: dst.ip,
        port: dst.port, servicePort: nil, node: node.name, entryNode: node.name, service: nil,
        sourceIP: sourceIP, kept: keep))
  }

  /// No Service rule matched: the packet goes to the destination address as it is.
  private func deliverDirect(
    _ ctx: PacketContext, trace: inout [TraceStep]
  )
    -> Result<Connection, ConnectFailure>
  {
    let dst = ctx.destination
    // Pod addresses are not routed from outside the cluster.
    // 127.0.0.1 from a process on a node, when no rule took it (nftables mode has no
    // localhost NodePorts), is that node itself: its kernel answers.
    let sender = ctx.sourceIsLocal ? ctx.entry : nil
    guard let located = locate(dst.ip, port: dst.port, proto: dst.proto, sender: sender),
      !(ctx.fromOutside && podByIP[dst.ip] != nil)
    else {
      let text = "no Service rule and no pod or node answers at \(dst.ip.joined(port: dst.port))"
      trace.append(.init(.verdict, node: ctx.entry.name, text))
      return .failure(ConnectFailure(.unreachable, text))
    }
    if podByIP[dst.ip] != nil {
      _ = podNetworkHop(from: ctx.entry, to: located.node, destination: dst.ip, trace: &trace)
    }
    if let failure = deliver(
      to: dst.ip, port: dst.port, proto: dst.proto, node: located.node,
      pod: located.pod, trace: &trace)
    {
      return .failure(failure)
    }
    return .success(
      Connection(
        id: ctx.connectionID,
        pod: located.pod.map { NamespacedName(namespace: $0.namespace, name: $0.name) },
        podIP: dst.ip, port: dst.port, servicePort: nil, node: located.node.name,
        entryNode: ctx.entry.name, service: nil, sourceIP: ctx.sourceIP, kept: ctx.keep))
  }
}
