import Cluster
import CoreDNS
import NetAddr

/// CoreDNS's view of the cluster: translates each cluster change into the DNS server's own
/// cut-down objects, so one Service or EndpointSlice change touches only its own names.
final class DNSFollower: ClusterFollower {
  let server: DNSServer
  /// The CoreDNS pods (kube-system, k8s-app=kube-dns) whose IPs are CoreDNS's own addresses.
  private var corePods: [NamespacedName: IPAddress] = [:]
  /// The last conversion of each EndpointSlice, so that a change converts only the new
  /// version (the previous one is what was converted last time).
  private var slices: [NamespacedName: DNSEndpointSlice] = [:]

  init(domain: String) {
    server = DNSServer(settings: DNSSettings.kubeadm(domain: domain))
  }

  func load(from cluster: Cluster) {
    for ns in cluster.namespaces() { apply(.namespace(previous: nil, current: ns), in: cluster) }
    for s in cluster.services() { apply(.service(previous: nil, current: s), in: cluster) }
    for s in cluster.endpointSlices() {
      apply(.endpointSlice(previous: nil, current: s), in: cluster)
    }
    for p in cluster.pods() { apply(.pod(previous: nil, current: p), in: cluster) }
  }

  func apply(_ change: ClusterChange, in cluster: Cluster) {
    let t = Int64(cluster.now)
    switch change {
    case .namespace(let old, let new):
      server.apply(.namespace(old: old.map(Self.namespace), new: new.map(Self.namespace)), at: t)
    case .service(let old, let new):
      server.apply(.service(old: old.map(Self.service), new: new.map(Self.service)), at: t)
    case .endpointSlice(let old, let new):
      let previous = old.flatMap { slices[$0.key] ?? Self.slice($0) }
      let reuse = old.flatMap { o in previous.map { (o, $0) } }
      let current = new.flatMap { Self.slice($0, reusing: reuse) }
      if let key = (new ?? old)?.key { slices[key] = current }
      server.apply(.endpointSlice(old: previous, new: current), at: t)
    case .pod(let old, let new):
      server.apply(.pod(old: old.flatMap(Self.pod), new: new.flatMap(Self.pod)), at: t)
      trackCoreDNS(old: old, new: new)
    case .node, .deployment, .endpoints:
      break
    }
  }

  /// Keeps CoreDNS's own addresses (NS glue) in step with its pods. Each CoreDNS instance
  /// knows only its own interfaces, so the answering instance (the first pod by name) gives
  /// one address, not one per replica.
  private func trackCoreDNS(old: Pod?, new: Pod?) {
    let isCore = { (p: Pod) in p.namespace == "kube-system" && p.labels["k8s-app"] == "kube-dns" }
    guard (old.map(isCore) ?? false) || (new.map(isCore) ?? false) else { return }
    if let old { corePods[old.key] = nil }
    if let new, isCore(new), let ip = new.podIP, !new.isTerminating { corePods[new.key] = ip }
    server.localAddresses = corePods.min { $0.key < $1.key }.map { [$0.value] } ?? []
  }

  static func namespace(_ ns: Namespace) -> DNSNamespace { DNSNamespace(name: ns.name) }

  static func service(_ s: Service) -> DNSService {
    let kind: DNSServiceKind =
      s.spec.type == .externalName ? .externalName : (s.spec.isHeadless ? .headless : .clusterIP)
    return DNSService(
      namespace: s.namespace, name: s.name, kind: kind,
      clusterIPs: kind == .clusterIP ? s.clusterIPAddresses : [],
      externalName: s.spec.externalName,
      ports: s.spec.ports.map {
        DNSServicePort(name: $0.name, protocol: $0.protocol.rawValue, port: $0.port)
      },
      labels: s.metadata.labels)
  }

  /// Converts a slice; with `reusing` (the previous version and its conversion), endpoints
  /// equal to the previous version's at the same position keep their conversion, so that one
  /// endpoint's change costs one endpoint's conversion, not the slice's.
  static func slice(
    _ s: EndpointSlice, reusing previous: (EndpointSlice, DNSEndpointSlice)? = nil
  ) -> DNSEndpointSlice? {
    guard let service = s.serviceName, s.addressType != .fqdn else { return nil }
    return DNSEndpointSlice(
      namespace: s.namespace, name: s.name, serviceName: service,
      addressType: s.addressType.rawValue,
      endpoints: convertReusing(
        s.endpoints, previous: previous?.0.endpoints, converted: previous?.1.endpoints
      ) { e in
        DNSEndpoint(
          addresses: e.addresses.compactMap { IPAddress($0) }, hostname: e.hostname,
          ready: e.conditions.ready, nodeName: e.nodeName,
          targetPodName: e.targetRef?.kind == "Pod" ? e.targetRef?.name : nil)
      },
      ports: s.ports.map {
        DNSServicePort(name: $0.name, protocol: $0.protocol.rawValue, port: $0.port)
      })
  }

  static func pod(_ p: Pod) -> DNSPod? {
    guard let ip = p.podIP else { return nil }
    return DNSPod(
      namespace: p.namespace, name: p.name, ip: ip, terminating: p.isTerminating,
      running: p.phase == .running)
  }
}
