import NetAddr

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
    let name = plan.decision.servicePort.name
    guard let changed = options.changedServices,
      !changed.contains("\(name.namespace)/\(name.name)")
    else {
      return writeServiceChains(plan)
    }
    // An unchanged service's chains stay loaded: they are not written, but they are in use,
    // so the stale-chain clean-up must know them (kube-proxy's discard buffer).
    guard options.existingNATChains != nil else { return }
    var discardChains = TextBuffer()
    var discardRules = TextBuffer()
    swap(&natChains, &discardChains)
    swap(&natRules, &discardRules)
    writeServiceChains(plan)
    swap(&natChains, &discardChains)
    swap(&natRules, &discardRules)
  }

  /// ClusterIP → KUBE-SVC (or KUBE-SVL), or REJECT/DROP in filter when nothing can serve it.
  mutating func writeClusterIPCapture(_ plan: IPTablesServicePlan) {
    let port = plan.decision.servicePort
    guard let clusterIP = port.clusterIP else { return }
    if plan.hasInternalEndpoints {
      natRules.startRule(IPTablesChain.services)
      natRules.quotedComment("", plan.spn, " cluster IP")
      plan.appendDestinationMatch(clusterIP, port: port.port, to: &natRules)
      natRules.jump(plan.internalTrafficChain)
    } else if let filter = plan.internalFilter {
      filterRules.startRule(IPTablesChain.services)
      filterRules.comment(filter.comment)
      plan.appendDestinationMatch(clusterIP, port: port.port, to: &filterRules)
      filterRules.jump(filter.target)
    }
  }

  /// External IPs → KUBE-EXT; REJECT/DROP in KUBE-EXTERNAL-SERVICES without external endpoints.
  mutating func writeExternalIPCapture(_ plan: IPTablesServicePlan) {
    let port = plan.decision.servicePort
    for ip in port.externalIPs {
      if plan.hasEndpoints {
        natRules.startRule(IPTablesChain.services)
        natRules.quotedComment("", plan.spn, " external IP")
        plan.appendDestinationMatch(ip, port: port.port, to: &natRules)
        natRules.jump(plan.externalChain)
      }
      if let filter = plan.externalFilter {
        writeExternalFilter(filter, plan, ip)
      }
    }
  }

  /// Load-balancer IPs → KUBE-FW (source ranges) or KUBE-EXT; KUBE-PROXY-FIREWALL drops what
  /// the FW chain did not DNAT; REJECT/DROP without external endpoints.
  mutating func writeLoadBalancerCapture(_ plan: IPTablesServicePlan) {
    let port = plan.decision.servicePort
    for ip in port.loadBalancerVIPs {
      if plan.hasEndpoints {
        natRules.startRule(IPTablesChain.services)
        natRules.quotedComment("", plan.spn, " loadbalancer IP")
        plan.appendDestinationMatch(ip, port: port.port, to: &natRules)
        natRules.jump(plan.loadBalancerTrafficChain)
      }
      if plan.usesFirewallChain {
        filterRules.startRule(IPTablesChain.proxyFirewall)
        filterRules.append(" -m comment --comment \"")
        filterRules.append(plan.spn)
        filterRules.append(" traffic not accepted by ")
        filterRules.append(plan.firewallChain)
        filterRules.append(byte: UInt8(ascii: "\""))
        plan.appendDestinationMatch(ip, port: port.port, to: &filterRules)
        filterRules.jump("DROP")
      }
    }
    guard let filter = plan.externalFilter else { return }
    for ip in port.loadBalancerVIPs {
      writeExternalFilter(filter, plan, ip)
    }
  }

  /// NodePort → KUBE-EXT from KUBE-NODEPORTS (first a counted copy for 127.0.0.0/8 when
  /// localhost NodePorts are on); REJECT/DROP for local destinations without endpoints.
  mutating func writeNodePortCapture(_ plan: IPTablesServicePlan) {
    let port = plan.decision.servicePort
    guard port.nodePort != 0 else { return }
    if plan.hasEndpoints {
      if localhostNodePorts && options.family == .v4 && options.nfacctCounters {
        natRules.startRule(IPTablesChain.nodePorts)
        natRules.comment(plan.spn)
        plan.appendProtocolMatch(to: &natRules)
        natRules.append(" -d 127.0.0.0/8 --dport ")
        natRules.append(port.nodePort)
        natRules.append(" -m nfacct --nfacct-name localhost_nps_accepted_pkts")
        natRules.jump(plan.externalChain)
      }
      natRules.startRule(IPTablesChain.nodePorts)
      natRules.comment(plan.spn)
      plan.appendProtocolMatch(to: &natRules)
      natRules.append(" --dport ")
      natRules.append(port.nodePort)
      natRules.jump(plan.externalChain)
    }
    if let filter = plan.externalFilter {
      filterRules.startRule(IPTablesChain.externalServices)
      filterRules.comment(filter.comment)
      filterRules.append(" -m addrtype --dst-type LOCAL")
      plan.appendProtocolMatch(to: &filterRules)
      filterRules.append(" --dport ")
      filterRules.append(port.nodePort)
      filterRules.jump(filter.target)
    }
  }

  /// Health-check node port: accepted in filter whether or not local endpoints exist (the
  /// load balancer must be able to ask).
  mutating func writeHealthCheckAccept(_ plan: IPTablesServicePlan) {
    let port = plan.decision.servicePort
    guard port.healthCheckNodePort != 0 else { return }
    filterRules.startRule(IPTablesChain.nodePorts)
    filterRules.quotedComment("", plan.spn, " health check node port")
    filterRules.append(" -m tcp -p tcp --dport ")
    filterRules.append(port.healthCheckNodePort)
    filterRules.jump("ACCEPT")
  }

  /// One REJECT/DROP rule in KUBE-EXTERNAL-SERVICES for an external destination.
  mutating func writeExternalFilter(
    _ filter: (target: String, comment: String), _ plan: IPTablesServicePlan, _ ip: IPAddress
  ) {
    filterRules.startRule(IPTablesChain.externalServices)
    filterRules.comment(filter.comment)
    plan.appendDestinationMatch(ip, port: plan.decision.servicePort.port, to: &filterRules)
    filterRules.jump(filter.target)
  }
}
