import NetAddr

/// The EndpointSlice controller (`pkg/controller/endpointslice`), run synchronously.
///
/// A Service change reconciles that Service's slices in full, as the controller's
/// `reconcileByAddressType` does. A pod change touches only the Services in its namespace
/// whose selector matches its old or new labels, and there only the slice holding the pod's
/// endpoint, so a change stays proportional to one slice.
extension Cluster {
  static let controllerName = "endpointslice-controller.k8s.io"
  static let maxEndpointsPerSlice = 100

  /// Whether the controller manages slices for `svc` (selector set, not ExternalName).
  func managesSlices(_ svc: Service) -> Bool {
    svc.spec.type != .externalName && !(svc.spec.selector ?? [:]).isEmpty
  }

  /// Address types of a Service's slices, one per IP family.
  func addressTypes(_ svc: Service) -> [AddressType] { svc.spec.ipFamilies.map(AddressType.init) }

  /// The endpoint and ports a pod contributes to `svc` for `type` (`podToEndpoint`), or nil
  /// when it contributes none: terminal phase, no address of that family, unknown node.
  func desiredEndpoint(
    _ pod: Pod, _ svc: Service, _ type: AddressType
  ) -> (Endpoint, [EndpointPort])? {
    guard !pod.phase.isTerminal, !pod.podIPs.isEmpty else { return nil }
    guard selectorMatches(svc.spec.selector ?? [:], pod.labels), !(svc.spec.selector ?? [:]).isEmpty
    else { return nil }
    let node = nodeStore[pod.nodeName]
    if node == nil && !svc.spec.publishNotReadyAddresses { return nil }
    let addrs = pod.podIPs.filter { AddressType($0.family) == type }.map(\.description)
    guard !addrs.isEmpty else { return nil }
    let serving = pod.ready
    let term = pod.isTerminating
    let ready = svc.spec.publishNotReadyAddresses || (serving && !term)
    var ep = Endpoint(
      addresses: addrs,
      conditions: EndpointConditions(ready: ready, serving: serving, terminating: term),
      nodeName: pod.nodeName.isEmpty ? nil : pod.nodeName, zone: node?.zone,
      targetRef: ObjectReference(kind: "Pod", namespace: pod.namespace, name: pod.name))
    if let h = pod.hostname, !h.isEmpty, pod.subdomain == svc.name, pod.namespace == svc.namespace {
      ep.hostname = h
    }
    ep.hints = hints(svc, ep)
    return (ep, endpointPorts(pod, svc))
  }

  /// Topology hints for `trafficDistribution`, as the EndpointSlice controller's
  /// `trafficdist.ReconcileHints` (k8s.io/endpointslice) sets them: ready endpoints only; a hint
  /// for the endpoint's zone when it has one, and for PreferSameNode one for its node when it has
  /// one; no hints for any other value.
  private func hints(_ svc: Service, _ ep: Endpoint) -> EndpointHints? {
    guard let d = svc.spec.trafficDistribution, ep.conditions.ready == true,
      [.preferClose, .preferSameZone, .preferSameNode].contains(d)
    else { return nil }
    let zones = ep.zone.map { [$0] } ?? []
    let nodes = d == .preferSameNode ? (ep.nodeName.map { [$0] } ?? []) : []
    return zones.isEmpty && nodes.isEmpty ? nil : EndpointHints(forZones: zones, forNodes: nodes)
  }

  /// The Service ports resolved for one pod (`getEndpointPorts`): a named targetPort is looked
  /// up among the pod's container ports of the same protocol; ports it lacks are skipped.
  func endpointPorts(_ pod: Pod, _ svc: Service) -> [EndpointPort] {
    svc.spec.ports.compactMap { sp in
      let number: Int?
      switch sp.targetPort ?? .int(sp.port) {
      case .int(let n): number = n
      case .string(let name):
        number = pod.ports.first { $0.name == name && $0.protocol == sp.protocol }?.containerPort
      }
      return number.map {
        EndpointPort(name: sp.name, port: $0, protocol: sp.protocol, appProtocol: sp.appProtocol)
      }
    }
  }

  /// Managed slices of a Service for one address type, by name.
  func managedSlices(_ key: NamespacedName, _ type: AddressType) -> [EndpointSlice] {
    (slicesByService[key] ?? []).sorted().compactMap {
      sliceStore[NamespacedName(namespace: key.namespace, name: $0)]
    }
    .filter { $0.managedBy == Cluster.controllerName && $0.addressType == type }
  }

  /// Labels the controller writes on a Service's slices.
  func sliceLabels(_ svc: Service) -> [String: String] {
    var labels = svc.metadata.labels
    labels[WellKnownLabel.serviceName] = svc.name
    labels[WellKnownLabel.managedBy] = Cluster.controllerName
    if svc.spec.isHeadless {
      labels[WellKnownLabel.headless] = ""
    } else {
      labels[WellKnownLabel.headless] = nil
    }
    return labels
  }

  /// A new, empty slice for `svc` with a generated `<service>-<5 chars>` name.
  func newSlice(_ svc: Service, _ type: AddressType, ports: [EndpointPort]) -> EndpointSlice {
    var name: String
    repeat {
      name = NameAlphabet.generateName(base: svc.name + "-", using: &random)
    } while sliceStore[NamespacedName(namespace: svc.namespace, name: name)] != nil
    var meta = newMeta(name: name, namespace: svc.namespace, labels: sliceLabels(svc))
    meta.ownerReferences = [OwnerReference(apiVersion: "v1", kind: "Service", name: svc.name)]
    return EndpointSlice(metadata: meta, addressType: type, endpoints: [], ports: ports)
  }
}
