import NetAddr

/// After kube-proxy's DNAT: masquerade, the pod network hop and delivery.
extension ProxyCluster {
  /// Takes a DNATed packet from the entry node to its endpoint.
  func forwardToEndpoint(
    _ ctx: PacketContext, _ forward: ForwardDecision, trace: inout [TraceStep]
  ) -> Result<Connection, ConnectFailure> {
    let endpoint = forward.endpoint
    let proto = ctx.destination.proto
    guard let located = locate(endpoint.ip, port: endpoint.port, proto: proto) else {
      let text = "endpoint \(endpoint) belongs to no pod or node"
      trace.append(.init(.verdict, node: ctx.entry.name, text))
      return .failure(ConnectFailure(.unreachable, text))
    }
    // The hop is traced after the SNAT it decides: appended now, the SNAT step inserted before.
    let hopAt = trace.count
    let egress: IPAddress
    if nodeByIP[endpoint.ip] != nil {
      // A node address (hostNetwork backend): plain routing between node IPs.
      egress = ctx.entry.ips.first { $0.family == endpoint.ip.family } ?? ctx.sourceIP
      if located.node.name != ctx.entry.name {
        trace.append(
          .init(
            .hop, node: ctx.entry.name,
            "routed to \(located.node.name) (\(endpoint.ip)) over the node network"))
      }
    } else {
      egress = podNetworkHop(
        from: ctx.entry, to: located.node, destination: endpoint.ip, trace: &trace)
    }
    var sourceIP = ctx.sourceIP
    let toNode = nodeByIP[endpoint.ip] != nil
    let fromPool = ctx.config.clusterCIDR?.contains(ctx.sourceIP) == true && !ctx.sourceIsLocal
    if toNode && located.node.name == ctx.entry.name {
      // Delivered to a local address: the packet never reaches POSTROUTING, so no SNAT.
    } else if toNode && fromPool {
      // Calico's natOutgoing (hooked before kube-proxy's) masquerades pod traffic leaving
      // the IP pools, whether or not kube-proxy marked it.
      trace.insert(
        .init(
          .snat, node: ctx.entry.name, chain: "cali-nat-outgoing",
          "-s \(ctx.config.clusterCIDR.map(\.description) ?? "") ! -d "
            + "\(ctx.config.clusterCIDR.map(\.description) ?? "") -j MASQUERADE --random-fully: "
            + "\(ctx.sourceIP) -> \(egress) (destination outside the IP pools)"
        ),
        at: hopAt)
      sourceIP = egress
    } else if forward.masquerade {
      trace.insert(masqueradeStep(ctx, egress: egress), at: hopAt)
      sourceIP = egress
    } else if located.node.name != ctx.entry.name && !repliesReturn(ctx) {
      // Without SNAT the backend answers the client directly; unless that answer passes the
      // entry node, nothing reverses the DNAT and the client discards it.
      let text =
        "reply from \(endpoint) to \(ctx.sourceIP) bypasses "
        + "\(ctx.entry.name) (no SNAT), so the client discards it"
      trace.append(.init(.verdict, node: located.node.name, text))
      return .failure(ConnectFailure(.dropped, text))
    }
    if let failure = deliver(
      to: endpoint.ip, port: endpoint.port, proto: proto,
      node: located.node, pod: located.pod, trace: &trace)
    {
      return .failure(failure)
    }
    let port = forward.servicePort
    return .success(
      Connection(
        id: ctx.connectionID,
        pod: located.pod.map { NamespacedName(namespace: $0.namespace, name: $0.name) },
        podIP: endpoint.ip, port: endpoint.port, servicePort: port.port, node: located.node.name,
        entryNode: ctx.entry.name, service: port.name.serviceName, sourceIP: sourceIP,
        kept: ctx.keep))
  }

  /// The rule that masquerades a marked packet: Calico's tunnel rule when a host address
  /// leaves by the tunnel (its chain is hooked first), else kube-proxy's — KUBE-POSTROUTING
  /// in iptables and IPVS modes, its own `masquerading` chain in nftables mode.
  private func masqueradeStep(_ ctx: PacketContext, egress: IPAddress) -> TraceStep {
    let node = ctx.entry.name
    if ctx.sourceIsLocal, egress != ctx.sourceIP, let tunnel = tunnelAddress(of: ctx.entry),
      tunnel == egress, let device = podNetwork.tunnelDevice
    {
      return .init(
        .snat, node: node, chain: "cali-POSTROUTING",
        "-o \(device) -m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type "
          + "LOCAL -j MASQUERADE: \(ctx.sourceIP) -> \(egress)"
      )
    }
    if ctx.config.mode == .nftables {
      return .init(
        .snat, node: node, chain: "masquerading",
        "meta mark set meta mark ^ 0x00004000 masquerade fully-random: \(ctx.sourceIP) -> \(egress)"
      )
    }
    return .init(
      .snat, node: node, chain: "KUBE-POSTROUTING",
      detail: .masquerade(randomFully: ctx.config.randomFully, from: ctx.sourceIP, to: egress))
  }

  /// Whether replies to the unmodified source pass back through the entry node: the source
  /// is the entry node itself or one of its pods.
  private func repliesReturn(_ ctx: PacketContext) -> Bool {
    if ctx.sourceIsLocal || ctx.entry.podCIDR.contains(ctx.sourceIP) { return true }
    if let name = podByIP[ctx.sourceIP], pods[name]?.nodeName == ctx.entry.name { return true }
    return false
  }
}
