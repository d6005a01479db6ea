import NetAddr

/// The endpoints controller (`pkg/controller/endpoint`) and the EndpointSlice mirroring
/// controller (`pkg/controller/endpointslicemirroring`), run synchronously.
///
/// The endpoints controller keeps one v1 Endpoints object per Service that has a selector
/// (and is not ExternalName), recomputed in full on every sync as its `syncService` does.
/// The mirroring controller copies Endpoints the user wrote for a Service without a selector
/// into EndpointSlices.
extension Cluster {
  /// `maxCapacity` of the endpoints controller.
  public static let endpointsMaxCapacity = 1000
  /// The `managed-by` value of mirrored slices.
  public static let mirroringControllerName = "endpointslicemirroring-controller.k8s.io"
  /// `--mirroring-max-endpoints-per-subset` (default 1000).
  public static let mirroringMaxEndpointsPerSubset = 1000

  /// Both controllers' sync for one Service key (after the Service, its pods or its
  /// Endpoints changed).
  func syncEndpointsControllers(_ key: NamespacedName) {
    syncEndpoints(key)
    mirrorEndpoints(key)
  }

  /// Syncs the Endpoints of every Service a pod change marked during the call.
  func flushEndpoints() {
    guard !endpointsDirty.isEmpty else { return }
    let keys = endpointsDirty.sorted()
    endpointsDirty = []
    for k in keys { syncEndpoints(k) }
  }

  /// `syncService` of the endpoints controller.
  func syncEndpoints(_ key: NamespacedName) {
    guard let svc = serviceStore[key] else {
      // The Service is gone: its Endpoints go too, whoever wrote them.
      if endpointsStore[key] != nil { putEndpoints(key, nil) }
      return
    }
    // ExternalName Services and Services without a selector get nothing from this
    // controller; what is there (user-written or left from an earlier selector) stays.
    guard svc.spec.type != .externalName, let selector = svc.spec.selector, !selector.isEmpty else {
      return
    }
    let pods = podIndex.matching(namespace: key.namespace, selector: selector).compactMap {
      podStore[$0]
    }
    let (subsets, truncated) = EndpointsSubsets.truncate(
      EndpointsSubsets.repack(EndpointsSubsets.perPod(svc, pods)))
    var labels = svc.metadata.labels
    if svc.spec.clusterIP.isEmpty || svc.spec.isHeadless {
      labels[WellKnownLabel.headless] = ""
    } else {
      labels[WellKnownLabel.headless] = nil
    }
    var ep =
      endpointsStore[key]
      ?? V1Endpoints(metadata: newMeta(name: key.name, namespace: key.namespace, labels: [:]))
    let before = endpointsStore[key]
    ep.metadata.labels = labels
    ep.metadata.annotations[EndpointsAnnotation.overCapacity] = truncated ? "truncated" : nil
    ep.subsets = subsets
    if before != ep { putEndpoints(key, ep) }
  }

  /// The mirroring controller's sync for one Endpoints key: a Service without a selector
  /// whose Endpoints exist (and are not marked skip-mirror or leader-election) gets one slice
  /// per address type and port set, at most 1000 endpoints of each subset mirrored; any other
  /// case leaves no mirrored slices.
  func mirrorEndpoints(_ key: NamespacedName) {
    let existing = (slicesByService[key] ?? []).sorted()
      .compactMap { sliceStore[NamespacedName(namespace: key.namespace, name: $0)] }
      .filter { $0.managedBy == Cluster.mirroringControllerName }
    guard let ep = endpointsStore[key], let svc = serviceStore[key],
      (svc.spec.selector ?? [:]).isEmpty,
      ep.metadata.labels[EndpointsAnnotation.skipMirror] != "true",
      ep.metadata.annotations[EndpointsAnnotation.leaderElection] == nil
    else {
      for s in existing { putSlice(s.key, nil) }
      return
    }
    let desired = EndpointsMirroring.desired(ep)
    var byKey: [MirrorKey: [EndpointSlice]] = [:]
    for s in existing {
      byKey[MirrorKey(type: s.addressType, ports: s.ports), default: []].append(s)
    }
    for k in desired.order {
      let endpoints = desired.endpoints[k] ?? []
      var slices = byKey[k] ?? []
      byKey[k] = nil
      let first = slices.isEmpty ? nil : slices.removeFirst()
      for extra in slices { putSlice(extra.key, nil) }
      var s = first ?? newMirroredSlice(ep, k)
      s.metadata.labels = EndpointsMirroring.labels(ep)
      s.metadata.annotations = EndpointsMirroring.annotations(ep)
      s.endpoints = endpoints
      if sliceStore[s.key] != s { putSlice(s.key, s) }
    }
    for (_, slices) in byKey { for s in slices { putSlice(s.key, nil) } }
  }

  private func newMirroredSlice(_ ep: V1Endpoints, _ k: MirrorKey) -> EndpointSlice {
    var name: String
    repeat {
      name = NameAlphabet.generateName(base: ep.name + "-", using: &random)
    } while sliceStore[NamespacedName(namespace: ep.namespace, name: name)] != nil
    var meta = newMeta(name: name, namespace: ep.namespace, labels: [:])
    meta.ownerReferences = [OwnerReference(apiVersion: "v1", kind: "Endpoints", name: ep.name)]
    return EndpointSlice(metadata: meta, addressType: k.type, endpoints: [], ports: k.ports)
  }
}

/// A group of mirrored slices: address type and port set (`addrTypePortMapKey`).
struct MirrorKey: Hashable {
  var type: AddressType
  var ports: [EndpointPort]
}

/// The endpoints controller's subset arithmetic, as pure functions.
public enum EndpointsSubsets {
  /// One single-address subset per pod and Service port, as `syncService` builds them before
  /// repacking: only pods that should be in endpoints (not terminal, with an IP, not being
  /// deleted unless publishNotReadyAddresses), the pod IP of the Service's primary family,
  /// `hostname` when the pod's subdomain names the Service, ports resolved by `FindPort`
  /// (pods lacking a named port are skipped for that port), a headless Service without ports
  /// getting port-less subsets.
  static func perPod(_ svc: Service, _ pods: [Pod]) -> [EndpointSubset] {
    let family = svc.spec.ipFamilies.first ?? .v4
    var out: [EndpointSubset] = []
    for pod in pods {
      guard !pod.phase.isTerminal, !pod.podIPs.isEmpty else { continue }
      if pod.isTerminating && !svc.spec.publishNotReadyAddresses { continue }
      guard let ip = pod.podIPs.first(where: { $0.family == family }) else { continue }
      var addr = EndpointAddress(
        ip: ip.description, nodeName: pod.nodeName,
        targetRef: ObjectReference(kind: "Pod", namespace: pod.namespace, name: pod.name))
      if let h = pod.hostname, !h.isEmpty, pod.subdomain == svc.name, pod.namespace == svc.namespace
      {
        addr.hostname = h
      }
      let ready = svc.spec.publishNotReadyAddresses || pod.ready
      func subset(_ ports: [EndpointPort]) -> EndpointSubset {
        ready
          ? EndpointSubset(addresses: [addr], ports: ports)
          : EndpointSubset(notReadyAddresses: [addr], ports: ports)
      }
      if svc.spec.ports.isEmpty {
        if svc.spec.isHeadless { out.append(subset([])) }
        continue
      }
      for sp in svc.spec.ports {
        let number: Int?
        switch sp.targetPort ?? .int(sp.port) {
        case .int(let n): number = n
        case .string(let name):
          number = pod.ports.first { $0.name == name && $0.protocol == sp.protocol }?.containerPort
        }
        guard let number else { continue }
        out.append(
          subset([
            EndpointPort(
              name: sp.name, port: number, protocol: sp.protocol, appProtocol: sp.appProtocol)
          ]))
      }
    }
    return out
  }

  /// `endpoints.RepackSubsets`: maps each port to the addresses offering it (an address ready
  /// for a port in any subset counts as ready), then groups ports whose address sets (with
  /// readiness) are equal into one subset. Addresses are sorted by IP text then pod, ports and
  /// subsets in a fixed order (upstream orders those two by a hash of their contents, which
  /// no reader may rely on; the lab orders ports by name, number and protocol, subsets by
  /// their first address then ports).
  public static func repack(_ subsets: [EndpointSubset]) -> [EndpointSubset] {
    struct AddrKey: Hashable {
      var ip: String
      var ref: ObjectReference?
    }
    let sentinel = EndpointPort(name: "", port: -1)
    var first: [AddrKey: EndpointAddress] = [:]
    var byPort: [EndpointPort: [AddrKey: Bool]] = [:]
    var portOrder: [EndpointPort] = []
    func note(_ a: EndpointAddress, _ port: EndpointPort, _ ready: Bool) {
      let k = AddrKey(ip: a.ip, ref: a.targetRef)
      if first[k] == nil { first[k] = a }
      if byPort[port] == nil {
        portOrder.append(port)
        byPort[port] = [:]
      }
      if byPort[port]?[k] != true { byPort[port]?[k] = ready }
    }
    for s in subsets {
      for port in s.ports.isEmpty ? [sentinel] : s.ports {
        for a in s.addresses { note(a, port, true) }
        for a in s.notReadyAddresses { note(a, port, false) }
      }
    }
    var groups: [[AddrKey: Bool]: [EndpointPort]] = [:]
    var groupOrder: [[AddrKey: Bool]] = []
    for port in portOrder {
      let set = byPort[port] ?? [:]
      if groups[set] == nil {
        groupOrder.append(set)
        groups[set] = []
      }
      if port.port > 0 { groups[set]?.append(port) }
    }
    let less = { (a: EndpointAddress, b: EndpointAddress) -> Bool in
      if a.ip != b.ip { return a.ip.utf8.lexicographicallyPrecedes(b.ip.utf8) }
      return (a.targetRef?.name ?? "") < (b.targetRef?.name ?? "")
    }
    var out: [EndpointSubset] = []
    for set in groupOrder {
      var s = EndpointSubset()
      for (k, ready) in set {
        guard let a = first[k] else { continue }
        if ready { s.addresses.append(a) } else { s.notReadyAddresses.append(a) }
      }
      s.addresses.sort(by: less)
      s.notReadyAddresses.sort(by: less)
      s.ports = (groups[set] ?? []).sorted {
        ($0.name, $0.port, $0.protocol.rawValue) < ($1.name, $1.port, $1.protocol.rawValue)
      }
      out.append(s)
    }
    return out.sorted { a, b in
      let x = (a.addresses + a.notReadyAddresses).min(by: less)?.ip ?? ""
      let y = (b.addresses + b.notReadyAddresses).min(by: less)?.ip ?? ""
      if x != y { return x.utf8.lexicographicallyPrecedes(y.utf8) }
      return a.ports.map { "\($0.name)/\($0.port)" }.joined(separator: ",")
        < b.ports.map { "\($0.name)/\($0.port)" }.joined(separator: ",")
    }
  }

  /// `truncateEndpoints`: beyond 1000 addresses, keeps ready addresses first, spreading the
  /// room over the subsets in proportion (rounded up, the last subset taking what is left);
  /// returns whether anything was dropped (the controller then sets the over-capacity
  /// annotation to "truncated").
  public static func truncate(
    _ subsets: [EndpointSubset], max capacity: Int = Cluster.endpointsMaxCapacity
  )
    -> ([EndpointSubset], Bool)
  {
    let ready = subsets.reduce(0) { $0 + $1.addresses.count }
    let notReady = subsets.reduce(0) { $0 + $1.notReadyAddresses.count }
    guard ready + notReady > capacity else { return (subsets, false) }
    let truncateReady = ready > capacity
    let room = truncateReady ? capacity : capacity - ready
    let total = truncateReady ? ready : notReady
    var canAdd = room
    var out = subsets
    for i in out.indices {
      let n = truncateReady ? out[i].addresses.count : out[i].notReadyAddresses.count
      var take = Int((Double(n) / Double(total) * Double(room)).rounded(.up))
      if take > canAdd { take = canAdd }
      if truncateReady {
        out[i].addresses = Array(out[i].addresses.prefix(take))
        out[i].notReadyAddresses = []
        canAdd -= out[i].addresses.count
      } else {
        out[i].notReadyAddresses = Array(out[i].notReadyAddresses.prefix(take))
        canAdd -= out[i].notReadyAddresses.count
      }
    }
    return (out, true)
  }
}

/// What the mirroring controller writes for one Endpoints object.
enum EndpointsMirroring {
  struct Desired {
    var order: [MirrorKey] = []
    var endpoints: [MirrorKey: [Endpoint]] = [:]
  }

  /// Desired slices' endpoints by address type and port set: each subset mirrors at most
  /// 1000 addresses (ready ones first), invalid IPs are skipped, an address already mirrored
  /// for the same key is not repeated.
  static func desired(_ ep: V1Endpoints) -> Desired {
    var d = Desired()
    var seen: [MirrorKey: Set<String>] = [:]
    for subset in ep.subsets {
      var added = 0
      let all = subset.addresses.map { ($0, true) } + subset.notReadyAddresses.map { ($0, false) }
      for (a, ready) in all {
        if added >= Cluster.mirroringMaxEndpointsPerSubset { break }
        guard let ip = IPAddress(a.ip) else { continue }
        added += 1
        let k = MirrorKey(type: AddressType(ip.family), ports: subset.ports)
        if d.endpoints[k] == nil {
          d.order.append(k)
          d.endpoints[k] = []
        }
        guard seen[k, default: []].insert(ip.description).inserted else { continue }
        d.endpoints[k]?.append(
          Endpoint(
            addresses: [ip.description], conditions: EndpointConditions(ready: ready),
            hostname: (a.hostname?.isEmpty ?? true) ? nil : a.hostname, nodeName: a.nodeName,
            targetRef: a.targetRef))
      }
    }
    return d
  }

  /// The Endpoints' labels plus the service-name and managed-by labels.
  static func labels(_ ep: V1Endpoints) -> [String: String] {
    var l = ep.metadata.labels
    l[WellKnownLabel.serviceName] = ep.name
    l[WellKnownLabel.managedBy] = Cluster.mirroringControllerName
    return l
  }

  /// The Endpoints' annotations but the trigger time and the last-applied configuration.
  static func annotations(_ ep: V1Endpoints) -> [String: String] {
    var a = ep.metadata.annotations
    a["endpoints.kubernetes.io/last-change-trigger-time"] = nil
    a["kubectl.kubernetes.io/last-applied-configuration"] = nil
    return a
  }
}
