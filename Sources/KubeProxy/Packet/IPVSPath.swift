import NetAddr

/// kube-proxy's IPVS mode on the entry node: one virtual server per Service address and port
/// (NodePorts: per node address), real servers from the decision, the kernel scheduler's pick,
/// and the few iptables rules that decide masquerading.
extension ProxyCluster {
  /// Runs the packet through the entry node's IPVS virtual server for the Service port.
  func ipvsHop(
    _ ctx: PacketContext, decision d: ServicePortDecision, kind: ServiceAddressKind,
    trace: inout [TraceStep]
  ) -> ProxyVerdict {
    let port = d.servicePort
    let spn = port.name.description
    let node = ctx.entry.name
    let key = IPVSVirtualServerKey(
      proto: ctx.destination.proto, address: ctx.destination.ip, port: ctx.destination.port)
    let state = virtualServer(
      key, node: node, config: ctx.config, persistence: port.stickyMaxAgeSeconds)
    let persistence = port.stickyMaxAgeSeconds.map { " persistent \($0)" } ?? ""
    let flags = state.scheduler == "mh" ? " mh-port" : ""
    trace.append(
      .init(
        .virtualServer, node: node, chain: "IPVS",
        "\(key) \(state.scheduler)\(persistence)\(flags) (\(spn) \(kind.label))"))

    if kind == .loadBalancer && !port.loadBalancerSourceRanges.isEmpty
      && !port.loadBalancerSourceRanges.contains(where: { $0.contains(ctx.sourceIP) })
    {
      trace.append(
        .init(
          .verdict, node: node, chain: "KUBE-LOAD-BALANCER-FW",
          "source \(ctx.sourceIP) not in KUBE-LOAD-BALANCER-SOURCE-CIDR -j KUBE-MARK-DROP"))
      return .failed(
        ConnectFailure(
          .dropped,
          "\(ctx.sourceIP) is not in loadBalancerSourceRanges of \(spn)"))
    }

    // Local policy: local endpoints, else every cluster endpoint (kubernetes PR #97081).
    let onlyLocal = kind == .clusterIP ? port.internalPolicyLocal : port.externalPolicyLocal
    let reals = onlyLocal && !d.localEndpoints.isEmpty ? d.localEndpoints : d.clusterEndpoints
    state.reconcile(reals, now: ctx.now)
    guard
      let (index, sticky) = state.schedule(
        client: ctx.sourceIP, clientPort: ctx.sourcePort, now: ctx.now)
    else {
      let reason = reals.isEmpty ? "\(spn) has no endpoints" : "no destination available for \(key)"
      trace.append(
        .init(
          .verdict, node: node, chain: "IPVS",
          "\(key): no destination available, ICMP port unreachable"))
      return .failed(ConnectFailure(.refused, reason))
    }
    let endpoint = state.dests[index].endpoint
    trace.append(
      .init(
        .realServer, node: node, chain: "IPVS",
        detail: sticky
          ? .text("-> \(endpoint) Masq weight 1 (persistence template for \(ctx.sourceIP))")
          : .realServer(ip: endpoint.ip, port: endpoint.port)))
    state.open(
      id: ctx.connectionID, dest: endpoint.description, client: ctx.sourceIP,
      kept: ctx.keep, now: ctx.now)
    if ctx.keep {
      openConnections[ctx.connectionID] = OpenConnection(node: node, virtualServer: key)
    }

    let masq = ipvsMasquerade(ctx, port: port, kind: kind, endpoint: endpoint, trace: &trace)
    trace.append(
      .init(
        .dnat, node: node, chain: "IPVS",
        detail: .dnat(port.name, ip: endpoint.ip, port: endpoint.port, mode: .ipvs)))
    return .forward(
      ForwardDecision(
        servicePort: port, endpoint: endpoint, masquerade: masq, virtualServer: key))
  }

  /// The IPVS mode's masquerade rules: ClusterIP traffic from outside the pod network (or all
  /// with masquerade-all), external traffic under Cluster policy, and hairpin (KUBE-LOOP-BACK).
  private func ipvsMasquerade(
    _ ctx: PacketContext, port: ProxyServicePort, kind: ServiceAddressKind,
    endpoint: ProxyEndpoint, trace: inout [TraceStep]
  ) -> Bool {
    let node = ctx.entry.name
    if endpoint.ip == ctx.sourceIP {
      trace.append(
        .init(
          .rule, node: node, chain: "KUBE-POSTROUTING",
          "KUBE-LOOP-BACK dst,dst,src -j MASQUERADE (hairpin)"))
      return true
    }
    switch kind {
    case .clusterIP:
      if ctx.config.masqueradeAll {
        trace.append(
          .init(
            .rule, node: node, chain: "KUBE-SERVICES",
            "KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ"))
        return true
      }
      if let cidr = ctx.detectorCIDR, ctx.sourceIsPod == false {
        trace.append(
          .init(
            .rule, node: node, chain: "KUBE-SERVICES",
            "! -s \(cidr) KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ"))
        return true
      }
      return false
    case .externalIP, .loadBalancer, .nodePort:
      let proto = ctx.destination.proto.rawValue
      let (set, localSet, chain) =
        kind == .nodePort
        ? ("KUBE-NODE-PORT-\(proto)", "KUBE-NODE-PORT-LOCAL-\(proto)", "KUBE-NODE-PORT")
        : kind == .loadBalancer
          ? ("KUBE-LOAD-BALANCER", "KUBE-LOAD-BALANCER-LOCAL", "KUBE-LOAD-BALANCER")
          : ("KUBE-EXTERNAL-IP", "KUBE-EXTERNAL-IP-LOCAL", "KUBE-SERVICES")
      if port.externalPolicyLocal {
        trace.append(
          .init(
            .rule, node: node, chain: chain,
            "\(localSet) -j RETURN (externalTrafficPolicy Local: no masquerade)"))
        return false
      }
      trace.append(.init(.rule, node: node, chain: chain, "\(set) -j KUBE-MARK-MASQ"))
      return true
    }
  }

  /// The node's virtual server for `key`, created (or re-created when the scheduler changed)
  /// on first use.
  private func virtualServer(
    _ key: IPVSVirtualServerKey, node: String, config: ProxyConfig, persistence: Int?
  ) -> IPVSVirtualServerState {
    let plane = dataplane(node)
    if let state = plane.virtualServers[key], state.scheduler == config.ipvsScheduler {
      state.persistentTimeout = persistence
      return state
    }
    let state = IPVSVirtualServerState(
      key: key, scheduler: config.ipvsScheduler, persistentTimeout: persistence)
    plane.virtualServers[key] = state
    return state
  }

  /// The IPVS virtual servers traffic has touched on `node`, with their counters.
  public func ipvsKernelState(node: String, now: Double) -> [IPVSKernelVirtualServer] {
    guard let plane = dataplanes[node] else { return [] }
    return plane.virtualServers.keys.sorted().compactMap {
      plane.virtualServers[$0]?.snapshot(now: now)
    }
  }
}
