import Cluster

/// `kubectl describe` for the kinds the lab models, laid out as kubectl's describers write
/// them (`pkg/describe/describe.go`): `Key:\tvalue` lines through a tab writer. The lab
/// records no events, so every description ends with `Events: <none>`.
enum Describe {
  static func render(_ kind: GetTables.Kind, _ key: NamespacedName, _ c: Cluster) -> String? {
    var w = Lines()
    switch kind {
    case .services:
      guard let s = c.service(key) else { return nil }
      service(s, c.endpointSlices(namespace: key.namespace, service: key.name), &w)
    case .pods:
      guard let p = c.pod(key) else { return nil }
      pod(p, c, &w)
    case .endpointSlices:
      guard let s = c.endpointSlice(key) else { return nil }
      slice(s, &w)
    case .serviceCIDRs:
      guard let s = ServiceCIDRView.objects(c).first(where: { $0.name == key.name }) else {
        return nil
      }
      w.add("Name:\t\(s.name)")
      w.add("Labels:\t<none>")
      w.add("Annotations:\t<none>")
      w.add("CIDRs:\t\(s.cidrs.map(\.description).joined(separator: ", "))")
    case .ipAddresses:
      guard let a = ServiceCIDRView.ipAddresses(c).first(where: { $0.ip == key.name }) else {
        return nil
      }
      w.add("Name:\t\(a.ip)")
      w.add("Labels:\tipaddress.kubernetes.io/ip-family=\(a.ip.contains(":") ? "IPv6" : "IPv4")")
      w.add("\tipaddress.kubernetes.io/managed-by=ipallocator.k8s.io")
      w.add("Annotations:\t<none>")
      w.add("Parent Reference:")
      w.add("  Group:\t")
      w.add("  Resource:\tservices")
      w.add("  Namespace:\t\(a.service.namespace)")
      w.add("  Name:\t\(a.service.name)")
    case .endpoints:
      guard let e = c.v1Endpoints(key) else { return nil }
      endpoints(e, &w)
    case .nodes:
      guard let n = c.node(key.name) else { return nil }
      node(n, c, &w)
    case .deployments:
      guard let d = c.deployment(key) else { return nil }
      deployment(d, c, &w)
    case .namespaces:
      guard let n = c.namespace(key.name) else { return nil }
      w.add("Name:\t\(n.name)")
      labels("Labels", n.metadata.labels, &w)
      annotations(n.metadata.annotations, &w)
      w.add("Status:\t\(n.phase)")
      w.add("")
      w.add("No resource quota.")
      w.add("")
      w.add("No LimitRange resource.")
      return TabWriter.describe.format(w.text)
    }
    w.add("Events:\t<none>")
    return TabWriter.describe.format(w.text)
  }

  /// Text lines collected before alignment.
  struct Lines {
    var text = ""
    mutating func add(_ line: String) { text += line + "\n" }
  }

  static func labels(_ title: String, _ m: [String: String], _ w: inout Lines) {
    let keys = m.keys.sorted()
    if keys.isEmpty { return w.add("\(title):\t<none>") }
    for (i, k) in keys.enumerated() { w.add((i == 0 ? "\(title):" : "") + "\t\(k)=\(m[k] ?? "")") }
  }

  /// Annotations, without the last-applied configuration (kubectl skips it).
  static func annotations(_ m: [String: String], _ w: inout Lines) {
    let keys = m.keys.filter { $0 != LastApplied.key }.sorted()
    if keys.isEmpty { return w.add("Annotations:\t<none>") }
    for (i, k) in keys.enumerated() {
      w.add((i == 0 ? "Annotations:" : "") + "\t\(k): \(m[k] ?? "")")
    }
  }

  /// `formatEndpointSlices`: ready endpoints of the port (`ip:port`), at most three and
  /// `+ N more...`.
  static func endpointsText(_ slices: [EndpointSlice], portName: String) -> String {
    if slices.isEmpty { return "<none>" }
    var list: [String] = []
    for s in slices {
      if s.ports.isEmpty {
        list += s.endpoints.filter { $0.conditions.isReady }.compactMap(\.addresses.first)
      } else {
        for p in s.ports where p.name == portName {
          list += s.endpoints.filter { $0.conditions.isReady }.compactMap { e in
            e.addresses.first.map { a in a.contains(":") ? "[\(a)]:\(p.port)" : "\(a):\(p.port)" }
          }
        }
      }
    }
    let shown = list.prefix(3).joined(separator: ",")
    return list.count > 3 ? "\(shown) + \(list.count - 3) more..." : shown
  }

  static func service(_ s: Service, _ slices: [EndpointSlice], _ w: inout Lines) {
    let spec = s.spec
    w.add("Name:\t\(s.name)")
    w.add("Namespace:\t\(s.namespace)")
    labels("Labels", s.metadata.labels, &w)
    annotations(s.metadata.annotations, &w)
    w.add("Selector:\t\(GetTables.labelText(spec.selector))")
    w.add("Type:\t\(spec.type.rawValue)")
    if let p = spec.ipFamilyPolicy { w.add("IP Family Policy:\t\(p.rawValue)") }
    w.add(
      "IP Families:\t"
        + (spec.ipFamilies.isEmpty
          ? "<none>" : spec.ipFamilies.map(\.rawValue).joined(separator: ",")))
    w.add("IP:\t\(spec.clusterIP)")
    w.add("IPs:\t" + (spec.clusterIPs.isEmpty ? "<none>" : spec.clusterIPs.joined(separator: ",")))
    if !spec.externalIPs.isEmpty {
      w.add("External IPs:\t\(spec.externalIPs.joined(separator: ","))")
    }
    if let ip = spec.loadBalancerIP, !ip.isEmpty { w.add("Desired LoadBalancer IP:\t\(ip)") }
    if let n = spec.externalName, !n.isEmpty { w.add("External Name:\t\(n)") }
    if !s.status.loadBalancerIngress.isEmpty {
      let ingress = s.status.loadBalancerIngress.map(\.description)
      w.add("LoadBalancer Ingress:\t\(ingress.joined(separator: ", "))")
    }
    for p in spec.ports {
      let name = p.name.isEmpty ? "<unset>" : p.name
      w.add("Port:\t\(name)\t\(p.port)/\(p.protocol.rawValue)")
      w.add("TargetPort:\t\((p.targetPort ?? .int(p.port)).description)/\(p.protocol.rawValue)")
      if let n = p.nodePort, n != 0 { w.add("NodePort:\t\(name)\t\(n)/\(p.protocol.rawValue)") }
      w.add("Endpoints:\t\(endpointsText(slices, portName: p.name))")
    }
    w.add("Session Affinity:\t\(spec.sessionAffinity.rawValue)")
    if let e = spec.externalTrafficPolicy { w.add("External Traffic Policy:\t\(e.rawValue)") }
    if let i = spec.internalTrafficPolicy { w.add("Internal Traffic Policy:\t\(i.rawValue)") }
    if let h = spec.healthCheckNodePort, h != 0 { w.add("HealthCheck NodePort:\t\(h)") }
    if !spec.loadBalancerSourceRanges.isEmpty {
      w.add("LoadBalancer Source Ranges:\t\(spec.loadBalancerSourceRanges.joined(separator: ","))")
    }
    if let t = spec.trafficDistribution { w.add("Traffic Distribution:\t\(t.rawValue)") }
  }

  static func pod(_ p: Pod, _ c: Cluster, _ w: inout Lines) {
    w.add("Name:\t\(p.name)")
    w.add("Namespace:\t\(p.namespace)")
    w.add("Priority:\t0")
    w.add("Service Account:\tdefault")
    let node = c.node(p.nodeName).map { "\($0.name)/\($0.internalIP)" } ?? "<none>"
    w.add("Node:\t\(node)")
    labels("Labels", p.labels, &w)
    annotations(p.metadata.annotations, &w)
    if let t = p.metadata.deletionTimestamp {
      w.add("Status:\tTerminating (lasts \(HumanDuration.format(c.now - t)))")
      w.add("Termination Grace Period:\t\(p.metadata.deletionGracePeriodSeconds ?? 0)s")
    } else {
      w.add("Status:\t\(p.phase.rawValue)")
    }
    w.add("IP:\t\(p.podIP?.description ?? "")")
    if p.podIPs.isEmpty {
      w.add("IPs:\t<none>")
    } else {
      w.add("IPs:")
      for ip in p.podIPs { w.add("  IP:\t\(ip)") }
    }
    if let d = c.deployment(NamespacedName(namespace: p.namespace, name: p.ownerDeployment ?? "")) {
      w.add("Controlled By:\tReplicaSet/\(d.replicaSetName)")
    } else if let owner = p.metadata.ownerReferences.first(where: \.controller) {
      w.add("Controlled By:\t\(owner.kind)/\(owner.name)")
    }
    let (names, images) = GetTables.containers(p.metadata)
    w.add("Containers:")
    w.add("  \(names.split(separator: ",").first.map(String.init) ?? "app"):")
    w.add("    Image:\t\(images.split(separator: ",").first.map(String.init) ?? "")")
    if p.ports.isEmpty {
      w.add("    Port:\t<none>")
    } else {
      for port in p.ports { w.add("    Port:\t\(port.containerPort)/\(port.protocol.rawValue)") }
    }
    w.add("    State:\t\(p.phase == .running ? "Running" : "Waiting")")
    w.add("    Ready:\t\(p.ready ? "True" : "False")")
    w.add("    Restart Count:\t0")
    w.add("Conditions:")
    w.add("  Type\tStatus")
    w.add("  PodScheduled \t\(p.nodeName.isEmpty ? "False" : "True")")
    w.add("  Ready \t\(p.ready ? "True" : "False")")
    w.add("QoS Class:\tBestEffort")
    w.add("Node-Selectors:\t<none>")
    w.add("Tolerations:\t<none>")
  }

  static func slice(_ s: EndpointSlice, _ w: inout Lines) {
    w.add("Name:\t\(s.name)")
    w.add("Namespace:\t\(s.namespace)")
    labels("Labels", s.metadata.labels, &w)
    annotations(s.metadata.annotations, &w)
    w.add("AddressType:\t\(s.addressType.rawValue)")
    w.add("Ports:")
    w.add("  Name\tPort\tProtocol")
    w.add("  ----\t----\t--------")
    for p in s.ports {
      w.add("  \(p.name.isEmpty ? "<unset>" : p.name)\t\(p.port)\t\(p.protocol.rawValue)")
    }
    w.add("Endpoints:")
    for e in s.endpoints {
      w.add("  - Addresses:\t\(e.addresses.joined(separator: ","))")
      w.add("    Conditions:")
      w.add("      Ready:\t\(e.conditions.ready.map { String($0) } ?? "<unset>")")
      w.add("    Hostname:\t\(e.hostname ?? "<unset>")")
      if let t = e.targetRef { w.add("    TargetRef:\t\(t.kind)/\(t.name)") }
      w.add("    NodeName:\t\(e.nodeName ?? "<unset>")")
      w.add("    Zone:\t\(e.zone ?? "<unset>")")
    }
  }

  /// `describeEndpoints`: per subset its ready and not-ready addresses and its ports.
  static func endpoints(_ e: V1Endpoints, _ w: inout Lines) {
    w.add("Name:\t\(e.name)")
    w.add("Namespace:\t\(e.namespace)")
    labels("Labels", e.metadata.labels, &w)
    annotations(e.metadata.annotations, &w)
    w.add("Subsets:")
    for s in e.subsets {
      let ready = s.addresses.map(\.ip).joined(separator: ",")
      let notReady = s.notReadyAddresses.map(\.ip).joined(separator: ",")
      w.add("  Addresses:\t\(ready.isEmpty ? "<none>" : ready)")
      w.add("  NotReadyAddresses:\t\(notReady.isEmpty ? "<none>" : notReady)")
      if !s.ports.isEmpty {
        w.add("  Ports:")
        w.add("    Name\tPort\tProtocol")
        w.add("    ----\t----\t--------")
        for p in s.ports {
          w.add("    \(p.name.isEmpty ? "<unset>" : p.name)\t\(p.port)\t\(p.protocol.rawValue)")
        }
      }
      w.add("")
    }
  }

  static func node(_ n: Node, _ c: Cluster, _ w: inout Lines) {
    w.add("Name:\t\(n.name)")
    w.add("Roles:\t\(GetTables.roles(n))")
    labels("Labels", n.metadata.labels, &w)
    annotations(n.metadata.annotations, &w)
    w.add("Addresses:")
    w.add("  InternalIP:\t\(n.internalIP)")
    w.add("  Hostname:\t\(n.name)")
    w.add("PodCIDR:\t\(n.podCIDR?.description ?? "")")
    w.add("PodCIDRs:\t\(n.podCIDR?.description ?? "")")
    let pods = c.pods().filter { $0.nodeName == n.name && !$0.isTerminating }
    w.add("Non-terminated Pods:\t(\(pods.count) in total)")
    w.add("  Namespace\tName\tAge")
    w.add("  ---------\t----\t---")
    for p in pods {
      w.add("  \(p.namespace)\t\(p.name)\t\(GetTables.age(p.metadata.creationTimestamp, c.now))")
    }
  }

  static func deployment(_ d: Deployment, _ c: Cluster, _ w: inout Lines) {
    w.add("Name:\t\(d.name)")
    w.add("Namespace:\t\(d.namespace)")
    labels("Labels", d.metadata.labels, &w)
    annotations(d.metadata.annotations, &w)
    w.add("Selector:\t\(GetTables.labelText(d.selector))")
    let unavailable = max(0, d.statusReplicas - d.readyReplicas)
    w.add(
      "Replicas:\t\(d.replicas) desired | \(d.statusReplicas) updated | \(d.statusReplicas) total "
        + "| \(d.readyReplicas) available | \(unavailable) unavailable"
    )
    w.add("StrategyType:\tRollingUpdate")
    w.add("MinReadySeconds:\t0")
    w.add("RollingUpdateStrategy:\t25% max unavailable, 25% max surge")
    w.add("Pod Template:")
    labels("  Labels", d.template.labels, &w)
    let (names, images) = GetTables.containers(d.metadata)
    w.add("  Containers:")
    w.add("   \(names.split(separator: ",").first.map(String.init) ?? "app"):")
    w.add("    Image:\t\(images.split(separator: ",").first.map(String.init) ?? "")")
    if d.template.ports.isEmpty {
      w.add("    Port:\t<none>")
    } else {
      for p in d.template.ports { w.add("    Port:\t\(p.containerPort)/\(p.protocol.rawValue)") }
    }
    w.add(
      "NewReplicaSet:\t\(d.replicaSetName) (\(d.statusReplicas)/\(d.replicas) replicas created)")
  }
}
