import NetAddr

/// kube-proxy's iptables and nftables modes on the entry node: the same decisions
/// (`syncProxyRules` in both proxiers), written as the rules each mode installs.
extension ProxyCluster {
  /// Runs the packet through the entry node's iptables/nftables Service rules.
  func netfilterHop(
    _ ctx: PacketContext, decision d: ServicePortDecision, kind: ServiceAddressKind,
    trace: inout [TraceStep], using rng: inout some RandomNumberGenerator
  ) -> ProxyVerdict {
    let port = d.servicePort
    let node = ctx.entry.name
    let nft = ctx.config.mode == .nftables
    let mode = ctx.config.mode
    let match = PacketMatch(mode: mode, nodePort: kind == .nodePort, destination: ctx.destination)
    let servicesChain = nft ? "services" : (kind == .nodePort ? "KUBE-NODEPORTS" : "KUBE-SERVICES")

    if kind == .clusterIP {
      let hasInternal =
        port.internalPolicyLocal ? !d.localEndpoints.isEmpty : !d.clusterEndpoints.isEmpty
      guard hasInternal else {
        return reject(
          d, chain: nft ? "no-endpoint-services" : "KUBE-SERVICES", match: match,
          node: node, nft: nft, trace: &trace)
      }
      let chain =
        port.internalPolicyLocal
        ? namer.localChain(port.name, mode: mode) : namer.clusterChain(port.name, mode: mode)
      trace.append(
        .init(
          .rule, node: node, chain: servicesChain,
          detail: .serviceRule(port.name, kind: .clusterIP, match: match, jump: chain)))
      var masq = ctx.config.masqueradeAll
      if let cidr = ctx.detectorCIDR, ctx.sourceIsPod == false, !masq {
        masq = true
        trace.append(
          .init(
            .rule, node: node, chain: chain,
            detail: .clusterMasquerade(port.name, match: match, cidr: cidr)))
      } else if masq {
        trace.append(
          .init(
            .rule, node: node, chain: chain,
            detail: .clusterMasquerade(port.name, match: match, cidr: nil)))
      }
      let endpoints = port.internalPolicyLocal ? d.localEndpoints : d.clusterEndpoints
      return balance(
        ctx, port: port, chain: chain, endpoints: endpoints, masquerade: masq,
        trace: &trace, using: &rng)
    }

    guard d.hasAnyEndpoints else {
      return reject(
        d,
        chain: nft
          ? (kind == .nodePort ? "no-endpoint-nodeports" : "no-endpoint-services")
          : "KUBE-EXTERNAL-SERVICES", match: match, node: node, nft: nft, trace: &trace)
    }
    let ext = namer.externalChain(port.name, mode: mode)
    let spn = port.name.description
    if kind == .loadBalancer && !port.loadBalancerSourceRanges.isEmpty {
      let fw = namer.firewallChain(port.name, mode: mode)
      trace.append(
        .init(
          .rule, node: node, chain: nft ? "firewall-ips" : servicesChain,
          detail: .serviceRule(port.name, kind: .loadBalancer, match: match, jump: fw)))
      guard let range = port.loadBalancerSourceRanges.first(where: { $0.contains(ctx.sourceIP) })
      else {
        let text =
          nft
          ? "ip saddr != { "
            + "\(port.loadBalancerSourceRanges.map(\.description).joined(separator: ", ")) } drop"
          : "\"other traffic to \(spn) will be dropped by KUBE-PROXY-FIREWALL\""
        trace.append(.init(.verdict, node: node, chain: fw, text))
        if !nft {
          trace.append(
            .init(
              .verdict, node: node, chain: "KUBE-PROXY-FIREWALL",
              "\"\(spn) traffic not accepted by \(fw)\" \(match.text) -j DROP"))
        }
        return .failed(
          ConnectFailure(
            .dropped,
            "\(ctx.sourceIP) is not in loadBalancerSourceRanges of \(spn)"))
      }
      trace.append(
        .init(
          .rule, node: node, chain: fw,
          "\"\(spn) loadbalancer IP\" "
            + "\(nft ? "ip saddr \(range)" : "-s \(range)") \(jump(ext, nft))"
        ))
    } else {
      trace.append(
        .init(
          .rule, node: node, chain: nft && kind == .nodePort ? "service-nodeports" : servicesChain,
          detail: .serviceRule(port.name, kind: kind, match: match, jump: ext)))
    }
    return externalChain(ctx, decision: d, chain: ext, match: match, trace: &trace, using: &rng)
  }

  /// The KUBE-EXT / external- chain: masquerade and cluster endpoints for Cluster policy; for
  /// Local policy, pod and node-local traffic short-circuit to the cluster chain, anything else
  /// uses local endpoints or is dropped.
  private func externalChain(
    _ ctx: PacketContext, decision d: ServicePortDecision, chain ext: String, match: PacketMatch,
    trace: inout [TraceStep], using rng: inout some RandomNumberGenerator
  ) -> ProxyVerdict {
    let port = d.servicePort
    let spn = port.name.description
    let node = ctx.entry.name
    let nft = ctx.config.mode == .nftables
    let svc = namer.clusterChain(port.name, mode: ctx.config.mode)
    let markMasq = nft ? "jump mark-for-masquerade" : "-j KUBE-MARK-MASQ"
    if !port.externalPolicyLocal {
      trace.append(
        .init(
          .rule, node: node, chain: ext,
          "\"masquerade traffic for \(spn) external destinations\" \(markMasq)"))
      trace.append(.init(.rule, node: node, chain: ext, jump(svc, nft)))
      return balance(
        ctx, port: port, chain: svc, endpoints: d.clusterEndpoints, masquerade: true,
        trace: &trace, using: &rng)
    }
    if let cidr = ctx.detectorCIDR, ctx.sourceIsPod == true {
      trace.append(
        .init(
          .rule, node: node, chain: ext,
          "\"pod traffic for \(spn) external destinations\" "
            + "\(nft ? "ip saddr \(cidr)" : "-s \(cidr)") \(jump(svc, nft))"
        ))
      return balance(
        ctx, port: port, chain: svc, endpoints: d.clusterEndpoints, masquerade: false,
        trace: &trace, using: &rng)
    }
    let localType = nft ? "fib saddr type local" : "-m addrtype --src-type LOCAL"
    if ctx.sourceIsLocal {
      trace.append(
        .init(
          .rule, node: node, chain: ext,
          "\"masquerade LOCAL traffic for \(spn) external destinations\" \(localType) \(markMasq)"))
      trace.append(
        .init(
          .rule, node: node, chain: ext,
          "\"route LOCAL traffic for \(spn) external destinations\" \(localType) \(jump(svc, nft))")
      )
      return balance(
        ctx, port: port, chain: svc, endpoints: d.clusterEndpoints, masquerade: true,
        trace: &trace, using: &rng)
    }
    guard !d.localEndpoints.isEmpty else {
      trace.append(
        .init(
          .verdict, node: node,
          chain: nft ? "\(ext) → nodeport-endpoints-check" : "KUBE-EXTERNAL-SERVICES",
          "\"\(spn) has no local endpoints\" \(match.text) \(nft ? "drop" : "-j DROP")"))
      return .failed(ConnectFailure(.dropped, "\(spn) has no local endpoints on \(node)"))
    }
    let svl = namer.localChain(port.name, mode: ctx.config.mode)
    trace.append(.init(.rule, node: node, chain: ext, jump(svl, nft)))
    return balance(
      ctx, port: port, chain: svl, endpoints: d.localEndpoints, masquerade: false,
      trace: &trace, using: &rng)
  }

  /// The service chain's pick: a live ClientIP-affinity record first, else the random rules
  /// (iptables: `statistic` probability 1/(n−i); nftables: `numgen random mod n`); then the
  /// endpoint chain's hairpin masquerade and DNAT.
  private func balance(
    _ ctx: PacketContext, port: ProxyServicePort, chain: String, endpoints: [ProxyEndpoint],
    masquerade: Bool, trace: inout [TraceStep], using rng: inout some RandomNumberGenerator
  ) -> ProxyVerdict {
    let node = ctx.entry.name
    let mode = ctx.config.mode
    let nft = mode == .nftables
    let sep = { (e: ProxyEndpoint) in self.namer.endpointChain(port.name, e, mode: mode) }
    var chosen: ProxyEndpoint?
    var chosenChain: String?
    if let timeout = port.stickyMaxAgeSeconds,
      let sticky = dataplane(node).stickyEndpoint(
        endpoints, port: port.key, client: ctx.sourceIP, timeout: timeout, now: ctx.now)
    {
      chosen = sticky
      let spn = port.name.description
      trace.append(
        .init(
          .rule, node: node, chain: chain,
          nft
            ? "ip saddr @affinity-\(sep(sticky).dropFirst("endpoint-".count)) goto \(sep(sticky))"
            : "\"\(spn) -> \(sticky)\" -m recent --name \(sep(sticky)) --rcheck "
              + "--seconds \(timeout) --reap -j \(sep(sticky))"
        ))
    }
    if chosen == nil {
      let index =
        ctx.forcedPick
        ?? (nft ? numgen(endpoints.count, using: &rng) : statistic(endpoints.count, using: &rng))
      let endpoint = endpoints[index]
      chosen = endpoint
      chosenChain = sep(endpoint)
      trace.append(
        .init(
          .rule, node: node, chain: chain,
          detail: .pick(
            port.name, ip: endpoint.ip, port: endpoint.port, count: endpoints.count, index: index,
            chain: chosenChain ?? "", mode: mode)))
    }
    guard let endpoint = chosen else { return .notService }
    let endpointChain = chosenChain ?? sep(endpoint)
    // Hairpin: a pod reaching itself through the Service must be masqueraded, or its reply
    // would skip the reverse NAT.
    let hairpin = endpoint.ip == ctx.sourceIP
    if hairpin {
      trace.append(
        .init(
          .rule, node: node, chain: endpointChain,
          nft
            ? "ip saddr \(endpoint.ip) jump mark-for-masquerade"
            : "\"\(port.name)\" -s \(endpoint.ip) -j KUBE-MARK-MASQ"))
    }
    if port.stickyMaxAgeSeconds != nil {
      dataplane(node).remember(endpoint, port: port.key, client: ctx.sourceIP, now: ctx.now)
    }
    trace.append(
      .init(
        .dnat, node: node, chain: endpointChain,
        detail: .dnat(port.name, ip: endpoint.ip, port: endpoint.port, mode: mode)))
    return .forward(
      ForwardDecision(
        servicePort: port, endpoint: endpoint, masquerade: masquerade || hairpin,
        virtualServer: nil))
  }

  /// REJECT when no endpoint exists anywhere, DROP when the policy is Local and none is here.
  private func reject(
    _ d: ServicePortDecision, chain: String, match: PacketMatch, node: String, nft: Bool,
    trace: inout [TraceStep]
  ) -> ProxyVerdict {
    let spn = d.servicePort.name.description
    if d.hasAnyEndpoints {
      trace.append(
        .init(
          .verdict, node: node, chain: chain,
          "\"\(spn) has no local endpoints\" \(match.text) \(nft ? "drop" : "-j DROP")"))
      return .failed(ConnectFailure(.dropped, "\(spn) has no local endpoints on \(node)"))
    }
    trace.append(
      .init(
        .verdict, node: node, chain: chain,
        "\"\(spn) has no endpoints\" \(match.text) \(nft ? "goto reject-chain" : "-j REJECT")"))
    return .failed(ConnectFailure(.refused, "\(spn) has no endpoints"))
  }

  private func jump(_ chain: String, _ nft: Bool) -> String {
    nft ? "goto \(chain)" : "-j \(chain)"
  }

  /// xt_statistic: rule i of n matches when a random 31-bit number is below the stored
  /// probability `lround(1/(n−i) × 2^31)`; the last rule always matches.
  func statistic(_ count: Int, using rng: inout some RandomNumberGenerator) -> Int {
    for index in 0..<(count - 1) {
      let threshold = UInt32((2_147_483_648.0 / Double(count - index)).rounded())
      let draw = UInt32(truncatingIfNeeded: rng.next()) & 0x7FFF_FFFF
      if draw < threshold { return index }
    }
    return count - 1
  }

  /// nft `numgen random mod n`: the kernel scales a random 32-bit number to [0, n).
  func numgen(_ count: Int, using rng: inout some RandomNumberGenerator) -> Int {
    let draw = UInt64(UInt32(truncatingIfNeeded: rng.next()))
    return Int((draw * UInt64(count)) >> 32)
  }

  /// The node's kernel state, created on first use.
  func dataplane(_ node: String) -> NodeDataplane {
    if let plane = dataplanes[node] { return plane }
    let plane = NodeDataplane()
    dataplanes[node] = plane
    return plane
  }
}
