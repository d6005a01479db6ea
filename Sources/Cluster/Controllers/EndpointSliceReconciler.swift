import NetAddr

/// Full and incremental reconciliation of a Service's EndpointSlices.
extension Cluster {
  /// Runs the controllers that follow a Service (after it changed or went away): the
  /// EndpointSlice controller, the endpoints controller and the mirroring controller.
  func reconcileService(_ key: NamespacedName) {
    reconcileServiceSlices(key)
    syncEndpointsControllers(key)
  }

  /// Reconciles every slice of one Service.
  func reconcileServiceSlices(_ key: NamespacedName) {
    guard let svc = serviceStore[key], managesSlices(svc) else {
      for name in (slicesByService[key] ?? []).sorted() {
        let sk = NamespacedName(namespace: key.namespace, name: name)
        if sliceStore[sk]?.managedBy == Cluster.controllerName { putSlice(sk, nil) }
      }
      endpointHome[key] = nil
      fillTarget[key] = nil
      return
    }
    let types = addressTypes(svc)
    for name in (slicesByService[key] ?? []).sorted() {
      let sk = NamespacedName(namespace: key.namespace, name: name)
      if let s = sliceStore[sk], s.managedBy == Cluster.controllerName,
        !types.contains(s.addressType)
      {
        putSlice(sk, nil)
      }
    }
    let pods = podIndex.matching(namespace: key.namespace, selector: svc.spec.selector ?? [:])
      .compactMap { podStore[$0] }
    var homes: [AddressType: [NamespacedName: String]] = [:]
    for type in types {
      var desired: [NamespacedName: (Endpoint, [EndpointPort])] = [:]
      for pod in pods { if let d = desiredEndpoint(pod, svc, type) { desired[pod.key] = d } }
      homes[type] = reconcileSlices(svc, type, desired)
    }
    endpointHome[key] = homes
  }

  /// `reconcileByAddressType`: keeps endpoints where they are when their slice's ports still
  /// fit, fills the fullest slices with room, then opens new slices of at most 100; an empty
  /// Service keeps one placeholder slice. Returns where each pod's endpoint now lives.
  private func reconcileSlices(
    _ svc: Service, _ type: AddressType, _ desired: [NamespacedName: (Endpoint, [EndpointPort])]
  ) -> [NamespacedName: String] {
    var home: [NamespacedName: String] = [:]
    var work: [EndpointSlice] = []
    let original = managedSlices(svc.key, type)
    for slice in original {
      var s = slice
      s.metadata.labels = sliceLabels(svc)
      s.endpoints = slice.endpoints.compactMap { ep in
        guard let pk = podKey(ep, svc.namespace), home[pk] == nil, let d = desired[pk],
          d.1 == slice.ports
        else { return nil }
        home[pk] = s.name
        return d.0
      }
      work.append(s)
    }
    var groups: [[EndpointPort]: [(NamespacedName, Endpoint)]] = [:]
    for (pk, d) in desired where home[pk] == nil { groups[d.1, default: []].append((pk, d.0)) }
    for ports in groups.keys.sorted(by: { "\($0)" < "\($1)" }) {
      var eps = EndpointOrder.sorted(groups[ports] ?? [])[...]
      let fill = work.indices.filter { work[$0].ports == ports && !work[$0].endpoints.isEmpty }
        .sorted { work[$0].endpoints.count > work[$1].endpoints.count }
      for i in fill {
        while work[i].endpoints.count < Cluster.maxEndpointsPerSlice, let (pk, ep) = eps.first {
          eps = eps.dropFirst()
          work[i].endpoints.append(ep)
          home[pk] = work[i].name
        }
      }
      while !eps.isEmpty {
        var s = newSlice(svc, type, ports: ports)
        for (pk, ep) in eps.prefix(Cluster.maxEndpointsPerSlice) {
          s.endpoints.append(ep)
          home[pk] = s.name
        }
        eps = eps.dropFirst(Cluster.maxEndpointsPerSlice)
        work.append(s)
      }
    }
    writeSlices(svc, type, work)
    return home
  }

  /// Stores the worked-on slices, deleting emptied ones and keeping a placeholder if none is left.
  private func writeSlices(_ svc: Service, _ type: AddressType, _ work: [EndpointSlice]) {
    let keep = work.filter { !$0.endpoints.isEmpty }
    var placeholder: EndpointSlice?
    if keep.isEmpty {
      if var p = work.first(where: { $0.ports.isEmpty }) {
        p.metadata.labels = sliceLabels(svc)
        placeholder = p
      } else {
        placeholder = newSlice(svc, type, ports: [])
      }
    }
    let survivors = keep + (placeholder.map { [$0] } ?? [])
    let names = Set(survivors.map(\.name))
    for s in work where !names.contains(s.name) { putSlice(s.key, nil) }
    for s in survivors where sliceStore[s.key] != s { putSlice(s.key, s) }
  }

  /// The pod a controller-written endpoint refers to.
  func podKey(_ ep: Endpoint, _ namespace: String) -> NamespacedName? {
    guard let ref = ep.targetRef, ref.kind == "Pod" else { return nil }
    return NamespacedName(namespace: ref.namespace, name: ref.name)
  }

  /// Updates the Services a pod change concerns: those in its namespace whose selector
  /// matches its old or new labels.
  func podChangedForEndpoints(old: Pod?, new: Pod?) {
    guard let any = new ?? old else { return }
    // Most changes (readiness, phase, deletion) keep the labels: look them up once.
    let sameLabels = old?.labels == new?.labels
    var candidates = Set<NamespacedName>()
    for labels in sameLabels ? [new?.labels] : [old?.labels, new?.labels] {
      for (k, v) in labels ?? [:] {
        candidates.formUnion(
          serviceSelectorIndex[LabelPair(namespace: any.namespace, key: k, value: v)] ?? [])
      }
    }
    for key in candidates.sorted() {
      guard let svc = serviceStore[key], managesSlices(svc) else { continue }
      let sel = svc.spec.selector ?? [:]
      let matchesNew = new.map({ selectorMatches(sel, $0.labels) }) == true
      guard matchesNew || (!sameLabels && old.map({ selectorMatches(sel, $0.labels) }) == true)
      else { continue }
      for type in addressTypes(svc) { syncPodEndpoint(svc, type, any.key, new) }
      noteEndpointsChange(key, PodChange(old: old, new: new))
    }
  }

  /// Moves one pod's endpoint within a Service's slices of one address type.
  private func syncPodEndpoint(
    _ svc: Service, _ type: AddressType, _ pk: NamespacedName, _ pod: Pod?
  ) {
    let desired = pod.flatMap { desiredEndpoint($0, svc, type) }
    var sliceSetChanged = false
    if let homeName = endpointHome[svc.key]?[type]?[pk],
      var slice = sliceStore[NamespacedName(namespace: svc.namespace, name: homeName)]
    {
      let isPods = { (ep: Endpoint) in
        ep.targetRef?.name == pk.name && ep.targetRef?.namespace == pk.namespace
          && ep.targetRef?.kind == "Pod"
      }
      // The pod's address (a short string, compared in two words) rules the other endpoints
      // out before their names are compared; the names alone decide only when the pod has no
      // address now or its endpoint still holds another.
      let address = desired?.0.addresses.first
      let byAddress = address.flatMap { a in
        slice.endpoints.firstIndex { $0.addresses.first == a && isPods($0) }
      }
      let idx = byAddress ?? slice.endpoints.firstIndex(where: isPods)
      if let desired, desired.1 == slice.ports, let idx {
        if slice.endpoints[idx] != desired.0 {
          slice.endpoints[idx] = desired.0
          putSlice(slice.key, slice)
        }
        return
      }
      if let idx { slice.endpoints.remove(at: idx) }
      endpointHome[svc.key]?[type]?[pk] = nil
      sliceSetChanged = slice.endpoints.isEmpty
      putSlice(slice.key, slice.endpoints.isEmpty ? nil : slice)
    }
    if let desired {
      sliceSetChanged = placeEndpoint(svc, type, pk, desired.0, desired.1) || sliceSetChanged
    }
    if sliceSetChanged { ensurePlaceholder(svc, type) }
  }

  /// Adds an endpoint to the slice last filled for that port set when it still has room,
  /// else to the fullest slice with room, else to a new slice. Returns whether a slice was
  /// created.
  private func placeEndpoint(
    _ svc: Service, _ type: AddressType, _ pk: NamespacedName, _ ep: Endpoint,
    _ ports: [EndpointPort]
  ) -> Bool {
    let fits = { (s: EndpointSlice) in
      s.managedBy == Cluster.controllerName && s.addressType == type && s.ports == ports
        && !s.endpoints.isEmpty && s.endpoints.count < Cluster.maxEndpointsPerSlice
    }
    var target: EndpointSlice?
    if let last = fillTarget[svc.key]?[type],
      let s = sliceStore[NamespacedName(namespace: svc.namespace, name: last)],
      s.serviceName == svc.name, fits(s)
    {
      target = s
    } else {
      target = managedSlices(svc.key, type).filter(fits)
        .max { ($0.endpoints.count, $1.name) < ($1.endpoints.count, $0.name) }
    }
    let created = target == nil
    var slice = target ?? newSlice(svc, type, ports: ports)
    slice.endpoints.append(ep)
    putSlice(slice.key, slice)
    endpointHome[svc.key, default: [:]][type, default: [:]][pk] = slice.name
    fillTarget[svc.key, default: [:]][type] = slice.name
    return created
  }

  /// Keeps exactly one empty placeholder when a Service has no endpoints, none otherwise.
  private func ensurePlaceholder(_ svc: Service, _ type: AddressType) {
    let slices = managedSlices(svc.key, type)
    let empty = slices.filter { $0.endpoints.isEmpty }
    if slices.count == empty.count {
      if empty.isEmpty {
        let p = newSlice(svc, type, ports: [])
        putSlice(p.key, p)
      }
      for extra in empty.dropFirst() { putSlice(extra.key, nil) }
    } else {
      for e in empty { putSlice(e.key, nil) }
    }
  }
}

/// The order endpoints are written in: by address.
enum EndpointOrder {
  /// `items` ordered by their endpoints' first address (as an IP), then target pod name; each
  /// address is parsed once, not at every comparison.
  static func sorted<T>(_ items: [(T, Endpoint)]) -> [(T, Endpoint)] {
    items.map { (item: $0, ip: $0.1.addresses.first.flatMap(IPAddressText.parse)) }
      .sorted { less($0.item.1, $1.item.1, $0.ip, $1.ip) }
      .map(\.item)
  }

  private static func less(_ a: Endpoint, _ b: Endpoint, _ x: IPAddress?, _ y: IPAddress?) -> Bool {
    if let x, let y, x != y { return x < y }
    return (a.targetRef?.name ?? "") < (b.targetRef?.name ?? "")
  }
}
