import Foundation

/// The nat chains of one service port: KUBE-SVC/SVL (endpoint choice), KUBE-EXT (external
/// traffic), KUBE-FW (source ranges) and one KUBE-SEP per endpoint (DNAT).
extension IPTablesRestoreWriter {
  /// Writes the service's own chains into the nat sections.
  mutating func writeServiceChains(_ plan: IPTablesServicePlan) {
    let decision = plan.decision
    writeInternalMasquerade(plan)
    writeExternalChain(plan)
    writeFirewallChain(plan)
    if plan.usesClusterPolicyChain {
      declare(plan.clusterPolicyChain)
      writeEndpointPicks(plan, chain: plan.clusterPolicyChain, decision.clusterEndpoints)
    }
    if plan.usesLocalPolicyChain {
      declare(plan.localPolicyChain)
      writeEndpointPicks(plan, chain: plan.localPolicyChain, decision.localEndpoints)
    }
    for (i, endpoint) in endpointHashes.endpoints.enumerated() {
      writeEndpointChain(plan, endpoint, endpointHashes.hash(endpoint, at: i))
    }
  }

  /// Declares a per-service chain and remembers it as in use.
  mutating func declare(_ chain: String) {
    natChains.declareChain(chain)
    if options.existingNATChains != nil { activeNATChains.insert(chain) }
  }

  /// Declares an endpoint chain and remembers it as in use.
  mutating func declareEndpointChain(_ hash: ChainHash.HashText) {
    natChains.append(":")
    Self.appendEndpointChain(hash, to: &natChains)
    natChains.append(" - [0:0]\n")
    if options.existingNATChains != nil {
      activeNATChains.insert(IPTablesChain.serviceEndpointPrefix + hash.string)
    }
  }

  /// Appends `KUBE-SEP-<hash>`.
  static func appendEndpointChain(_ hash: ChainHash.HashText, to text: inout TextBuffer) {
    text.append("KUBE-SEP-")
    text.append(hash)
  }

  /// First rule of the internal chain: traffic to the ClusterIP from outside the pod network
  /// may bounce to another node, so it is marked for masquerade (all of it with
  /// `--masquerade-all`; none without a local-traffic detector).
  mutating func writeInternalMasquerade(_ plan: IPTablesServicePlan) {
    let port = plan.decision.servicePort
    guard plan.hasInternalEndpoints, let clusterIP = port.clusterIP else { return }
    guard config.masqueradeAll || detector.isImplemented else { return }
    natRules.startRule(plan.internalTrafficChain)
    natRules.quotedComment("", plan.spn, " cluster IP")
    plan.appendDestinationMatch(clusterIP, port: port.port, to: &natRules)
    if !config.masqueradeAll {
      for word in detector.ifNotLocal {
        natRules.append(byte: UInt8(ascii: " "))
        natRules.append(word)
      }
    }
    natRules.jump(IPTablesChain.markMasqLiteral)
  }

  /// KUBE-EXT: with Cluster policy, masquerade (the endpoint may be on another node) then
  /// KUBE-SVC; with Local policy keep the client IP, but send pod and node traffic to all
  /// endpoints (as if it had gone out to the load balancer and back), then KUBE-SVL.
  mutating func writeExternalChain(_ plan: IPTablesServicePlan) {
    guard plan.usesExternalTrafficChain else { return }
    let ext = plan.externalChain
    declare(ext)
    let spn = plan.spn
    if !plan.decision.servicePort.externalPolicyLocal {
      natRules.startRule(ext)
      natRules.quotedComment("masquerade traffic for ", spn, " external destinations")
      natRules.jump(IPTablesChain.markMasqLiteral)
    } else {
      if detector.isImplemented {
        natRules.startRule(ext)
        natRules.quotedComment("pod traffic for ", spn, " external destinations")
        for word in detector.ifLocal {
          natRules.append(byte: UInt8(ascii: " "))
          natRules.append(word)
        }
        natRules.jump(plan.clusterPolicyChain)
      }
      natRules.startRule(ext)
      natRules.quotedComment("masquerade LOCAL traffic for ", spn, " external destinations")
      natRules.append(" -m addrtype --src-type LOCAL")
      natRules.jump(IPTablesChain.markMasqLiteral)
      natRules.startRule(ext)
      natRules.quotedComment("route LOCAL traffic for ", spn, " external destinations")
      natRules.append(" -m addrtype --src-type LOCAL")
      natRules.jump(plan.clusterPolicyChain)
    }
    if plan.hasExternalEndpoints {
      natRules.startRule(ext)
      natRules.jump(plan.externalPolicyChain)
    }
  }

  /// KUBE-FW: accept each source range (and the LB IPs themselves when a range holds the node
  /// IP, since node traffic to its own VIP loops back with the VIP as source); anything left
  /// is dropped by KUBE-PROXY-FIREWALL.
  mutating func writeFirewallChain(_ plan: IPTablesServicePlan) {
    guard plan.usesFirewallChain else { return }
    let port = plan.decision.servicePort
    let fw = plan.firewallChain
    declare(fw)
    var allowFromNode = false
    for cidr in port.loadBalancerSourceRanges {
      natRules.startRule(fw)
      natRules.quotedComment("", plan.spn, " loadbalancer IP")
      natRules.append(" -s ")
      natRules.append(cidr)
      natRules.jump(plan.externalChain)
      if let nodeIP, cidr.contains(nodeIP) { allowFromNode = true }
    }
    if allowFromNode {
      for ip in port.loadBalancerVIPs {
        natRules.startRule(fw)
        natRules.quotedComment("", plan.spn, " loadbalancer IP")
        natRules.append(" -s ")
        natRules.append(ip)
        natRules.jump(plan.externalChain)
      }
    }
    natRules.startRule(fw)
    natRules.quotedComment("other traffic to ", plan.spn, " will be dropped by KUBE-PROXY-FIREWALL")
    natRules.newline()
  }

  /// KUBE-SVC/SVL body: ClientIP affinity checks first (a client seen recently goes back to
  /// its endpoint), then rule i of n taken with probability 1/(n−i), the last one always.
  mutating func writeEndpointPicks(
    _ plan: IPTablesServicePlan, chain: String, _ endpoints: [ProxyEndpoint]
  ) {
    // Addresses only: copying whole endpoints (strings, sets) would cost more than the rules.
    let endpoints = endpoints.map(EndpointAddress.init)
    if let seconds = plan.decision.servicePort.stickyMaxAgeSeconds {
      for (i, endpoint) in endpoints.enumerated() {
        let sep = endpointHashes.hash(endpoint, at: i)
        natRules.startRule(chain)
        writeEndpointComment(plan, endpoint)
        natRules.append(" -m recent --name ")
        Self.appendEndpointChain(sep, to: &natRules)
        natRules.append(" --rcheck --seconds ")
        natRules.append(seconds)
        natRules.append(" --reap -j ")
        Self.appendEndpointChain(sep, to: &natRules)
        natRules.newline()
      }
    }
    for (i, endpoint) in endpoints.enumerated() {
      natRules.startRule(chain)
      writeEndpointComment(plan, endpoint)
      if i < endpoints.count - 1 {
        natRules.append(" -m statistic --mode random --probability ")
        natRules.append(probabilityText(endpoints.count - i))
      }
      natRules.append(" -j ")
      Self.appendEndpointChain(endpointHashes.hash(endpoint, at: i), to: &natRules)
      natRules.newline()
    }
  }

  /// ` -m comment --comment "<spn> -> <ip:port>"`, omitted in large-cluster mode.
  mutating func writeEndpointComment(_ plan: IPTablesServicePlan, _ endpoint: EndpointAddress) {
    guard !largeClusterMode else { return }
    natRules.append(" -m comment --comment \"")
    natRules.append(plan.spn)
    natRules.append(" -> ")
    natRules.append(endpoint.ip, port: endpoint.port)
    natRules.append(byte: UInt8(ascii: "\""))
  }

  /// KUBE-SEP: masquerade hairpin traffic (a pod reaching itself through the service), record
  /// the client for affinity, DNAT to the endpoint.
  mutating func writeEndpointChain(
    _ plan: IPTablesServicePlan, _ endpoint: EndpointAddress, _ sep: ChainHash.HashText
  ) {
    declareEndpointChain(sep)
    natRules.append("-A ")
    Self.appendEndpointChain(sep, to: &natRules)
    if !largeClusterMode { natRules.comment(plan.spn) }
    natRules.append(" -s ")
    natRules.append(endpoint.ip)
    natRules.jump(IPTablesChain.markMasqLiteral)
    natRules.append("-A ")
    Self.appendEndpointChain(sep, to: &natRules)
    if !largeClusterMode { natRules.comment(plan.spn) }
    if plan.decision.servicePort.stickyMaxAgeSeconds != nil {
      natRules.append(" -m recent --name ")
      Self.appendEndpointChain(sep, to: &natRules)
      natRules.append(" --set")
    }
    plan.appendProtocolMatch(to: &natRules)
    natRules.append(" -j DNAT --to-destination ")
    natRules.append(endpoint.ip, port: endpoint.port)
    natRules.newline()
  }

  /// `probability(n)`, formatted once per render for each `n`.
  mutating func probabilityText(_ n: Int) -> String {
    if n >= probabilities.count {
      probabilities += (probabilities.count...n).map { $0 == 0 ? "" : probability($0) }
    }
    return probabilities[n]
  }
}

/// kube-proxy's `computeProbability`: 1/n printed with `%0.10f`.
func probability(_ n: Int) -> String {
  String(format: "%0.10f", 1.0 / Double(n))
}

/// The KUBE-SEP hashes of one service port's reachable endpoints, each computed once (or
/// kept from an earlier render in a `ChainNameCache`): a service port's chain rules name an
/// endpoint's chain up to four times.
struct EndpointHashes {
  /// The reachable endpoints' addresses.
  private(set) var endpoints: [EndpointAddress] = []
  private var hashes: [ChainHash.HashText] = []
  /// The hash input: the service port's part, then one endpoint's `ip:port`.
  private var input = TextBuffer()
  private var prefixLength = 0

  /// Hashes the reachable endpoints of `decision`'s port and returns the port's chain names,
  /// from `cache` when it has them.
  mutating func reset(
    for decision: ServicePortDecision, cache: PortNameTable<PortChainNames>?
  ) -> PortChainNames {
    let name = decision.servicePort.name
    endpoints = decision.allReachableEndpoints.map(EndpointAddress.init)
    input.removeAll()
    IPTablesChain.appendServiceEndpointHashPrefix(name, to: &input)
    prefixLength = input.count
    hashes.removeAll(keepingCapacity: true)
    guard let cache else {
      for endpoint in endpoints { hashes.append(fresh(endpoint)) }
      return .iptables(name)
    }
    // Moved out of `self` for the closure (a copy would make each append copy the text).
    var (found, input, prefixLength) = ([ChainHash.HashText](), TextBuffer(), self.prefixLength)
    swap(&found, &hashes)
    swap(&input, &self.input)
    defer {
      swap(&found, &hashes)
      swap(&input, &self.input)
    }
    return cache.lookUp(
      name, endpoints, into: &found, names: { .iptables(name) },
      hash: { Self.hash($0, input: &input, prefixLength: prefixLength) })
  }

  /// The hash of `endpoint`, found at index `i` of the reachable endpoints when it is there
  /// (the cluster-policy list usually is that list), else computed.
  mutating func hash(_ endpoint: EndpointAddress, at i: Int) -> ChainHash.HashText {
    if i < endpoints.count && endpoints[i] == endpoint {
      return hashes[i]
    }
    return fresh(endpoint)
  }

  private mutating func fresh(_ endpoint: EndpointAddress) -> ChainHash.HashText {
    Self.hash(endpoint, input: &input, prefixLength: prefixLength)
  }

  /// The hash of `endpoint`'s chain, its `ip:port` written after the port's part of `input`.
  private static func hash(
    _ endpoint: EndpointAddress, input: inout TextBuffer, prefixLength: Int
  ) -> ChainHash.HashText {
    input.removeSuffix(from: prefixLength)
    input.append(endpoint.ip, port: endpoint.port)
    return IPTablesChain.serviceEndpointHash(input)
  }
}
