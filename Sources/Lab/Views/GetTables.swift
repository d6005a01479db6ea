import Cluster

/// `kubectl get` tables for the kinds the lab models, with kubectl's columns and cell rules
/// (`pkg/printers/internalversion/printers.go`).
enum GetTables {
  /// The kinds `get` and `describe` know, by every name kubectl accepts for them.
  enum Kind: String, CaseIterable {
    case services, pods, endpointSlices, nodes, deployments, namespaces, endpoints, serviceCIDRs,
      ipAddresses

    static func parse(_ s: String) -> Kind? {
      switch s.lowercased() {
      case "svc", "service", "services": return .services
      case "po", "pod", "pods": return .pods
      case "endpointslice", "endpointslices", "endpointslice.discovery.k8s.io",
        "endpointslices.discovery.k8s.io":
        return .endpointSlices
      case "no", "node", "nodes": return .nodes
      case "deploy", "deployment", "deployments", "deployment.apps", "deployments.apps":
        return .deployments
      case "ns", "namespace", "namespaces": return .namespaces
      case "ep", "endpoints": return .endpoints
      case "servicecidr", "servicecidrs", "servicecidr.networking.k8s.io",
        "servicecidrs.networking.k8s.io":
        return .serviceCIDRs
      case "ipaddress", "ipaddresses", "ipaddress.networking.k8s.io",
        "ipaddresses.networking.k8s.io":
        return .ipAddresses
      default: return nil
      }
    }

    var clusterScoped: Bool {
      self == .nodes || self == .namespaces || self == .serviceCIDRs || self == .ipAddresses
    }

    /// The resource name in kubectl's messages.
    var resource: String {
      switch self {
      case .services: return "services"
      case .pods: return "pods"
      case .endpointSlices: return "endpointslices.discovery.k8s.io"
      case .nodes: return "nodes"
      case .deployments: return "deployments.apps"
      case .namespaces: return "namespaces"
      case .endpoints: return "endpoints"
      case .serviceCIDRs: return "servicecidrs.networking.k8s.io"
      case .ipAddresses: return "ipaddresses.networking.k8s.io"
      }
    }
  }

  struct Options {
    var namespace: String
    var allNamespaces = false
    var wide = false
    /// Only the object of this name (`get svc web`, `get svc/web`).
    var name: String?
  }

  /// Fixed node facts the lab reports for every node (it models no kubelet or OS).
  enum NodeInfo {
    static let kubeletVersion = "v1.33.1"
    static let osImage = "Debian GNU/Linux 12 (bookworm)"
    static let kernelVersion = "6.8.0-1021-generic"
    static let containerRuntime = "containerd://2.1.1"
  }

  /// The table, or kubectl's "No resources found" line when nothing matches.
  static func render(_ kind: Kind, _ c: Cluster, _ o: Options) -> String {
    let ns: String? = kind.clusterScoped || o.allNamespaces ? nil : o.namespace
    var header: [String]
    var rows: [[String]]
    var namespaces: [String]
    let now = c.now
    switch kind {
    case .services:
      let items = c.services(namespace: ns)
      header =
        ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
        + (o.wide ? ["SELECTOR"] : [])
      rows = items.map { serviceRow($0, now, o.wide) }
      namespaces = items.map(\.namespace)
    case .pods:
      let items = c.pods(namespace: ns)
      header =
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        + (o.wide ? ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"] : [])
      rows = items.map { podRow($0, now, o.wide) }
      namespaces = items.map(\.namespace)
    case .endpointSlices:
      let items = c.endpointSlices(namespace: ns)
      header = ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]
      rows = items.map { s in
        [
          s.name, s.addressType.rawValue, slicePorts(s.ports), sliceEndpoints(s.endpoints),
          age(s.metadata.creationTimestamp, now),
        ]
      }
      namespaces = items.map(\.namespace)
    case .nodes:
      let items = c.nodes()
      header =
        ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
        + (o.wide
          ? ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"] : [])
      rows = items.map { n in
        [
          "\(n.name)", "Ready", roles(n), age(n.metadata.creationTimestamp, now),
          NodeInfo.kubeletVersion,
        ]
          + (o.wide
            ? [
              n.internalIP.description, "<none>", NodeInfo.osImage, NodeInfo.kernelVersion,
              NodeInfo.containerRuntime,
            ] : [])
      }
      namespaces = []
    case .deployments:
      let items = c.deployments(namespace: ns)
      header =
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
        + (o.wide ? ["CONTAINERS", "IMAGES", "SELECTOR"] : [])
      rows = items.map { d in
        let (names, images) = containers(d.metadata)
        return [
          "\(d.name)", "\(d.readyReplicas)/\(d.replicas)", "\(d.statusReplicas)",
          "\(d.readyReplicas)",
          age(d.metadata.creationTimestamp, now),
        ]
          + (o.wide ? [names, images, labelText(d.selector)] : [])
      }
      namespaces = items.map(\.namespace)
    case .namespaces:
      let items = c.namespaces()
      header = ["NAME", "STATUS", "AGE"]
      rows = items.map { [$0.name, $0.phase, age($0.metadata.creationTimestamp, now)] }
      namespaces = []
    case .endpoints:
      let items = c.v1EndpointsList(namespace: ns)
      header = ["NAME", "ENDPOINTS", "AGE"]
      rows = items.map {
        [$0.name, endpointsText($0.subsets), age($0.metadata.creationTimestamp, now)]
      }
      namespaces = items.map(\.namespace)
    case .serviceCIDRs:
      header = ["NAME", "CIDRS", "AGE"]
      rows = ServiceCIDRView.objects(c).map {
        [$0.name, $0.cidrs.map(\.description).joined(separator: ","), age(0, now)]
      }
      namespaces = []
    case .ipAddresses:
      header = ["NAME", "PARENTREF"]
      rows = ServiceCIDRView.ipAddresses(c).map {
        [$0.ip, "services/\($0.service.namespace)/\($0.service.name)"]
      }
      namespaces = []
    }
    if let name = o.name {
      let keep = rows.indices.filter { rows[$0][0] == name }
      rows = keep.map { rows[$0] }
      namespaces = namespaces.isEmpty ? [] : keep.map { namespaces[$0] }
    }
    if rows.isEmpty {
      if let ns { return "No resources found in \(ns) namespace.\n" }
      return "No resources found\n"
    }
    if o.allNamespaces && !kind.clusterScoped {
      header.insert("NAMESPACE", at: 0)
      rows = zip(namespaces, rows).map { [$0] + $1 }
    }
    let text = ([header] + rows).map { $0.joined(separator: "\t") + "\n" }.joined()
    return TabWriter.table.format(text)
  }

  static func age(_ created: Double, _ now: Double) -> String {
    HumanDuration.format(now - created)
  }

  /// `labels.FormatLabels`: sorted `k=v` pairs, `<none>` when empty.
  static func labelText(_ m: [String: String]?) -> String {
    guard let m, !m.isEmpty else { return "<none>" }
    return m.keys.sorted().map { "\($0)=\(m[$0] ?? "")" }.joined(separator: ",")
  }

  static func serviceRow(_ s: Service, _ now: Double, _ wide: Bool) -> [String] {
    let clusterIP = s.spec.clusterIP.isEmpty ? "<none>" : s.spec.clusterIP
    return [
      s.name, s.spec.type.rawValue, clusterIP, externalIP(s, wide: wide), portsText(s.spec.ports),
      age(s.metadata.creationTimestamp, now),
    ] + (wide ? [labelText(s.spec.selector)] : [])
  }

  /// The EXTERNAL-IP cell (`getServiceExternalIP`).
  static func externalIP(_ s: Service, wide: Bool) -> String {
    let external = s.spec.externalIPs
    switch s.spec.type {
    case .clusterIP, .nodePort:
      return external.isEmpty ? "<none>" : external.joined(separator: ",")
    case .loadBalancer:
      var lb = s.status.loadBalancerIngress.map(\.description).joined(separator: ",")
      if !wide && lb.count > 16 { lb = String(lb.prefix(13)) + "..." }
      if !external.isEmpty {
        return ((lb.isEmpty ? [] : [lb]) + external).joined(separator: ",")
      }
      return lb.isEmpty ? "<pending>" : lb
    case .externalName:
      return s.spec.externalName ?? ""
    default:
      return "<unknown>"
    }
  }

  /// `80/TCP`, `80:30080/TCP`, comma-separated; `<none>` without ports.
  static func portsText(_ ports: [ServicePort]) -> String {
    guard !ports.isEmpty else { return "<none>" }
    return ports.map { p in
      if let n = p.nodePort, n > 0 { return "\(p.port):\(n)/\(p.protocol.rawValue)" }
      return "\(p.port)/\(p.protocol.rawValue)"
    }.joined(separator: ",")
  }

  /// STATUS as `printPod` derives it: Terminating while being deleted, else the phase.
  static func podStatus(_ p: Pod) -> String {
    if p.isTerminating { return "Terminating" }
    return p.phase.rawValue
  }

  static func podRow(_ p: Pod, _ now: Double, _ wide: Bool) -> [String] {
    let ready = p.ready && p.phase == .running ? "1/1" : "0/1"
    return [p.name, ready, podStatus(p), "0", age(p.metadata.creationTimestamp, now)]
      + (wide
        ? [
          p.podIP?.description ?? "<none>", p.nodeName.isEmpty ? "<none>" : p.nodeName, "<none>",
          "<none>",
        ] : [])
  }

  /// Up to three items and `+ N more...`; `<unset>` when empty (`listWithMoreString`).
  static func listWithMore(_ items: [String]) -> String {
    if items.isEmpty { return "<unset>" }
    let shown = items.prefix(3).joined(separator: ",")
    return items.count > 3 ? "\(shown) + \(items.count - 3) more..." : shown
  }

  /// The ENDPOINTS cell of v1 Endpoints (`formatEndpoints`): ready addresses as `ip:port` for
  /// every port of every subset (a bare IP for a subset without ports), at most three and
  /// `+ N more...`; `<none>` without subsets.
  static func endpointsText(_ subsets: [EndpointSubset]) -> String {
    if subsets.isEmpty { return "<none>" }
    var list: [String] = []
    var count = 0
    var more = false
    for s in subsets {
      let ports: [EndpointPort?] = s.ports.isEmpty ? [nil] : s.ports
      for p in ports {
        count += s.addresses.count
        for a in s.addresses {
          if list.count == 3 {
            more = true
            break
          }
          if let p {
            list.append(a.ip.contains(":") ? "[\(a.ip)]:\(p.port)" : "\(a.ip):\(p.port)")
          } else {
            list.append(a.ip)
          }
        }
      }
    }
    let shown = list.joined(separator: ",")
    return more ? "\(shown) + \(count - 3) more..." : shown
  }

  static func slicePorts(_ ports: [EndpointPort]) -> String {
    listWithMore(ports.map { String($0.port) })
  }

  static func sliceEndpoints(_ eps: [Endpoint]) -> String { listWithMore(eps.flatMap(\.addresses)) }

  /// ROLES from `node-role.kubernetes.io/<role>` and `kubernetes.io/role` labels.
  static func roles(_ n: Node) -> String {
    var roles = Set<String>()
    for (k, v) in n.metadata.labels {
      if k.hasPrefix("node-role.kubernetes.io/") {
        let r = String(k.dropFirst("node-role.kubernetes.io/".count))
        if !r.isEmpty { roles.insert(r) }
      } else if k == "kubernetes.io/role" && !v.isEmpty {
        roles.insert(v)
      }
    }
    return roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ",")
  }

  /// Container names and images of a workload, from its applied manifest when there is one.
  static func containers(_ m: ObjectMeta) -> (String, String) {
    let list = ManifestExporter.applied(m).flatMap {
      $0["spec", "template", "spec", "containers"] ?? $0["spec", "containers"]
    }
    guard case .list(let items)? = list, !items.isEmpty else {
      return ("app", "registry.k8s.io/pause:3.10")
    }
    let names = items.map { i -> String in
      if case .string(let s)? = i["name"] { return s } else { return "" }
    }
    let images = items.map { i -> String in
      if case .string(let s)? = i["image"] { return s } else { return "" }
    }
    return (names.joined(separator: ","), images.joined(separator: ","))
  }
}
