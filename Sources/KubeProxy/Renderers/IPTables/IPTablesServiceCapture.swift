/// The rules that capture a service port's addresses: KUBE-SERVICES and KUBE-NODEPORTS in nat
/// (towards the service's chains) and the REJECT/DROP/ACCEPT rules in filter.
extension IPTablesRestoreWriter {
  /// Writes everything for one service port: capture rules always, its own chains unless a
  /// partial restore leaves this service out.
  mutating func writeServicePort(_ plan: IPTablesServicePlan) {
    writeClusterIPCapture(plan)
    writeExternalIPCapture(plan)
    writeLoadBalancerCapture(plan)
    writeNodePortCapture(plan)
    writeHealthCheckAccept(plan)
    var chains = IPTablesLineBuffer()
    var rules = IPTablesLineBuffer()
    writeServiceChains(plan, chains: &chains, rules: &rules)
    let name = plan.decision.servicePort.name
    if options.changedServices?.contains("\(name.namespace)/\(name.name)") ?? true {
      natChains.append(chains)
      natRules.append(rules)
    }
  }

  /// ClusterIP → KUBE-SVC (or KUBE-SVL), or REJECT/DROP in filter when nothing can serve it.
  mutating func writeClusterIPCapture(_ plan: IPTablesServicePlan) {
    let port = plan.decision.servicePort
    guard let clusterIP = port.clusterIP?.description else { return }
    let match = plan.destinationMatch(clusterIP, port: port.port)
    if plan.hasInternalEndpoints {
      natRules.write(
        [
          "-A", IPTablesChain.services, "-m", "comment", "--comment",
          quoted("\(plan.spn) cluster IP"),
        ]
          + match + ["-j", plan.internalTrafficChain])
    } else if let filter = plan.internalFilter {
      filterRules.write(
        ["-A", IPTablesChain.services, "-m", "comment", "--comment", filter.comment] + match
          + ["-j", filter.target])
    }
  }

  /// External IPs → KUBE-EXT; REJECT/DROP in KUBE-EXTERNAL-SERVICES without external endpoints.
  mutating func writeExternalIPCapture(_ plan: IPTablesServicePlan) {
    let port = plan.decision.servicePort
    for ip in port.externalIPs {
      let match = plan.destinationMatch(ip.description, port: port.port)
      if plan.hasEndpoints {
        natRules.write(
          [
            "-A", IPTablesChain.services, "-m", "comment", "--comment",
            quoted("\(plan.spn) external IP"),
          ]
            + match + ["-j", plan.externalChain])
      }
      if let filter = plan.externalFilter {
        writeExternalFilter(filter, match: match)
      }
    }
  }

  /// Load-balancer IPs → KUBE-FW (source ranges) or KUBE-EXT; KUBE-PROXY-FIREWALL drops what
  /// the FW chain did not DNAT; REJECT/DROP without external endpoints.
  mutating func writeLoadBalancerCapture(_ plan: IPTablesServicePlan) {
    let port = plan.decision.servicePort
    for ip in port.loadBalancerVIPs {
      let match = plan.destinationMatch(ip.description, port: port.port)
      if plan.hasEndpoints {
        natRules.write(
          [
            "-A", IPTablesChain.services, "-m", "comment", "--comment",
            quoted("\(plan.spn) loadbalancer IP"),
          ] + match + ["-j", plan.loadBalancerTrafficChain])
      }
      if plan.usesFirewallChain {
        filterRules.write(
          [
            "-A", IPTablesChain.proxyFirewall, "-m", "comment", "--comment",
            quoted("\(plan.spn) traffic not accepted by \(plan.firewallChain)"),
          ] + match
            + ["-j", "DROP"])
      }
    }
    guard let filter = plan.externalFilter else { return }
    for ip in port.loadBalancerVIPs {
      writeExternalFilter(filter, match: plan.destinationMatch(ip.description, port: port.port))
    }
  }

  /// NodePort → KUBE-EXT from KUBE-NODEPORTS (first a counted copy for 127.0.0.0/8 when
  /// localhost NodePorts are on); REJECT/DROP for local destinations without endpoints.
  mutating func writeNodePortCapture(_ plan: IPTablesServicePlan) {
    let port = plan.decision.servicePort
    guard port.nodePort != 0 else { return }
    let nodePort = String(port.nodePort)
    let head = ["-A", IPTablesChain.nodePorts, "-m", "comment", "--comment", plan.spn]
    let proto = ["-m", plan.proto, "-p", plan.proto]
    if plan.hasEndpoints {
      if localhostNodePorts && options.family == .v4 && options.nfacctCounters {
        natRules.write(
          head + proto + ["-d", "127.0.0.0/8", "--dport", nodePort]
            + ["-m", "nfacct", "--nfacct-name", "localhost_nps_accepted_pkts"]
            + ["-j", plan.externalChain])
      }
      natRules.write(head + proto + ["--dport", nodePort, "-j", plan.externalChain])
    }
    if let filter = plan.externalFilter {
      filterRules.write(
        [
          "-A", IPTablesChain.externalServices, "-m", "comment", "--comment", filter.comment,
          "-m", "addrtype", "--dst-type", "LOCAL",
        ] + proto + ["--dport", nodePort, "-j", filter.target])
    }
  }

  /// Health-check node port: accepted in filter whether or not local endpoints exist (the
  /// load balancer must be able to ask).
  mutating func writeHealthCheckAccept(_ plan: IPTablesServicePlan) {
    let port = plan.decision.servicePort
    guard port.healthCheckNodePort != 0 else { return }
    filterRules.write([
      "-A", IPTablesChain.nodePorts, "-m", "comment", "--comment",
      quoted("\(plan.spn) health check node port"), "-m", "tcp", "-p", "tcp",
      "--dport", String(port.healthCheckNodePort), "-j", "ACCEPT",
    ])
  }

  /// One REJECT/DROP rule in KUBE-EXTERNAL-SERVICES for an external destination.
  mutating func writeExternalFilter(_ filter: (target: String, comment: String), match: [String]) {
    filterRules.write(
      ["-A", IPTablesChain.externalServices, "-m", "comment", "--comment", filter.comment] + match
        + ["-j", filter.target])
  }
}
