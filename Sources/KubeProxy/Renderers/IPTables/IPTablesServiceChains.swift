import Foundation

/// The nat chains of one service port: KUBE-SVC/SVL (endpoint choice), KUBE-EXT (external
/// traffic), KUBE-FW (source ranges) and one KUBE-SEP per endpoint (DNAT).
extension IPTablesRestoreWriter {
  /// Writes the service's own chains into `chains`/`rules` (kept or discarded by the caller).
  mutating func writeServiceChains(
    _ plan: IPTablesServicePlan, chains: inout IPTablesLineBuffer, rules: inout IPTablesLineBuffer
  ) {
    writeInternalMasquerade(plan, rules: &rules)
    writeExternalChain(plan, chains: &chains, rules: &rules)
    writeFirewallChain(plan, chains: &chains, rules: &rules)
    let decision = plan.decision
    if plan.usesClusterPolicyChain {
      declare(plan.clusterPolicyChain, in: &chains)
      writeEndpointPicks(plan, chain: plan.clusterPolicyChain, decision.clusterEndpoints, &rules)
    }
    if plan.usesLocalPolicyChain {
      declare(plan.localPolicyChain, in: &chains)
      writeEndpointPicks(plan, chain: plan.localPolicyChain, decision.localEndpoints, &rules)
    }
    for endpoint in decision.allReachableEndpoints {
      writeEndpointChain(plan, endpoint, chains: &chains, rules: &rules)
    }
  }

  /// Declares a per-service chain and remembers it as in use.
  mutating func declare(_ chain: String, in chains: inout IPTablesLineBuffer) {
    chains.declare(chain)
    activeNATChains.insert(chain)
  }

  /// First rule of the internal chain: traffic to the ClusterIP from outside the pod network
  /// may bounce to another node, so it is marked for masquerade (all of it with
  /// `--masquerade-all`; none without a local-traffic detector).
  func writeInternalMasquerade(_ plan: IPTablesServicePlan, rules: inout IPTablesLineBuffer) {
    let port = plan.decision.servicePort
    guard plan.hasInternalEndpoints, let clusterIP = port.clusterIP?.description else { return }
    let head =
      [
        "-A", plan.internalTrafficChain, "-m", "comment", "--comment",
        quoted("\(plan.spn) cluster IP"),
      ]
      + plan.destinationMatch(clusterIP, port: port.port)
    if config.masqueradeAll {
      rules.write(head + ["-j", IPTablesChain.markMasq])
    } else if detector.isImplemented {
      rules.write(head + detector.ifNotLocal + ["-j", IPTablesChain.markMasq])
    }
  }

  /// KUBE-EXT: with Cluster policy, masquerade (the endpoint may be on another node) then
  /// KUBE-SVC; with Local policy keep the client IP, but send pod and node traffic to all
  /// endpoints (as if it had gone out to the load balancer and back), then KUBE-SVL.
  mutating func writeExternalChain(
    _ plan: IPTablesServicePlan, chains: inout IPTablesLineBuffer, rules: inout IPTablesLineBuffer
  ) {
    guard plan.usesExternalTrafficChain else { return }
    let ext = plan.externalChain
    declare(ext, in: &chains)
    let spn = plan.spn
    if !plan.decision.servicePort.externalPolicyLocal {
      rules.write([
        "-A", ext, "-m", "comment", "--comment",
        quoted("masquerade traffic for \(spn) external destinations"), "-j", IPTablesChain.markMasq,
      ])
    } else {
      if detector.isImplemented {
        rules.write(
          [
            "-A", ext, "-m", "comment", "--comment",
            quoted("pod traffic for \(spn) external destinations"),
          ]
            + detector.ifLocal + ["-j", plan.clusterPolicyChain])
      }
      let local = ["-m", "addrtype", "--src-type", "LOCAL"]
      rules.write(
        [
          "-A", ext, "-m", "comment", "--comment",
          quoted("masquerade LOCAL traffic for \(spn) external destinations"),
        ] + local
          + ["-j", IPTablesChain.markMasq])
      rules.write(
        [
          "-A", ext, "-m", "comment", "--comment",
          quoted("route LOCAL traffic for \(spn) external destinations"),
        ] + local
          + ["-j", plan.clusterPolicyChain])
    }
    if plan.hasExternalEndpoints {
      rules.write(["-A", ext, "-j", plan.externalPolicyChain])
    }
  }

  /// KUBE-FW: accept each source range (and the LB IPs themselves when a range holds the node
  /// IP, since node traffic to its own VIP loops back with the VIP as source); anything left
  /// is dropped by KUBE-PROXY-FIREWALL.
  mutating func writeFirewallChain(
    _ plan: IPTablesServicePlan, chains: inout IPTablesLineBuffer, rules: inout IPTablesLineBuffer
  ) {
    guard plan.usesFirewallChain else { return }
    let port = plan.decision.servicePort
    declare(plan.firewallChain, in: &chains)
    let head = [
      "-A", plan.firewallChain, "-m", "comment", "--comment", quoted("\(plan.spn) loadbalancer IP"),
    ]
    var allowFromNode = false
    for cidr in port.loadBalancerSourceRanges {
      rules.write(head + ["-s", cidr.description, "-j", plan.externalChain])
      if let nodeIP, cidr.contains(nodeIP) { allowFromNode = true }
    }
    if allowFromNode {
      for ip in port.loadBalancerVIPs {
        rules.write(head + ["-s", ip.description, "-j", plan.externalChain])
      }
    }
    rules.write([
      "-A", plan.firewallChain, "-m", "comment", "--comment",
      quoted("other traffic to \(plan.spn) will be dropped by KUBE-PROXY-FIREWALL"),
    ])
  }

  /// KUBE-SVC/SVL body: ClientIP affinity checks first (a client seen recently goes back to
  /// its endpoint), then rule i of n taken with probability 1/(n−i), the last one always.
  func writeEndpointPicks(
    _ plan: IPTablesServicePlan, chain: String, _ endpoints: [ProxyEndpoint],
    _ rules: inout IPTablesLineBuffer
  ) {
    let name = plan.decision.servicePort.name
    if let seconds = plan.decision.servicePort.stickyMaxAgeSeconds {
      for endpoint in endpoints {
        let sep = IPTablesChain.serviceEndpoint(name, endpoint)
        rules.write(
          ["-A", chain] + comment(quoted("\(plan.spn) -> \(endpoint)"))
            + ["-m", "recent", "--name", sep, "--rcheck", "--seconds", String(seconds), "--reap"]
            + ["-j", sep])
      }
    }
    for (i, endpoint) in endpoints.enumerated() {
      var args = ["-A", chain] + comment(quoted("\(plan.spn) -> \(endpoint)"))
      if i < endpoints.count - 1 {
        args += [
          "-m", "statistic", "--mode", "random", "--probability", probability(endpoints.count - i),
        ]
      }
      rules.write(args + ["-j", IPTablesChain.serviceEndpoint(name, endpoint)])
    }
  }

  /// KUBE-SEP: masquerade hairpin traffic (a pod reaching itself through the service), record
  /// the client for affinity, DNAT to the endpoint.
  mutating func writeEndpointChain(
    _ plan: IPTablesServicePlan, _ endpoint: ProxyEndpoint, chains: inout IPTablesLineBuffer,
    rules: inout IPTablesLineBuffer
  ) {
    let sep = IPTablesChain.serviceEndpoint(plan.decision.servicePort.name, endpoint)
    declare(sep, in: &chains)
    let head = ["-A", sep] + comment(plan.spn)
    rules.write(head + ["-s", endpoint.ip.description, "-j", IPTablesChain.markMasq])
    var dnat = head
    if plan.decision.servicePort.stickyMaxAgeSeconds != nil {
      dnat += ["-m", "recent", "--name", sep, "--set"]
    }
    dnat += [
      "-m", plan.proto, "-p", plan.proto, "-j", "DNAT", "--to-destination", endpoint.description,
    ]
    rules.write(dnat)
  }

  /// `-m comment --comment <text>`, omitted in large-cluster mode to keep restores small.
  func comment(_ text: String) -> [String] {
    largeClusterMode ? [] : ["-m", "comment", "--comment", text]
  }
}

/// kube-proxy's `computeProbability`: 1/n printed with `%0.10f`.
func probability(_ n: Int) -> String {
  String(format: "%0.10f", 1.0 / Double(n))
}
