import NetAddr

/// One service port in nftables: map elements that dispatch its addresses and affinity sets
/// (in the listing's objects), then its endpoint-/service-/local-/external-/firewall- chains.
extension NFTablesWriter {
  /// Verdict-map elements: service-ips / service-nodeports / firewall-ips go to the
  /// service's chains; no-endpoint maps go to reject-chain (none anywhere) or drop (Local
  /// policy, none here), commented with the service port. (The same decisions as the iptables
  /// backend, except that the firewall does not depend on having endpoints.)
  mutating func writeElements(_ servicePort: NFTablesServicePort) {
    let (plan, chains, usesFirewall) =
      (servicePort.plan, servicePort.chains, servicePort.usesFirewall)
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

  /// Writes every service port's chains, each after a blank line, in the order kube-proxy
  /// creates them: one per reachable endpoint, then service-, local-, external- and
  /// firewall-, each with its rules.
  mutating func writeServiceChains(_ ports: [NFTablesServicePort], into text: inout TextBuffer) {
    for i in ports.indices {
      writeServiceChains(ports[i], into: &text)
    }
    names?.nftables.finishRender()
  }

  private mutating func writeServiceChains(
    _ servicePort: NFTablesServicePort, into text: inout TextBuffer
  ) {
    let (plan, chains) = (servicePort.plan, servicePort.chains)
    let decision = plan.decision
    endpointNames.reset(for: decision, cache: names?.nftables)
    for (i, endpoint) in endpointNames.endpoints.enumerated() {
      // An endpoint listed twice has one chain, holding both copies' rules.
      guard let copies = endpointNames.copies(ofFirst: i) else { continue }
      text.newline()
      text.append("\tchain endpoint-")
      endpointNames.appendBase(i, to: &text)
      text.append(" {\n")
      for _ in 0..<copies { writeEndpointRules(plan, endpoint, i, into: &text) }
      text.append("\t}\n")
    }
    let masquerade = internalMasquerade(plan)
    let internalChain = plan.internalTrafficChainNFT(chains)
    let policyChains = [
      (plan.usesClusterPolicyChain, chains.cluster, decision.clusterEndpoints),
      (plan.usesLocalPolicyChain, chains.local, decision.localEndpoints),
    ]
    for (uses, chain, endpoints) in policyChains where uses {
      text.newline()
      text.startChain(chain)
      if internalChain == chain, let masquerade { text.rule(masquerade) }
      writeEndpointPicks(plan, endpoints, into: &text)
      text.append("\t}\n")
    }
    if plan.usesExternalTrafficChain {
      text.newline()
      text.startChain(chains.external)
      writeExternalRules(plan, chains, into: &text)
      text.append("\t}\n")
    }
    if servicePort.usesFirewall {
      text.newline()
      text.startChain(chains.firewall)
      writeFirewallRule(plan, into: &text)
      text.append("\t}\n")
    }
    // The masquerade rule's chain was not created above: adding the rule creates it.
    let created =
      internalChain == chains.cluster ? plan.usesClusterPolicyChain : plan.usesLocalPolicyChain
    if let masquerade, !created {
      text.newline()
      text.startChain(internalChain)
      text.rule(masquerade)
      text.append("\t}\n")
    }
  }

  /// The internal chain's first rule: ClusterIP traffic from outside the pod network is marked
  /// for masquerade. The rule matches only the addresses (kubernetes/kubernetes#131492,
  /// kube-proxy 1.34+): a packet reaches the service chain through `service-ips` (port and
  /// protocol already matched) or through the external chain (never addressed to the
  /// ClusterIP).
  func internalMasquerade(_ plan: IPTablesServicePlan) -> String? {
    let port = plan.decision.servicePort
    guard plan.hasInternalEndpoints, let clusterIP = port.clusterIP else { return nil }
    let match = "\(ipX) daddr \(clusterIP)"
    if config.masqueradeAll {
      return "\(match) jump \(NFTablesName.markForMasquerade)"
    } else if let cidr = detector.cidr {
      return "\(match) \(ipX) saddr != \(cidr) jump \(NFTablesName.markForMasquerade)"
    }
    return nil
  }

  /// external-…: masquerade then the service chain (Cluster policy); or short-circuit pod and
  /// node traffic to the service chain and send the rest to the local chain (Local policy).
  func writeExternalRules(
    _ plan: IPTablesServicePlan, _ chains: PortChainNames, into text: inout TextBuffer
  ) {
    let masq = NFTablesName.markForMasquerade
    if !plan.decision.servicePort.externalPolicyLocal {
      text.rule("jump \(masq)")
    } else {
      if let cidr = detector.cidr {
        text.rule(
          "\(ipX) saddr \(cidr) goto \(chains.cluster) comment \"short-circuit pod traffic\"")
      }
      text.rule("fib saddr type local jump \(masq) comment \"masquerade local traffic\"")
      text.rule(
        "fib saddr type local goto \(chains.cluster) comment \"short-circuit local traffic\"")
    }
    if plan.hasExternalEndpoints {
      let policy = plan.decision.servicePort.externalPolicyLocal ? chains.local : chains.cluster
      text.rule("goto \(policy)")
    }
  }

  /// firewall-…: drop sources outside the ranges (plus the LB IPs when a range holds the
  /// node IP, for node traffic that loops back with the VIP as source).
  func writeFirewallRule(_ plan: IPTablesServicePlan, into text: inout TextBuffer) {
    let port = plan.decision.servicePort
    var sources = port.loadBalancerSourceRanges
    if let nodeIP, port.loadBalancerSourceRanges.contains(where: { $0.contains(nodeIP) }) {
      sources += port.loadBalancerVIPs.map { CIDR(network: $0, prefixLength: $0.family.bitWidth) }
    }
    text.rule("\(ipX) saddr != \(nftAnonymousSet(sources)) drop")
  }

  /// Affinity lookups first, then one `numgen random mod N vmap` over the endpoints.
  mutating func writeEndpointPicks(
    _ plan: IPTablesServicePlan, _ endpoints: [ProxyEndpoint], into text: inout TextBuffer
  ) {
    // Addresses only: copying whole endpoints (strings, sets) would cost more than the rules.
    let endpoints = endpoints.map(EndpointAddress.init)
    if plan.decision.servicePort.stickyMaxAgeSeconds != nil {
      for (i, endpoint) in endpoints.enumerated() {
        let base = endpointNames.base(endpoint, at: i)
        text.append("\t\t")
        text.append(ipX)
        text.append(" saddr @affinity-")
        text.append(endpointNames.scratch, from: base.lowerBound, to: base.upperBound)
        text.append(" goto endpoint-")
        text.append(endpointNames.scratch, from: base.lowerBound, to: base.upperBound)
        text.newline()
      }
    }
    text.append("\t\tnumgen random mod ")
    text.append(endpoints.count)
    text.append(" vmap { ")
    for (i, endpoint) in endpoints.enumerated() {
      if i > 0 { text.append(", ") }
      text.append(i)
      text.append(" : goto endpoint-")
      let base = endpointNames.base(endpoint, at: i)
      text.append(endpointNames.scratch, from: base.lowerBound, to: base.upperBound)
    }
    text.append(" }\n")
  }

  /// endpoint-…: hairpin masquerade, affinity update, DNAT.
  func writeEndpointRules(
    _ plan: IPTablesServicePlan, _ endpoint: EndpointAddress, _ i: Int,
    into text: inout TextBuffer
  ) {
    text.append("\t\t")
    text.append(ipX)
    text.append(" saddr ")
    text.append(endpoint.ip)
    text.append(" jump ")
    text.append(NFTablesName.markForMasquerade)
    text.newline()
    if plan.decision.servicePort.stickyMaxAgeSeconds != nil {
      text.append("\t\tupdate @affinity-")
      endpointNames.appendBase(i, to: &text)
      text.append(" { ")
      text.append(ipX)
      text.append(" saddr }\n")
    }
    text.append("\t\tmeta l4proto ")
    text.append(plan.proto)
    text.append(" dnat to ")
    text.append(endpoint.ip, port: endpoint.port)
    text.newline()
  }
}

extension IPTablesServicePlan {
  /// The nft chain ClusterIP traffic goes to (service-…, or local-… under iTP=Local).
  func internalTrafficChainNFT(_ chains: PortChainNames) -> String {
    decision.servicePort.internalPolicyLocal ? chains.local : chains.cluster
  }
}

/// The name bases (`HASH-ns/svc/proto/port__ip/port`) of one service port's reachable
/// endpoints, each hashed once: a service port's chains name an endpoint's chain and affinity
/// set up to four times.
struct NFTablesEndpointNames {
  /// The bases one after another; `ends[i]` is where endpoint i's ends.
  private(set) var scratch = TextBuffer()
  private var ends: [Int] = []
  /// The reachable endpoints' addresses.
  private(set) var endpoints: [EndpointAddress] = []
  private var input = TextBuffer()
  private var prefixLength = 0
  /// Per endpoint: how many copies of it the list holds at its first appearance, 0 at a later
  /// one; nil when every endpoint appears once.
  private var copyCounts: [Int]? = nil

  /// The endpoints' hashes kept in a `ChainNameCache` (empty without one).
  private var hashes: [ChainHash.HashText] = []

  /// Names the reachable endpoints of `decision`'s port, with the hashes `cache` keeps.
  mutating func reset(
    for decision: ServicePortDecision, cache: PortNameTable<PortChainNames>?
  ) {
    let name = decision.servicePort.name
    endpoints = decision.allReachableEndpoints.map(EndpointAddress.init)
    scratch.removeAll()
    ends.removeAll(keepingCapacity: true)
    input.removeAll()
    NFTablesName.appendServicePortName(name, to: &input)
    prefixLength = input.count
    hashes.removeAll(keepingCapacity: true)
    if let cache {
      // Moved out of `self` for the closure (a copy would make each append copy the text).
      var (found, input, prefixLength) = ([ChainHash.HashText](), TextBuffer(), self.prefixLength)
      swap(&found, &hashes)
      swap(&input, &self.input)
      _ = cache.lookUp(
        name, endpoints, into: &found, names: { .nftables(name) },
        hash: { endpoint in
          input.removeSuffix(from: prefixLength)
          NFTablesName.appendEndpointName(endpoint, to: &input)
          return NFTablesName.nameHash(input)
        })
      swap(&found, &hashes)
      swap(&input, &self.input)
    }
    for (i, endpoint) in endpoints.enumerated() {
      appendFresh(endpoint, hash: i < hashes.count ? hashes[i] : nil)
      ends.append(scratch.count)
    }
    copyCounts = Self.copyCounts(endpoints)
  }

  /// See `copyCounts`. The engine's endpoints are unique (`resolvingDuplicates`); only
  /// hand-made decisions repeat one.
  private static func copyCounts(_ keys: [EndpointAddress]) -> [Int]? {
    if keys.count <= 32 {
      // Few endpoints: comparing every pair is cheaper than hashing them.
      let repeated = keys.indices.contains { i in keys[..<i].contains(keys[i]) }
      guard repeated else { return nil }
    }
    var first: [EndpointAddress: Int] = [:]
    var counts = [Int](repeating: 0, count: keys.count)
    for (i, key) in keys.enumerated() {
      if let f = first[key] {
        counts[f] += 1
      } else {
        first[key] = i
        counts[i] = 1
      }
    }
    return counts.contains(0) ? counts : nil
  }

  /// The byte range in `scratch` of `endpoint`'s base, found at index `i` of the reachable
  /// endpoints when it is there, else written after the others.
  mutating func base(_ endpoint: EndpointAddress, at i: Int) -> Range<Int> {
    if i < endpoints.count && endpoints[i] == endpoint {
      return (i == 0 ? 0 : ends[i - 1])..<ends[i]
    }
    let start = scratch.count
    appendFresh(endpoint)
    return start..<scratch.count
  }

  /// Appends reachable endpoint i's base.
  func appendBase(_ i: Int, to text: inout TextBuffer) {
    text.append(scratch, from: i == 0 ? 0 : ends[i - 1], to: ends[i])
  }

  /// How many times reachable endpoint i's chain appears in the list if i is its first
  /// appearance; nil for a later copy.
  func copies(ofFirst i: Int) -> Int? {
    guard let copyCounts else { return 1 }
    return copyCounts[i] == 0 ? nil : copyCounts[i]
  }

  /// Appends `endpoint`'s base to `scratch`, with its name's `hash` when known.
  private mutating func appendFresh(
    _ endpoint: EndpointAddress, hash: ChainHash.HashText? = nil
  ) {
    input.removeSuffix(from: prefixLength)
    NFTablesName.appendEndpointName(endpoint, to: &input)
    NFTablesName.appendHashAndTruncate(input, hash: hash, to: &scratch)
  }
}
