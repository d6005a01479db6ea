import NetAddr

/// One service port in nftables: map elements that dispatch its addresses, then its
/// service-/local-/external-/firewall-/endpoint- chains and affinity sets.
extension NFTablesWriter {
  /// Writes elements and chains for `plan` (the same decisions as the iptables backend,
  /// except that the firewall chain does not depend on having endpoints).
  mutating func writeServicePort(_ plan: IPTablesServicePlan) {
    let port = plan.decision.servicePort
    let name = port.name
    let chains = NFTablesServiceChains(name)
    for endpoint in plan.decision.allReachableEndpoints {
      listing.ensureChain(NFTablesName.endpoint(name, endpoint))
    }
    if plan.usesClusterPolicyChain { listing.ensureChain(chains.cluster) }
    if plan.usesLocalPolicyChain { listing.ensureChain(chains.local) }
    if plan.usesExternalTrafficChain { listing.ensureChain(chains.external) }
    let usesFirewall = !port.loadBalancerVIPs.isEmpty && !port.loadBalancerSourceRanges.isEmpty
    if usesFirewall { listing.ensureChain(chains.firewall) }
    writeElements(plan, chains, usesFirewall: usesFirewall)
    writeInternalMasquerade(plan, chains)
    writeExternalChain(plan, chains)
    if usesFirewall { writeFirewallChain(plan, chains) }
    writeAffinitySets(plan)
    if plan.usesClusterPolicyChain {
      writeEndpointPicks(plan, chains.cluster, plan.decision.clusterEndpoints)
    }
    if plan.usesLocalPolicyChain {
      writeEndpointPicks(plan, chains.local, plan.decision.localEndpoints)
    }
    for endpoint in plan.decision.allReachableEndpoints { writeEndpointChain(plan, endpoint) }
  }

  /// Verdict-map elements: service-ips / service-nodeports / firewall-ips go to the
  /// service's chains; no-endpoint maps go to reject-chain (none anywhere) or drop (Local
  /// policy, none here), commented with the service port.
  mutating func writeElements(
    _ plan: IPTablesServicePlan, _ chains: NFTablesServiceChains, usesFirewall: Bool
  ) {
    let port = plan.decision.servicePort
    let (p, number) = (plan.proto, port.port)
    let internalVerdict = plan.internalTrafficChainNFT(chains)
    let reject = "goto \(NFTablesName.rejectChain)"
    let internalFilter = plan.hasEndpoints ? "drop" : reject
    let externalFilter = plan.hasEndpoints ? "drop" : reject
    let comment = "comment \"\(plan.spn)\""
    if let clusterIP = port.clusterIP {
      listing.addElement(NFTablesName.clusterIPsSet, clusterIP.description)
      let key = "\(clusterIP) . \(p) . \(number)"
      if plan.hasInternalEndpoints {
        listing.addElement(NFTablesName.serviceIPsMap, "\(key) : goto \(internalVerdict)")
      } else {
        listing.addElement(
          NFTablesName.noEndpointServicesMap, "\(key) \(comment) : \(internalFilter)")
      }
    }
    for ip in port.externalIPs {
      let key = "\(ip) . \(p) . \(number)"
      if plan.hasEndpoints {
        listing.addElement(NFTablesName.serviceIPsMap, "\(key) : goto \(chains.external)")
      }
      if !plan.hasExternalEndpoints {
        listing.addElement(
          NFTablesName.noEndpointServicesMap, "\(key) \(comment) : \(externalFilter)")
      }
    }
    for ip in port.loadBalancerVIPs {
      let key = "\(ip) . \(p) . \(number)"
      if plan.hasEndpoints {
        listing.addElement(NFTablesName.serviceIPsMap, "\(key) : goto \(chains.external)")
      }
      if usesFirewall {
        listing.addElement(NFTablesName.firewallIPsMap, "\(key) : goto \(chains.firewall)")
      }
    }
    if !plan.hasExternalEndpoints {
      for ip in port.loadBalancerVIPs {
        listing.addElement(
          NFTablesName.noEndpointServicesMap,
          "\(ip) . \(p) . \(number) \(comment) : \(externalFilter)")
      }
    }
    guard port.nodePort != 0 else { return }
    let key = "\(p) . \(port.nodePort)"
    if plan.hasEndpoints {
      listing.addElement(NFTablesName.serviceNodePortsMap, "\(key) : goto \(chains.external)")
    }
    if !plan.hasExternalEndpoints {
      listing.addElement(
        NFTablesName.noEndpointNodePortsMap, "\(key) \(comment) : \(externalFilter)")
    }
  }

  /// ClusterIP traffic from outside the pod network is marked for masquerade. The rule matches
  /// only the addresses (kubernetes/kubernetes#131492, kube-proxy 1.34+): a packet reaches the
  /// service chain through `service-ips` (port and protocol already matched) or through the
  /// external chain (never addressed to the ClusterIP).
  mutating func writeInternalMasquerade(
    _ plan: IPTablesServicePlan, _ chains: NFTablesServiceChains
  ) {
    let port = plan.decision.servicePort
    guard plan.hasInternalEndpoints, let clusterIP = port.clusterIP else { return }
    let match = "\(ipX) daddr \(clusterIP)"
    let chain = plan.internalTrafficChainNFT(chains)
    if config.masqueradeAll {
      listing.add(chain, "\(match) jump \(NFTablesName.markForMasquerade)")
    } else if let cidr = detector.cidr {
      listing.add(chain, "\(match) \(ipX) saddr != \(cidr) jump \(NFTablesName.markForMasquerade)")
    }
  }

  /// external-…: masquerade then the service chain (Cluster policy); or short-circuit pod and
  /// node traffic to the service chain and send the rest to the local chain (Local policy).
  mutating func writeExternalChain(_ plan: IPTablesServicePlan, _ chains: NFTablesServiceChains) {
    guard plan.usesExternalTrafficChain else { return }
    let ext = chains.external
    let masq = NFTablesName.markForMasquerade
    if !plan.decision.servicePort.externalPolicyLocal {
      listing.add(ext, "jump \(masq)")
    } else {
      if let cidr = detector.cidr {
        listing.add(
          ext, "\(ipX) saddr \(cidr) goto \(chains.cluster) comment \"short-circuit pod traffic\"")
      }
      listing.add(ext, "fib saddr type local jump \(masq) comment \"masquerade local traffic\"")
      listing.add(
        ext, "fib saddr type local goto \(chains.cluster) comment \"short-circuit local traffic\"")
    }
    if plan.hasExternalEndpoints {
      let policy = plan.decision.servicePort.externalPolicyLocal ? chains.local : chains.cluster
      listing.add(ext, "goto \(policy)")
    }
  }

  /// firewall-…: drop sources outside the ranges (plus the LB IPs when a range holds the
  /// node IP, for node traffic that loops back with the VIP as source).
  mutating func writeFirewallChain(_ plan: IPTablesServicePlan, _ chains: NFTablesServiceChains) {
    let port = plan.decision.servicePort
    var sources = port.loadBalancerSourceRanges
    if let nodeIP, port.loadBalancerSourceRanges.contains(where: { $0.contains(nodeIP) }) {
      sources += port.loadBalancerVIPs.map { CIDR(network: $0, prefixLength: $0.family.bitWidth) }
    }
    listing.add(chains.firewall, "\(ipX) saddr != \(nftAnonymousSet(sources)) drop")
  }

  /// One dynamic set per endpoint remembering recent clients (ClientIP affinity).
  mutating func writeAffinitySets(_ plan: IPTablesServicePlan) {
    let port = plan.decision.servicePort
    guard let timeout = port.stickyMaxAgeSeconds else { return }
    for endpoint in plan.decision.allReachableEndpoints {
      listing.sets.append(
        NFTablesListing.SetObject(
          kind: "set", name: NFTablesName.affinitySet(port.name, endpoint), type: addrType,
          flags: ["dynamic", "timeout"], timeoutSeconds: timeout))
    }
  }

  /// Affinity lookups first, then one `numgen random mod N vmap` over the endpoints.
  mutating func writeEndpointPicks(
    _ plan: IPTablesServicePlan, _ chain: String, _ endpoints: [ProxyEndpoint]
  ) {
    let name = plan.decision.servicePort.name
    if plan.decision.servicePort.stickyMaxAgeSeconds != nil {
      for endpoint in endpoints {
        listing.add(
          chain,
          "\(ipX) saddr @\(NFTablesName.affinitySet(name, endpoint)) "
            + "goto \(NFTablesName.endpoint(name, endpoint))"
        )
      }
    }
    let targets = endpoints.enumerated().map {
      "\($0.offset) : goto \(NFTablesName.endpoint(name, $0.element))"
    }
    listing.add(
      chain, "numgen random mod \(endpoints.count) vmap { \(targets.joined(separator: ", ")) }")
  }

  /// endpoint-…: hairpin masquerade, affinity update, DNAT.
  mutating func writeEndpointChain(_ plan: IPTablesServicePlan, _ endpoint: ProxyEndpoint) {
    let name = plan.decision.servicePort.name
    let chain = NFTablesName.endpoint(name, endpoint)
    listing.add(chain, "\(ipX) saddr \(endpoint.ip) jump \(NFTablesName.markForMasquerade)")
    if plan.decision.servicePort.stickyMaxAgeSeconds != nil {
      listing.add(chain, "update @\(NFTablesName.affinitySet(name, endpoint)) { \(ipX) saddr }")
    }
    listing.add(chain, "meta l4proto \(plan.proto) dnat to \(endpoint)")
  }
}

/// The nft chain names of one service port.
struct NFTablesServiceChains {
  let cluster: String
  let local: String
  let external: String
  let firewall: String

  init(_ name: ServicePortName) {
    cluster = NFTablesName.serviceCluster(name)
    local = NFTablesName.serviceLocal(name)
    external = NFTablesName.serviceExternal(name)
    firewall = NFTablesName.serviceFirewall(name)
  }
}

extension IPTablesServicePlan {
  /// The nft chain ClusterIP traffic goes to (service-…, or local-… under iTP=Local).
  func internalTrafficChainNFT(_ chains: NFTablesServiceChains) -> String {
    decision.servicePort.internalPolicyLocal ? chains.local : chains.cluster
  }
}
