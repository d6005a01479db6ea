import NetAddr

/// The endpoints controller (`pkg/controller/endpoint`) and the EndpointSlice mirroring
/// controller (`pkg/controller/endpointslicemirroring`). Both run synchronously, except that
/// pod changes wait in the endpoints controller's queue until its output is next read or
/// written (`catchUpEndpoints`).
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
  /// The most pod changes of one call applied to a Service's Endpoints in place.
  static let endpointsInPlaceMaxChanges = 16
  /// `--mirroring-max-endpoints-per-subset` (default 1000).
  public static let mirroringMaxEndpointsPerSubset = 1000

  /// Both controllers' sync for one Service key (after the Service, its pods or its
  /// Endpoints changed).
  func syncEndpointsControllers(_ key: NamespacedName) {
    syncEndpoints(key)
    mirrorEndpoints(key)
  }

  /// Marks a Service's Endpoints for the next sync with one pod change. Past
  /// `endpointsInPlaceMaxChanges` the changes are no longer kept: the sync is in full then.
  func noteEndpointsChange(_ key: NamespacedName, _ change: PodChange) {
    var changes = endpointsDirty.removeValue(forKey: key) ?? []
    if changes.count <= Self.endpointsInPlaceMaxChanges { changes.append(change) }
    endpointsDirty[key] = changes
  }

  /// Syncs the Endpoints of every Service a pod change marked since the last sync. Where the
  /// Endpoints are still the controller's own output, the call's pod changes are applied to
  /// them one address at a time (`updateEndpointsInPlace`); otherwise, or when that cannot
  /// give the full sync's result, the Service is synced in full.
  func flushEndpoints() {
    guard !endpointsDirty.isEmpty else { return }
    let dirty = endpointsDirty
    endpointsDirty = [:]
    for k in dirty.keys.sorted() {
      if let changes = dirty[k], updateEndpointsInPlace(k, changes) { continue }
      syncEndpoints(k)
    }
  }

  /// `syncService` of the endpoints controller: the Service's Endpoints computed in full.
  func syncEndpoints(_ key: NamespacedName) {
    // Whatever pod changes were waiting for this Service are part of what is computed now.
    endpointsDirty[key] = nil
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
    let (subsets, truncated) = computedEndpointSubsets(svc, selector)
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
    endpointsOwnOutput.insert(key)
  }

  /// The subsets `syncService` computes for `svc` from the pods `selector` picks, and
  /// whether it truncated them.
  func computedEndpointSubsets(
    _ svc: Service, _ selector: [String: String]
  ) -> ([EndpointSubset], Bool) {
    let pods = podIndex.matching(namespace: svc.namespace, selector: selector).compactMap {
      podStore[$0]
    }
    return EndpointsSubsets.truncate(EndpointsSubsets.repack(EndpointsSubsets.perPod(svc, pods)))
  }

  /// Applies one call's pod changes (in order) to a Service's Endpoints without computing
  /// them again: each change takes the pod's old address out of the one subset and puts its
  /// new one in at its sorted place, which is what `syncService` would write as long as every
  /// address offers that subset's ports and nothing is truncated. Returns false, having
  /// written nothing, when that does not hold: the Endpoints are not the controller's last
  /// output (someone else wrote them since), there is not exactly one subset, the pod offers
  /// other ports, an address is not where the full sync put it, or the capacity is reached.
  private func updateEndpointsInPlace(_ key: NamespacedName, _ changes: [PodChange]) -> Bool {
    // Many changes at once (a Deployment created or scaled by hundreds) cost less in full.
    guard endpointsInPlace, changes.count <= Self.endpointsInPlaceMaxChanges,
      endpointsOwnOutput.contains(key), let svc = serviceStore[key],
      svc.spec.type != .externalName, let selector = svc.spec.selector, !selector.isEmpty,
      let before = endpointsStore[key], before.subsets.count == 1,
      before.metadata.annotations[EndpointsAnnotation.overCapacity] == nil
    else { return false }
    var subset = before.subsets[0]
    for change in changes {
      let old = change.old.flatMap { EndpointsSubsets.contribution(svc, selector, $0) }
      let new = change.new.flatMap { EndpointsSubsets.contribution(svc, selector, $0) }
      if old == new { continue }
      if let old {
        guard old.ports == subset.ports, subset.remove(old.address, ready: old.ready) else {
          return false
        }
      }
      if let new {
        guard new.ports == subset.ports, subset.insert(new.address, ready: new.ready) else {
          return false
        }
      }
    }
    let count = subset.addresses.count + subset.notReadyAddresses.count
    guard count <= Cluster.endpointsMaxCapacity else { return false }
    var ep = before
    ep.subsets = count == 0 ? [] : [subset]
    if before != ep { putEndpoints(key, ep) }
    endpointsOwnOutput.insert(key)
    endpointsUpdatedInPlace += 1
    return true
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
    var out: [EndpointSubset] = []
    for pod in pods {
      guard let c = address(svc, pod) else { continue }
      for ports in c.ports {
        out.append(
          c.ready
            ? EndpointSubset(addresses: [c.address], ports: ports)
            : EndpointSubset(notReadyAddresses: [c.address], ports: ports))
      }
    }
    return out
  }

  /// One pod's address for `svc` (nil when it has none, as in `perPod`), whether it is ready,
  /// and the port lists of its single-address subsets: one list per resolved Service port, or
  /// one empty list for a headless Service without ports.
  private static func address(
    _ svc: Service, _ pod: Pod
  ) -> (address: EndpointAddress, ready: Bool, ports: [[EndpointPort]])? {
    let family = svc.spec.ipFamilies.first ?? .v4
    guard !pod.phase.isTerminal, !pod.podIPs.isEmpty else { return nil }
    if pod.isTerminating && !svc.spec.publishNotReadyAddresses { return nil }
    guard let ip = pod.podIPs.first(where: { $0.family == family }) else { return nil }
    var addr = EndpointAddress(
      ip: ip.description, nodeName: pod.nodeName,
      targetRef: ObjectReference(kind: "Pod", namespace: pod.namespace, name: pod.name))
    if let h = pod.hostname, !h.isEmpty, pod.subdomain == svc.name, pod.namespace == svc.namespace {
      addr.hostname = h
    }
    let ready = svc.spec.publishNotReadyAddresses || pod.ready
    if svc.spec.ports.isEmpty {
      return (addr, ready, svc.spec.isHeadless ? [[]] : [])
    }
    var ports: [[EndpointPort]] = []
    for sp in svc.spec.ports {
      let number: Int?
      switch sp.targetPort ?? .int(sp.port) {
      case .int(let n): number = n
      case .string(let name):
        number = pod.ports.first { $0.name == name && $0.protocol == sp.protocol }?.containerPort
      }
      guard let number else { continue }
      let port = EndpointPort(
        name: sp.name, port: number, protocol: sp.protocol, appProtocol: sp.appProtocol)
      ports.append([port])
    }
    return (addr, ready, ports)
  }

  /// What one pod adds to the repacked subsets of `svc` when it offers its ports as one group:
  /// its address, readiness and ports in the order `repack` writes them. Nil when the pod is
  /// not selected or has no address or port for the Service.
  static func contribution(
    _ svc: Service, _ selector: [String: String], _ pod: Pod
  ) -> Contribution? {
    guard selectorMatches(selector, pod.labels), let c = address(svc, pod), !c.ports.isEmpty
    else { return nil }
    return Contribution(
      address: c.address, ready: c.ready, ports: c.ports.flatMap { $0 }.sorted(by: portPrecedes))
  }

  /// One pod's part of a Service's Endpoints (see `contribution`).
  struct Contribution: Equatable {
    var address: EndpointAddress
    var ready: Bool
    var ports: [EndpointPort]
  }

  /// The order of a subset's ports: by name, number and protocol.
  static func portPrecedes(_ a: EndpointPort, _ b: EndpointPort) -> Bool {
    (a.name, a.port, a.protocol.rawValue) < (b.name, b.port, b.protocol.rawValue)
  }

  /// The order of a subset's addresses: by IP text (byte order), then pod name.
  static func addressPrecedes(_ a: EndpointAddress, _ b: EndpointAddress) -> Bool {
    if a.ip != b.ip { return a.ip.utf8.lexicographicallyPrecedes(b.ip.utf8) }
    return (a.targetRef?.name ?? "") < (b.targetRef?.name ?? "")
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
    let less = addressPrecedes
    var out: [EndpointSubset] = []
    for set in groupOrder {
      var s = EndpointSubset()
      for (k, ready) in set {
        guard let a = first[k] else { continue }
        if ready { s.addresses.append(a) } else { s.notReadyAddresses.append(a) }
      }
      s.addresses.sort(by: less)
      s.notReadyAddresses.sort(by: less)
      s.ports = (groups[set] ?? []).sorted(by: portPrecedes)
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

extension EndpointSubset {
  /// Takes `address` out of the ready or not-ready addresses (kept in `addressPrecedes`
  /// order); false when it is not there as given.
  mutating func remove(_ address: EndpointAddress, ready: Bool) -> Bool {
    ready ? Self.remove(address, from: &addresses) : Self.remove(address, from: &notReadyAddresses)
  }

  /// Puts `address` at its place among the ready or not-ready addresses; false when an
  /// address of the same IP and pod is there already.
  mutating func insert(_ address: EndpointAddress, ready: Bool) -> Bool {
    ready ? Self.insert(address, into: &addresses) : Self.insert(address, into: &notReadyAddresses)
  }

  private static func remove(_ a: EndpointAddress, from list: inout [EndpointAddress]) -> Bool {
    let i = place(a, in: list)
    guard i < list.count, list[i] == a else { return false }
    list.remove(at: i)
    return true
  }

  private static func insert(_ a: EndpointAddress, into list: inout [EndpointAddress]) -> Bool {
    let i = place(a, in: list)
    if i < list.count, !EndpointsSubsets.addressPrecedes(a, list[i]) { return false }
    list.insert(a, at: i)
    return true
  }

  /// The first position whose address does not come before `a`.
  private static func place(_ a: EndpointAddress, in list: [EndpointAddress]) -> Int {
    var low = 0
    var high = list.count
    while low < high {
      let mid = (low + high) / 2
      if EndpointsSubsets.addressPrecedes(list[mid], a) { low = mid + 1 } else { high = mid }
    }
    return low
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
