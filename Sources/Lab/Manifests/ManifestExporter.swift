import Cluster

/// The user's objects as manifests in the API's field names (keys sorted, as `kubectl get -o
/// yaml` prints them), in an order that `apply` can replay: namespaces, nodes, pods (their
/// recorded addresses first), Services, Deployments, then hand-written EndpointSlices.
///
/// Left out: the system namespaces and what lives in them, `default/kubernetes`, slices the
/// EndpointSlice controller writes, and pods a Deployment owns (its controller makes new ones,
/// with new names and addresses, as in a real cluster). Nodes only with `nodes`.
enum ManifestExporter {
  struct Options {
    var namespace: String?
    var nodes = false
  }

  static let systemNamespaces: Set<String> = [
    "default", "kube-system", "kube-public", "kube-node-lease",
  ]

  /// Whether a namespaced object belongs to the cluster's own set-up.
  static func isSystem(namespace: String, name: String) -> Bool {
    namespace == "kube-system" || namespace == "kube-public" || namespace == "kube-node-lease"
      || (namespace == "default" && name == "kubernetes")
  }

  static func documents(_ c: Cluster, _ opts: Options) -> [YAMLValue] {
    var docs: [YAMLValue] = []
    let ns = opts.namespace
    if ns == nil {
      docs += c.namespaces().filter { !systemNamespaces.contains($0.name) }.map(namespace)
    }
    if opts.nodes && ns == nil { docs += c.nodes().map(node) }
    docs += c.pods(namespace: ns).filter { p in
      p.ownerDeployment == nil && !p.isTerminating
        && !isSystem(namespace: p.namespace, name: p.name)
    }.map(pod)
    docs += c.services(namespace: ns).filter { !isSystem(namespace: $0.namespace, name: $0.name) }
      .map(service)
    docs += c.deployments(namespace: ns).filter {
      !isSystem(namespace: $0.namespace, name: $0.name)
    }
    .map(deployment)
    docs += c.endpointSlices(namespace: ns).filter { s in
      s.managedBy == nil && !isSystem(namespace: s.namespace, name: s.serviceName ?? s.name)
    }.map(endpointSlice)
    // Endpoints the user wrote: those of Services without a selector (or with no Service);
    // the endpoints controller writes the others.
    docs += c.v1EndpointsList(namespace: ns).filter { e in
      guard !isSystem(namespace: e.namespace, name: e.name) else { return false }
      guard let svc = c.service(e.key) else { return true }
      return svc.spec.type == .externalName || (svc.spec.selector ?? [:]).isEmpty
    }.map(endpoints)
    return docs
  }

  // MARK: - Building blocks

  static func map(_ pairs: [(String, YAMLValue?)]) -> YAMLValue {
    .map(YAMLMap(pairs.compactMap { k, v in v.map { (k, $0) } }.sorted { $0.0 < $1.0 }))
  }

  static func strings(_ m: [String: String]) -> YAMLValue? {
    m.isEmpty ? nil : map(m.map { ($0.key, YAMLValue.string($0.value)) })
  }

  static func list(_ items: [String]) -> YAMLValue? {
    items.isEmpty ? nil : .list(items.map { .string($0) })
  }

  static func meta(_ m: ObjectMeta, dropLabels: Set<String> = []) -> YAMLValue {
    var notes = m.annotations
    notes[LastApplied.key] = nil
    return map([
      ("name", .string(m.name)), ("namespace", m.namespace.isEmpty ? nil : .string(m.namespace)),
      ("labels", strings(m.labels.filter { !dropLabels.contains($0.key) })),
      ("annotations", strings(notes)),
    ])
  }

  static func header(
    _ apiVersion: String, _ kind: String, _ m: ObjectMeta, _ rest: [(String, YAMLValue?)]
  )
    -> YAMLValue
  {
    map(
      [("apiVersion", .string(apiVersion)), ("kind", .string(kind)), ("metadata", meta(m))] + rest)
  }

  /// The last-applied document of an object, if it came from a manifest.
  static func applied(_ m: ObjectMeta) -> YAMLValue? {
    guard let text = m.annotations[LastApplied.key] else { return nil }
    return (try? YAMLReader.documents(text, source: nil, firstIndex: 1))?.first?.value
  }

  // MARK: - Kinds

  static func namespace(_ n: Namespace) -> YAMLValue {
    map([
      ("apiVersion", .string("v1")), ("kind", .string("Namespace")),
      ("metadata", meta(n.metadata, dropLabels: [WellKnownLabel.namespaceName])),
    ])
  }

  static func node(_ n: Node) -> YAMLValue {
    let cidr = n.podCIDR?.description
    return header(
      "v1", "Node", n.metadata,
      [
        (
          "spec",
          map([("podCIDR", cidr.map(YAMLValue.string)), ("podCIDRs", cidr.flatMap { list([$0]) })])
        ),
        (
          "status",
          map([
            (
              "addresses",
              .list([
                map([
                  ("type", .string("InternalIP")), ("address", .string(n.internalIP.description)),
                ])
              ])
            )
          ])
        ),
      ])
  }

  /// Containers: those of the applied manifest when there is one (images and all), else one
  /// container `app` running the pause image with the modelled ports.
  static func containers(_ m: ObjectMeta, ports: [ContainerPort]) -> YAMLValue {
    if let raw = applied(m),
      let c = raw["spec", "containers"] ?? raw["spec", "template", "spec", "containers"]
    {
      return c
    }
    let portList: [YAMLValue] = ports.map { p in
      map([
        ("name", p.name.map(YAMLValue.string)), ("containerPort", .int(p.containerPort)),
        ("protocol", .string(p.protocol.rawValue)),
      ])
    }
    return .list([
      map([
        ("name", .string("app")), ("image", .string("registry.k8s.io/pause:3.10")),
        ("ports", portList.isEmpty ? nil : .list(portList)),
      ])
    ])
  }

  static func pod(_ p: Pod) -> YAMLValue {
    var dns: YAMLValue?
    if let c = p.dnsConfig {
      dns = map([
        ("nameservers", list(c.nameservers)), ("searches", list(c.searches)),
        (
          "options",
          c.options.isEmpty
            ? nil
            : .list(
              c.options.map { o in
                map([("name", .string(o.name)), ("value", o.value.map(YAMLValue.string))])
              })
        ),
      ])
    }
    let spec = map([
      ("containers", containers(p.metadata, ports: p.ports)), ("dnsConfig", dns),
      ("dnsPolicy", .string(p.dnsPolicy.rawValue)),
      ("hostNetwork", p.hostNetwork ? .bool(true) : nil),
      ("hostname", p.hostname.map(YAMLValue.string)),
      ("nodeName", p.nodeName.isEmpty ? nil : .string(p.nodeName)),
      ("setHostnameAsFQDN", p.setHostnameAsFQDN ? .bool(true) : nil),
      ("subdomain", p.subdomain.map(YAMLValue.string)),
      ("terminationGracePeriodSeconds", .int(p.terminationGracePeriodSeconds)),
    ])
    let status = map([
      (
        "conditions",
        .list([map([("type", .string("Ready")), ("status", .string(p.ready ? "True" : "False"))])])
      ),
      ("phase", .string(p.phase.rawValue)),
      ("podIP", p.podIP.map { .string($0.description) }),
      (
        "podIPs",
        p.podIPs.isEmpty ? nil : .list(p.podIPs.map { map([("ip", .string($0.description))]) })
      ),
    ])
    return header("v1", "Pod", p.metadata, [("spec", spec), ("status", status)])
  }

  static func servicePort(_ p: ServicePort) -> YAMLValue {
    let target: YAMLValue
    switch p.targetPort ?? .int(p.port) {
    case .int(let n): target = .int(n)
    case .string(let s): target = .string(s)
    }
    return map([
      ("name", p.name.isEmpty ? nil : .string(p.name)), ("port", .int(p.port)),
      ("protocol", .string(p.protocol.rawValue)), ("targetPort", target),
      ("nodePort", p.nodePort.map(YAMLValue.int)),
      ("appProtocol", p.appProtocol.map(YAMLValue.string)),
    ])
  }

  static func service(_ svc: Service) -> YAMLValue {
    let s = svc.spec
    let external = s.type == .externalName
    let affinity: YAMLValue? =
      s.sessionAffinity == .clientIP
      ? map([
        ("clientIP", map([("timeoutSeconds", .int(s.sessionAffinityTimeoutSeconds ?? 10800))]))
      ]) : nil
    let spec = map([
      ("type", .string(s.type.rawValue)),
      ("selector", s.selector.flatMap(strings)),
      ("ports", s.ports.isEmpty ? nil : .list(s.ports.map(servicePort))),
      ("clusterIP", external || s.clusterIP.isEmpty ? nil : .string(s.clusterIP)),
      ("clusterIPs", external ? nil : list(s.clusterIPs)),
      ("ipFamilies", external ? nil : list(s.ipFamilies.map(\.rawValue))),
      ("ipFamilyPolicy", external ? nil : s.ipFamilyPolicy.map { .string($0.rawValue) }),
      ("externalName", s.externalName.map(YAMLValue.string)),
      ("externalIPs", list(s.externalIPs)),
      ("sessionAffinity", .string(s.sessionAffinity.rawValue)),
      ("sessionAffinityConfig", affinity),
      ("externalTrafficPolicy", s.externalTrafficPolicy.map { .string($0.rawValue) }),
      ("internalTrafficPolicy", s.internalTrafficPolicy.map { .string($0.rawValue) }),
      ("publishNotReadyAddresses", s.publishNotReadyAddresses ? .bool(true) : nil),
      ("healthCheckNodePort", s.healthCheckNodePort.map(YAMLValue.int)),
      ("loadBalancerIP", s.loadBalancerIP.map(YAMLValue.string)),
      ("loadBalancerSourceRanges", list(s.loadBalancerSourceRanges)),
      ("allocateLoadBalancerNodePorts", s.allocateLoadBalancerNodePorts.map(YAMLValue.bool)),
      ("trafficDistribution", s.trafficDistribution.map { .string($0.rawValue) }),
    ])
    return header("v1", "Service", svc.metadata, [("spec", spec)])
  }

  static func deployment(_ d: Deployment) -> YAMLValue {
    let template = map([
      ("metadata", map([("labels", strings(d.template.labels))])),
      (
        "spec",
        map([
          ("containers", containers(d.metadata, ports: d.template.ports)),
          ("dnsPolicy", .string(d.template.dnsPolicy.rawValue)),
        ])
      ),
    ])
    let spec = map([
      ("replicas", .int(d.replicas)), ("selector", map([("matchLabels", strings(d.selector))])),
      ("template", template),
    ])
    return header("apps/v1", "Deployment", d.metadata, [("spec", spec)])
  }

  static func endpoints(_ e: V1Endpoints) -> YAMLValue {
    func address(_ a: EndpointAddress) -> YAMLValue {
      map([
        ("ip", .string(a.ip)), ("hostname", a.hostname.map(YAMLValue.string)),
        ("nodeName", a.nodeName.map(YAMLValue.string)),
        (
          "targetRef",
          a.targetRef.map { t in
            map([
              ("kind", .string(t.kind)), ("name", .string(t.name)),
              ("namespace", .string(t.namespace)),
            ])
          }
        ),
      ])
    }
    let subsets: [YAMLValue] = e.subsets.map { s in
      map([
        ("addresses", s.addresses.isEmpty ? nil : .list(s.addresses.map(address))),
        (
          "notReadyAddresses",
          s.notReadyAddresses.isEmpty ? nil : .list(s.notReadyAddresses.map(address))
        ),
        (
          "ports",
          s.ports.isEmpty
            ? nil
            : .list(
              s.ports.map { p in
                map([
                  ("name", p.name.isEmpty ? nil : .string(p.name)), ("port", .int(p.port)),
                  ("protocol", .string(p.protocol.rawValue)),
                  ("appProtocol", p.appProtocol.map(YAMLValue.string)),
                ])
              })
        ),
      ])
    }
    return header(
      "v1", "Endpoints", e.metadata, [("subsets", subsets.isEmpty ? nil : .list(subsets))])
  }

  static func endpointSlice(_ s: EndpointSlice) -> YAMLValue {
    let endpoints: [YAMLValue] = s.endpoints.map { e in
      let c = e.conditions
      let hints: YAMLValue? = e.hints.map { h in
        map([
          (
            "forZones",
            h.forZones.isEmpty ? nil : .list(h.forZones.map { map([("name", .string($0))]) })
          ),
          (
            "forNodes",
            h.forNodes.isEmpty ? nil : .list(h.forNodes.map { map([("name", .string($0))]) })
          ),
        ])
      }
      return map([
        ("addresses", .list(e.addresses.map { .string($0) })),
        (
          "conditions",
          map([
            ("ready", c.ready.map(YAMLValue.bool)), ("serving", c.serving.map(YAMLValue.bool)),
            ("terminating", c.terminating.map(YAMLValue.bool)),
          ])
        ),
        ("hostname", e.hostname.map(YAMLValue.string)),
        ("nodeName", e.nodeName.map(YAMLValue.string)),
        ("zone", e.zone.map(YAMLValue.string)), ("hints", hints),
        (
          "targetRef",
          e.targetRef.map { t in
            map([
              ("kind", .string(t.kind)), ("name", .string(t.name)),
              ("namespace", .string(t.namespace)),
            ])
          }
        ),
      ])
    }
    let ports: [YAMLValue] = s.ports.map { p in
      map([
        ("name", .string(p.name)), ("port", .int(p.port)),
        ("protocol", .string(p.protocol.rawValue)),
        ("appProtocol", p.appProtocol.map(YAMLValue.string)),
      ])
    }
    return header(
      "discovery.k8s.io/v1", "EndpointSlice", s.metadata,
      [
        ("addressType", .string(s.addressType.rawValue)), ("endpoints", .list(endpoints)),
        ("ports", .list(ports)),
      ])
  }
}
