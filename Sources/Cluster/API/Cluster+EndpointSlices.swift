import NetAddr

/// EndpointSlices: user-written slices for selector-less Services, reads, the flat view.
extension Cluster {
  /// Creates a slice (for a Service without selector): `slice.metadata` gives name,
  /// namespace and labels; `service` sets the `kubernetes.io/service-name` label.
  @discardableResult
  public func createEndpointSlice(
    _ slice: EndpointSlice, service: String? = nil
  ) throws(ClusterError)
    -> EndpointSlice
  {
    try transaction { () throws(ClusterError) in
      try requireNamespace(slice.namespace)
      var s = slice
      if let service { s.metadata.labels[WellKnownLabel.serviceName] = service }
      let errs = EndpointSliceValidation.validate(s)
      if !errs.isEmpty {
        throw .invalid(kind: "EndpointSlice.discovery.k8s.io", name: s.name, errors: errs)
      }
      if sliceStore[s.key] != nil {
        throw .alreadyExists(resource: "endpointslices.discovery.k8s.io", name: s.name)
      }
      let meta = newMeta(name: s.name, namespace: s.namespace, labels: s.metadata.labels)
      s.metadata = ObjectMeta(
        name: meta.name, namespace: meta.namespace, labels: meta.labels,
        annotations: slice.metadata.annotations, creationTimestamp: meta.creationTimestamp,
        ownerReferences: slice.metadata.ownerReferences, uid: meta.uid)
      putSlice(s.key, s)
      return s
    }
  }

  /// Replaces a slice's endpoints, ports and labels (same validation as create; the address
  /// type is immutable). `service` sets the `kubernetes.io/service-name` label; without it
  /// the slice keeps the Service it had. A slice a controller manages is written back by it.
  @discardableResult
  public func updateEndpointSlice(
    _ slice: EndpointSlice, service: String? = nil
  ) throws(ClusterError)
    -> EndpointSlice
  {
    try transaction { () throws(ClusterError) in
      guard let old = sliceStore[slice.key] else {
        throw .notFound(resource: "endpointslices.discovery.k8s.io", name: slice.name)
      }
      var s = old
      s.metadata.labels = slice.metadata.labels
      if let svc = service ?? old.serviceName,
        slice.metadata.labels[WellKnownLabel.serviceName] == nil
      {
        s.metadata.labels[WellKnownLabel.serviceName] = svc
      }
      s.metadata.annotations = slice.metadata.annotations
      s.endpoints = slice.endpoints
      s.ports = slice.ports
      s.addressType = slice.addressType
      var errs = EndpointSliceValidation.validate(s)
      if slice.addressType != old.addressType {
        errs.append(
          .invalid(
            FieldPath("addressType"), .string(slice.addressType.rawValue), "field is immutable"))
      }
      if !errs.isEmpty {
        throw .invalid(kind: "EndpointSlice.discovery.k8s.io", name: s.name, errors: errs)
      }
      putSlice(s.key, s)
      if old.managedBy == Cluster.controllerName, let svc = old.serviceName {
        reconcileService(NamespacedName(namespace: s.namespace, name: svc))
      } else if old.managedBy == Cluster.mirroringControllerName, let svc = old.serviceName {
        mirrorEndpoints(NamespacedName(namespace: s.namespace, name: svc))
      }
      return sliceStore[s.key] ?? s
    }
  }

  /// Deletes a slice (a managed one is written again by the controller at once).
  public func deleteEndpointSlice(_ key: NamespacedName) throws(ClusterError) {
    try transaction { () throws(ClusterError) in
      guard let s = sliceStore[key] else {
        throw .notFound(resource: "endpointslices.discovery.k8s.io", name: key.name)
      }
      putSlice(key, nil)
      if s.managedBy == Cluster.controllerName, let svc = s.serviceName {
        reconcileService(NamespacedName(namespace: key.namespace, name: svc))
      } else if s.managedBy == Cluster.mirroringControllerName, let svc = s.serviceName {
        mirrorEndpoints(NamespacedName(namespace: key.namespace, name: svc))
      }
    }
  }

  /// The slice `key`.
  public func endpointSlice(_ key: NamespacedName) -> EndpointSlice? { sliceStore[key] }

  /// Slices by namespace then name; `service` limits them to one Service's.
  public func endpointSlices(namespace: String? = nil, service: String? = nil) -> [EndpointSlice] {
    var keys: [NamespacedName]
    if let namespace, let service {
      keys = (slicesByService[NamespacedName(namespace: namespace, name: service)] ?? [])
        .map { NamespacedName(namespace: namespace, name: $0) }
    } else if let namespace {
      keys = (slicesByNamespace[namespace] ?? []).map {
        NamespacedName(namespace: namespace, name: $0)
      }
    } else {
      keys = Array(sliceStore.keys)
    }
    if namespace == nil, let service {
      keys = keys.filter { sliceStore[$0]?.serviceName == service }
    }
    return keys.sorted().compactMap { sliceStore[$0] }
  }

  /// The Service's slices flattened to one row per address and port, sorted by IP then port
  /// (a slice without ports gives one row per address with `port` nil).
  public func endpoints(of key: NamespacedName) -> [EndpointEntry] {
    var rows: [EndpointEntry] = []
    for slice in endpointSlices(namespace: key.namespace, service: key.name) {
      for ep in slice.endpoints {
        for addr in ep.addresses {
          let ports: [EndpointPort?] = slice.ports.isEmpty ? [nil] : slice.ports
          for p in ports {
            rows.append(
              EndpointEntry(
                ip: addr, port: p?.port, portName: p?.name ?? "", protocol: p?.protocol ?? .tcp,
                ready: ep.conditions.isReady, serving: ep.conditions.isServing,
                terminating: ep.conditions.isTerminating,
                pod: ep.targetRef?.kind == "Pod" ? ep.targetRef?.name : nil, node: ep.nodeName,
                zone: ep.zone, hostname: ep.hostname, slice: slice.name))
          }
        }
      }
    }
    return rows.sorted { a, b in
      let x = IPAddress(a.ip)
      let y = IPAddress(b.ip)
      if let x, let y, x != y { return x < y }
      if a.ip != b.ip { return a.ip < b.ip }
      if a.port != b.port { return (a.port ?? 0) < (b.port ?? 0) }
      return a.protocol.rawValue < b.protocol.rawValue
    }
  }
}

/// `ValidateEndpointSlice`, the parts svclab models.
enum EndpointSliceValidation {
  static func validate(_ s: EndpointSlice) -> [FieldError] {
    var errs = NameValidation.metadataName(s.name, NameValidation.dns1123Subdomain)
    if s.endpoints.count > 1000 {
      errs.append(
        FieldError(
          path: FieldPath("endpoints"), kind: .tooMany, value: .int(s.endpoints.count),
          detail: "must have at most 1000 items"))
    }
    for (i, ep) in s.endpoints.enumerated() {
      let p = FieldPath("endpoints").index(i)
      if ep.addresses.isEmpty {
        errs.append(.required(p.child("addresses"), "must contain at least 1 address"))
      } else if ep.addresses.count > 100 {
        errs.append(
          FieldError(
            path: p.child("addresses"), kind: .tooMany, value: .int(ep.addresses.count),
            detail: "must have at most 100 items"))
      }
      for (j, a) in ep.addresses.enumerated() {
        errs += address(a, s.addressType, p.child("addresses").index(j))
      }
      if let h = ep.hostname {
        errs += NameValidation.dns1123Label(h).map { .invalid(p.child("hostname"), .string(h), $0) }
      }
      if let n = ep.nodeName {
        errs += NameValidation.dns1123Subdomain(n).map {
          .invalid(p.child("nodeName"), .string(n), $0)
        }
      }
    }
    var names = Set<String>()
    for (i, port) in s.ports.enumerated() {
      let p = FieldPath("ports").index(i)
      if !port.name.isEmpty {
        errs += NameValidation.dns1123Label(port.name).map {
          .invalid(p.child("name"), .string(port.name), $0)
        }
      }
      if !names.insert(port.name).inserted {
        errs.append(.duplicate(p.child("name"), .string(port.name)))
      }
      errs += NameValidation.portNumber(port.port).map {
        .invalid(p.child("port"), .int(port.port), $0)
      }
      if !PortProtocol.supported.contains(port.protocol) {
        errs.append(
          .unsupported(
            p.child("protocol"), port.protocol.rawValue, PortProtocol.supported.map(\.rawValue)))
      }
    }
    return errs
  }

  private static func address(_ a: String, _ type: AddressType, _ p: FieldPath) -> [FieldError] {
    switch type {
    case .ipv4:
      return IPAddress(a)?.family == .v4
        ? [] : [.invalid(p, .string(a), "must be a valid IPv4 address")]
    case .ipv6:
      return IPAddress(a)?.family == .v6
        ? [] : [.invalid(p, .string(a), "must be a valid IPv6 address")]
    case .fqdn:
      return NameValidation.dns1123Subdomain(a).map { .invalid(p, .string(a), $0) }
    }
  }
}
