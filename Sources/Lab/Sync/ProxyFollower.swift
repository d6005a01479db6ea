import Cluster
import KubeProxy
import NetAddr

/// kube-proxy's view of the cluster on every node: Services become service ports per IP
/// family, EndpointSlices become endpoint lists, nodes and pods give the pod network its map.
/// Changes are recorded as they happen and applied (kube-proxy's sync) before traffic flows.
final class ProxyFollower: ClusterFollower {
  let proxy: ProxyCluster
  /// Connections kept open with `keep`, by id, for `disconnect`.
  var openConnections: [Int: Connection] = [:]
  /// The latest connections `connect` made, for `trace(result)`.
  var recent = RecentConnections()
  /// The last conversion of each EndpointSlice, so that a change converts only the new
  /// version (the previous one is what was converted last time).
  private var slices: [ClusterKey: ProxyEndpointSlice] = [:]

  init(clusterCIDR: CIDR?, serviceCIDRs: [CIDR]) {
    proxy = ProxyCluster(namer: CachingChainNamer(KubeProxyChainNamer()))
    var config = ProxyConfig()
    config.clusterCIDR = clusterCIDR
    config.serviceCIDRs = serviceCIDRs
    proxy.setProxyConfig(config)
  }

  func load(from cluster: Cluster) {
    for n in cluster.nodes() { apply(.node(previous: nil, current: n), in: cluster) }
    for p in cluster.pods() { apply(.pod(previous: nil, current: p), in: cluster) }
    for s in cluster.services() { apply(.service(previous: nil, current: s), in: cluster) }
    for s in cluster.endpointSlices() {
      apply(.endpointSlice(previous: nil, current: s), in: cluster)
    }
  }

  func apply(_ change: ClusterChange, in cluster: Cluster) {
    switch change {
    case .service(let old, let new):
      guard let key = (new ?? old)?.key else { return }
      proxy.updateService(
        Self.name(key), previous: old.map(Self.servicePorts), current: new.map(Self.servicePorts))
    case .endpointSlice(let old, let new):
      applySlice(previous: old, current: new)
    case .node(let old, let new):
      if let new {
        var node = Self.node(new)
        if Self.runsAPIServer(new, cluster) {
          node.listeners["kube-apiserver"] = ProxyListen(port: 6443, proto: .tcp)
        }
        proxy.upsertNode(node)
      } else if let old {
        proxy.removeNode(old.name)
      }
    case .pod(let old, let new):
      applyPod(previous: old, current: new)
    case .namespace, .deployment, .endpoints:
      break
    }
  }

  /// Applies one EndpointSlice change, converting only what changed. The versions are only
  /// read (passed and unwrapped borrowed), not copied.
  private func applySlice(previous old: EndpointSlice?, current new: EndpointSlice?) {
    guard let key = new?.key ?? old?.key else { return }
    var previous: ProxyEndpointSlice?
    var current: ProxyEndpointSlice?
    if let old {
      previous = slices[key] ?? Self.slice(old)
      if let new { current = Self.slice(new, reusing: previous, of: old) }
    } else if let new {
      current = Self.slice(new)
    }
    slices[key] = current
    proxy.updateEndpointSlice(previous: previous, current: current)
  }

  /// Applies one pod change. The versions are only read (passed and unwrapped borrowed), not
  /// copied: a pod is a large value.
  private func applyPod(previous old: Pod?, current new: Pod?) {
    let before = old.flatMap(Self.pod)
    let after = new.flatMap(Self.pod)
    // A change kube-proxy does not see (readiness, labels) leaves its pod as it is.
    guard before != after else { return }
    if let after {
      proxy.upsertPod(after)
    } else if let key = new?.key ?? old?.key {
      proxy.removePod(Self.name(key))
    }
  }

  /// Applies pending changes (kube-proxy's sync loop catching up) before traffic or a dump.
  func synced() -> ProxyCluster {
    if proxy.hasPendingChanges { proxy.sync() }
    return proxy
  }

  /// Whether the API server runs on `node`: its address is an endpoint of `default/kubernetes`
  /// (the slice the API server writes for itself).
  static func runsAPIServer(_ node: Node, _ cluster: Cluster) -> Bool {
    let slices = cluster.endpointSlices(namespace: "default", service: "kubernetes")
    let ip = node.internalIP.description
    return slices.contains { $0.endpoints.contains { $0.addresses.contains(ip) } }
  }

  static func name(_ key: ClusterKey) -> KubeProxy.NamespacedName {
    KubeProxy.NamespacedName(namespace: key.namespace, name: key.name)
  }

  static func proto(_ p: PortProtocol) -> ProxyProtocol {
    ProxyProtocol(rawValue: p.rawValue) ?? .tcp
  }

  /// One `ProxyServicePort` per (port, IP family); headless and ExternalName Services have
  /// none, as kube-proxy ignores them.
  static func servicePorts(_ s: Service) -> [ProxyServicePort] {
    let spec = s.spec
    guard spec.type != .externalName, !spec.isHeadless else { return [] }
    let type = ProxyServiceType(rawValue: spec.type.rawValue) ?? .clusterIP
    let external = spec.externalIPs.compactMap { IPAddress($0) }
    let ranges = spec.loadBalancerSourceRanges.compactMap { CIDR($0) }
    let eTPLocal =
      spec.externalTrafficPolicy == .local
      && (type == .nodePort || type == .loadBalancer || !external.isEmpty)
    return s.clusterIPAddresses.flatMap { ip in
      spec.ports.map { p in
        ProxyServicePort(
          name: ServicePortName(
            namespace: s.namespace, name: s.name, port: p.name, proto: proto(p.protocol)),
          type: type, family: ip.family, clusterIP: ip, port: p.port, nodePort: p.nodePort ?? 0,
          externalIPs: external.filter { $0.family == ip.family },
          loadBalancerVIPs: s.status.ingressIPMode == .proxy
            ? [] : s.status.loadBalancerIngress.filter { $0.family == ip.family },
          loadBalancerSourceRanges: ranges.filter { $0.family == ip.family },
          stickyMaxAgeSeconds: spec.sessionAffinity == .clientIP
            ? (spec.sessionAffinityTimeoutSeconds ?? 10800) : nil,
          externalPolicyLocal: eTPLocal, internalPolicyLocal: spec.internalTrafficPolicy == .local,
          healthCheckNodePort: spec.healthCheckNodePort ?? 0,
          trafficDistribution: spec.trafficDistribution?.rawValue
        )
        .withProxyModeIngress(
          s.status.ingressIPMode == .proxy
            ? s.status.loadBalancerIngress.filter { $0.family == ip.family } : [])
      }
    }
  }

  /// Converts a slice; with `reusing` (the conversion of `previous`, the previous version),
  /// endpoints equal to the previous version's at the same position keep their conversion, so
  /// that one endpoint's change costs one endpoint's conversion, not the slice's.
  static func slice(
    _ s: EndpointSlice, reusing converted: ProxyEndpointSlice? = nil,
    of previous: EndpointSlice? = nil
  ) -> ProxyEndpointSlice? {
    guard let service = s.serviceName, s.addressType != .fqdn else { return nil }
    return ProxyEndpointSlice(
      namespace: s.namespace, name: s.name, serviceName: service,
      addressType: s.addressType == .ipv6 ? .v6 : .v4,
      endpoints: convertReusing(
        s.endpoints, previous: converted == nil ? nil : previous?.endpoints,
        converted: converted?.endpoints
      ) { e, before in
        // With the same addresses and pod as before (conditions, node or zone changed), the
        // parsed addresses and the pod's name are taken from the previous conversion.
        let reused = before.flatMap { old, converted in
          old.addresses == e.addresses && old.targetRef == e.targetRef ? converted : nil
        }
        let podName =
          if let reused { reused.podName } else {
            e.targetRef.flatMap { $0.kind == "Pod" ? "\($0.namespace)/\($0.name)" : nil }
          }
        return ProxyEndpointSlice.Endpoint(
          addresses: reused?.addresses ?? e.addresses.compactMap { IPAddress($0) },
          ready: e.conditions.ready, serving: e.conditions.serving,
          terminating: e.conditions.terminating, nodeName: e.nodeName, zone: e.zone,
          zoneHints: e.hints?.forZones, nodeHints: e.hints?.forNodes, podName: podName)
      },
      ports: s.ports.map {
        ProxyEndpointSlice.Port(name: $0.name, port: $0.port, proto: proto($0.protocol))
      })
  }

  static func node(_ n: Node) -> ProxyNode {
    ProxyNode(
      name: n.name, ips: [n.internalIP],
      podCIDR: n.podCIDR ?? CIDR(network: n.internalIP, prefixLength: n.internalIP.family.bitWidth),
      zone: n.zone, labels: n.metadata.labels)
  }

  static func pod(_ p: Pod) -> ProxyPod? {
    guard !p.nodeName.isEmpty, !p.podIPs.isEmpty, !p.phase.isTerminal else { return nil }
    return ProxyPod(
      namespace: p.namespace, name: p.name, ips: p.podIPs, nodeName: p.nodeName,
      hostNetwork: p.hostNetwork,
      listening: p.ports.map { ProxyListen(port: $0.containerPort, proto: proto($0.protocol)) })
  }
}

extension ProxyServicePort {
  /// This port with the balancer IPs kube-proxy skips (ingress `ipMode: Proxy`).
  func withProxyModeIngress(_ ips: [IPAddress]) -> ProxyServicePort {
    var port = self
    port.proxyModeIngressIPs = ips
    return port
  }
}

/// The last `capacity` connections `connect` made, by id: what `trace(result)` shows of one.
struct RecentConnections {
  struct Entry {
    var id: Int
    var lookup: Lookup?
    var outcome: ConnectOutcome
  }

  static let capacity = 4096
  private var entries: [Entry?] = Array(repeating: nil, count: capacity)

  mutating func add(id: Int, lookup: Lookup?, outcome: ConnectOutcome) {
    entries[id % Self.capacity] = Entry(id: id, lookup: lookup, outcome: outcome)
  }

  /// The connection `id`, unless more than `capacity` others were made since.
  func find(_ id: Int) -> Entry? {
    guard id > 0, let e = entries[id % Self.capacity], e.id == id else { return nil }
    return e
  }
}
