import NetAddr

/// v1 Endpoints: user-written objects for Services without a selector, and reads.
extension Cluster {
  /// Creates an Endpoints object (as `kubectl create`/`apply` would); for a Service without a
  /// selector the mirroring controller copies it into EndpointSlices. For a Service with a
  /// selector the endpoints controller owns the object.
  @discardableResult
  public func createEndpoints(_ ep: V1Endpoints) throws(ClusterError) -> V1Endpoints {
    // Caught up before the call, whose failure must leave nothing written.
    catchUpEndpoints()
    return try transaction { () throws(ClusterError) in
      try requireNamespace(ep.namespace)
      let errs = EndpointsValidation.validate(ep)
      if !errs.isEmpty { throw .invalid(kind: "Endpoints", name: ep.name, errors: errs) }
      if endpointsStore[ep.key] != nil {
        throw .alreadyExists(resource: "endpoints", name: ep.name)
      }
      var e = ep
      let meta = newMeta(name: ep.name, namespace: ep.namespace, labels: ep.metadata.labels)
      e.metadata = ObjectMeta(
        name: meta.name, namespace: meta.namespace, labels: meta.labels,
        annotations: ep.metadata.annotations,
        creationTimestamp: meta.creationTimestamp, uid: meta.uid)
      putEndpoints(e.key, e)
      syncEndpointsControllers(e.key)
      return endpointsStore[e.key] ?? e
    }
  }

  /// Replaces an Endpoints object's subsets, labels and annotations (same validation as
  /// create). For a Service with a selector the endpoints controller writes it back at once.
  @discardableResult
  public func updateEndpoints(_ ep: V1Endpoints) throws(ClusterError) -> V1Endpoints {
    catchUpEndpoints()
    return try transaction { () throws(ClusterError) in
      guard var e = endpointsStore[ep.key] else {
        throw .notFound(resource: "endpoints", name: ep.name)
      }
      let errs = EndpointsValidation.validate(ep)
      if !errs.isEmpty { throw .invalid(kind: "Endpoints", name: ep.name, errors: errs) }
      e.subsets = ep.subsets
      e.metadata.labels = ep.metadata.labels
      e.metadata.annotations = ep.metadata.annotations
      putEndpoints(e.key, e)
      syncEndpointsControllers(e.key)
      return endpointsStore[e.key] ?? e
    }
  }

  /// Deletes an Endpoints object (the endpoints controller writes a selector's back at once;
  /// mirrored slices go with it).
  public func deleteEndpoints(_ key: NamespacedName) throws(ClusterError) {
    catchUpEndpoints()
    try transaction { () throws(ClusterError) in
      guard endpointsStore[key] != nil else {
        throw .notFound(resource: "endpoints", name: key.name)
      }
      putEndpoints(key, nil)
      syncEndpointsControllers(key)
    }
  }

  /// The Endpoints object `key`.
  public func v1Endpoints(_ key: NamespacedName) -> V1Endpoints? {
    catchUpEndpoints()
    return endpointsStore[key]
  }

  /// Endpoints objects by namespace then name.
  public func v1EndpointsList(namespace: String? = nil) -> [V1Endpoints] {
    catchUpEndpoints()
    return endpointsStore.keys.filter { namespace == nil || $0.namespace == namespace }.sorted()
      .compactMap { endpointsStore[$0] }
  }

  /// Removes every Endpoints object of a namespace (namespace deletion).
  func removeEndpoints(inNamespace name: String) {
    catchUpEndpoints()
    for k in endpointsStore.keys.filter({ $0.namespace == name }).sorted() { putEndpoints(k, nil) }
  }
}

/// `ValidateEndpoints`, the parts svclab models.
enum EndpointsValidation {
  private static let special: [(CIDR?, String)] = [
    (CIDR("127.0.0.0/8"), "may not be in the loopback range (127.0.0.0/8, ::1/128)"),
    (CIDR("::1/128"), "may not be in the loopback range (127.0.0.0/8, ::1/128)"),
    (CIDR("169.254.0.0/16"), "may not be in the link-local range (169.254.0.0/16, fe80::/10)"),
    (CIDR("fe80::/10"), "may not be in the link-local range (169.254.0.0/16, fe80::/10)"),
    (
      CIDR("224.0.0.0/24"), "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"
    ),
    (CIDR("ff02::/16"), "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"),
  ]

  static func validate(_ e: V1Endpoints) -> [FieldError] {
    var errs = NameValidation.metadataName(e.name, NameValidation.dns1123Subdomain)
    for (i, s) in e.subsets.enumerated() {
      let p = FieldPath("subsets").index(i)
      if s.addresses.isEmpty && s.notReadyAddresses.isEmpty {
        errs.append(.required(p, "must specify `addresses` or `notReadyAddresses`"))
      }
      for (j, a) in s.addresses.enumerated() { errs += address(a, p.child("addresses").index(j)) }
      for (j, a) in s.notReadyAddresses.enumerated() {
        errs += address(a, p.child("notReadyAddresses").index(j))
      }
      var names = Set<String>()
      for (j, port) in s.ports.enumerated() {
        let pp = p.child("ports").index(j)
        if s.ports.count > 1 && port.name.isEmpty {
          errs.append(.required(pp.child("name"), ""))
        } else if !port.name.isEmpty {
          errs += NameValidation.dns1123Label(port.name).map {
            .invalid(pp.child("name"), .string(port.name), $0)
          }
        }
        if !port.name.isEmpty && !names.insert(port.name).inserted {
          errs.append(.duplicate(pp.child("name"), .string(port.name)))
        }
        errs += NameValidation.portNumber(port.port).map {
          .invalid(pp.child("port"), .int(port.port), $0)
        }
        if !PortProtocol.supported.contains(port.protocol) {
          errs.append(
            .unsupported(
              pp.child("protocol"), port.protocol.rawValue, PortProtocol.supported.map(\.rawValue)))
        }
      }
    }
    return errs
  }

  private static func address(_ a: EndpointAddress, _ p: FieldPath) -> [FieldError] {
    var errs: [FieldError] = []
    guard let ip = IPAddress(a.ip) else {
      return [.invalid(p.child("ip"), .string(a.ip), "must be a valid IP address")]
    }
    if ip.family == .v4 && ip.description == "0.0.0.0" || ip.family == .v6 && ip.description == "::"
    {
      errs.append(.invalid(p.child("ip"), .string(a.ip), "may not be unspecified (\(a.ip))"))
    }
    for (cidr, message) in special where cidr?.contains(ip) == true {
      errs.append(.invalid(p.child("ip"), .string(a.ip), message))
    }
    if let h = a.hostname, !h.isEmpty {
      errs += NameValidation.dns1123Label(h).map { .invalid(p.child("hostname"), .string(h), $0) }
    }
    if let n = a.nodeName, !n.isEmpty {
      errs += NameValidation.dns1123Subdomain(n).map {
        .invalid(p.child("nodeName"), .string(n), $0)
      }
    }
    return errs
  }
}
