import Cluster

/// Turns manifest documents into API objects: checks apiVersion and kind, reads the fields
/// the lab models (the rest is kept in `raw` and otherwise ignored), and expands a
/// StatefulSet into its pods and a List into its items.
enum ManifestReader {
  /// The objects of one document; `namespace` is the namespace of objects that name none.
  /// Fields Kubernetes does not declare for the kind refuse the document (`strict`), become
  /// the first object's warnings (`warn`) or are dropped (`ignore`), after the fields' types
  /// were checked, as the API server's strict decoding reports them.
  static func objects(
    _ doc: YAMLDocument, namespace: String, validation: ManifestSchema.Validation = .strict
  )
    throws(ManifestError) -> [ManifestObject]
  {
    var out = try read(doc, namespace: namespace, validation: validation)
    guard validation != .ignore, case .map(let map) = doc.value,
      case .string(let apiVersion)? = map["apiVersion"],
      case .string(let kind)? = map["kind"]
    else { return out }
    let unknown = ManifestSchema.unknownFields(doc.value, kind: "\(apiVersion)/\(kind)")
    guard !unknown.isEmpty else { return out }
    if validation == .strict {
      throw .unknownFields(
        source: doc.source, owner: owner(apiVersion: apiVersion, kind: kind), kind: kind,
        fields: unknown)
    }
    if !out.isEmpty { out[0].warnings = unknown.map { "unknown field \"\($0)\"" } }
    return out
  }

  /// `Service in version "v1"`: how the API server names the type it decodes into.
  static func owner(apiVersion: String, kind: String) -> String {
    "\(kind) in version \"\(apiVersion.split(separator: "/").last.map(String.init) ?? apiVersion)\""
  }

  private static func read(
    _ doc: YAMLDocument, namespace: String, validation: ManifestSchema.Validation
  )
    throws(ManifestError) -> [ManifestObject]
  {
    guard case .map(let map) = doc.value else {
      throw .malformed(
        document: doc.index,
        message: "a manifest document must be a mapping, got \(doc.value.jsonType)")
    }
    let apiVersion =
      map["apiVersion"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? ""
    let kind = map["kind"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? ""
    if apiVersion.isEmpty || kind.isEmpty {
      let missing = apiVersion.isEmpty ? "apiVersion" : "kind"
      throw .malformed(document: doc.index, message: "error validating data: \(missing) not set")
    }
    if "\(apiVersion)/\(kind)" == "v1/List" {
      let f = try ManifestFields(
        doc.value, path: "", owner: "List in version \"v1\"", document: doc.index)
      let items =
        try f.list("items") { item throws(ManifestError) in YAMLValue.map(item.map) } ?? []
      var out: [ManifestObject] = []
      for item in items {
        out += try objects(
          YAMLDocument(value: item, index: doc.index, source: doc.source, line: doc.line),
          namespace: namespace,
          validation: validation)
      }
      return out
    }
    guard ManifestError.supportedKinds.contains("\(apiVersion)/\(kind)") else {
      throw .unknownKind(document: doc.index, apiVersion: apiVersion, kind: kind)
    }
    let f = try ManifestFields(
      doc.value, path: "", owner: owner(apiVersion: apiVersion, kind: kind), document: doc.index)
    let meta = try f.object("metadata")
    guard let name = try meta.string("name"), !name.isEmpty else {
      throw .malformed(
        document: doc.index,
        message: "error validating data: metadata.name not set (\(kind) objects need a name)")
    }
    let clusterScoped = kind == "Namespace" || kind == "Node"
    let ns = clusterScoped ? "" : (try meta.string("namespace") ?? namespace)
    let labels = try meta.stringMap("labels") ?? [:]
    var annotations = try meta.stringMap("annotations") ?? [:]
    annotations[LastApplied.key] = nil
    func make(
      _ body: ManifestObject.Body, _ resource: String, name objectName: String = name
    ) -> ManifestObject {
      ManifestObject(
        body: body, name: objectName, namespace: ns, annotations: annotations, document: doc.index,
        display: "\(resource)/\(name)", raw: doc.value)
    }
    let spec = try f.object("spec")
    switch kind {
    case "Namespace": return [make(.namespace(labels: labels), "namespace")]
    case "Node": return [make(.node(try node(f, labels: labels)), "node")]
    case "Pod": return [make(.pod(try pod(f, namespace: ns, labels: labels)), "pod")]
    case "Service":
      return [make(.service(try ServiceManifest.spec(spec, name: name), labels: labels), "service")]
    case "Deployment":
      return [make(.deployment(try deployment(spec, name: name, namespace: ns)), "deployment.apps")]
    case "StatefulSet":
      return try statefulSetPods(spec, name: name, namespace: ns).map { p in
        make(.pod(p.1), "statefulset.apps", name: p.0)
      }
    case "ReplicaSet", "DaemonSet":
      let template = try spec.object("template")
      let podSpec = try template.object("spec")
      var o = PodOptions(
        namespace: ns, labels: try template.object("metadata").stringMap("labels") ?? [:])
      o.ports = try containerPorts(podSpec)
      o.dnsPolicy = try dnsPolicy(podSpec)
      o.hostNetwork = try podSpec.bool("hostNetwork") ?? false
      let replicas: Int? = kind == "ReplicaSet" ? (try spec.int("replicas") ?? 1) : nil
      return [
        make(.ownedPods(kind: kind, replicas: replicas, template: o), kind.lowercased() + ".apps")
      ]
    case "Endpoints":
      var ep = try EndpointsManifest.endpoints(f, name: name, namespace: ns)
      ep.metadata.labels = labels
      ep.metadata.annotations = annotations
      return [make(.endpoints(ep), "endpoints")]
    default:
      var slice = try SliceManifest.slice(f, name: name, namespace: ns)
      slice.metadata.labels = labels
      slice.metadata.annotations = annotations
      return [make(.endpointSlice(slice), "endpointslice.discovery.k8s.io")]
    }
  }

  static func node(
    _ f: ManifestFields, labels: [String: String]
  ) throws(ManifestError) -> NodeOptions {
    let spec = try f.object("spec")
    let status = try f.object("status")
    let addresses =
      try status.list("addresses") { a throws(ManifestError) in
        (try a.string("type") ?? "", try a.string("address") ?? "")
      } ?? []
    var rest = labels
    for k in [
      WellKnownLabel.zone, WellKnownLabel.region, WellKnownLabel.hostname, "kubernetes.io/os",
    ] {
      rest[k] = nil
    }
    return NodeOptions(
      zone: labels[WellKnownLabel.zone], region: labels[WellKnownLabel.region],
      ip: addresses.first { $0.0 == "InternalIP" }?.1, podCIDR: try spec.string("podCIDR"),
      labels: rest)
  }

  /// The container ports of a pod spec (every container's, in order).
  static func containerPorts(_ spec: ManifestFields) throws(ManifestError) -> [ContainerPort] {
    let lists =
      try spec.list("containers") { c throws(ManifestError) in
        try c.list("ports") { p throws(ManifestError) in
          ContainerPort(
            name: try p.string("name"), containerPort: try p.int("containerPort") ?? 0,
            protocol: PortProtocol(rawValue: try p.string("protocol") ?? "TCP"))
        } ?? []
      } ?? []
    return lists.flatMap { $0 }
  }

  static func dnsPolicy(_ spec: ManifestFields) throws(ManifestError) -> DNSPolicy {
    guard let s = try spec.string("dnsPolicy") else { return .clusterFirst }
    return DNSPolicy(rawValue: s) ?? .clusterFirst
  }

  static func pod(
    _ f: ManifestFields, namespace: String, labels: [String: String]
  ) throws(ManifestError)
    -> PodOptions
  {
    let spec = try f.object("spec")
    let status = try f.object("status")
    var o = PodOptions(namespace: namespace, labels: labels)
    o.node = try spec.string("nodeName")
    o.ports = try containerPorts(spec)
    o.hostname = try spec.string("hostname")
    o.subdomain = try spec.string("subdomain")
    o.dnsPolicy = try dnsPolicy(spec)
    o.hostNetwork = try spec.bool("hostNetwork") ?? false
    o.setHostnameAsFQDN = try spec.bool("setHostnameAsFQDN") ?? false
    o.terminationGracePeriodSeconds = try spec.int("terminationGracePeriodSeconds") ?? 30
    if spec.has("dnsConfig") {
      let c = try spec.object("dnsConfig")
      o.dnsConfig = PodDNSConfig(
        nameservers: try c.strings("nameservers") ?? [], searches: try c.strings("searches") ?? [],
        options: try c.list("options") { x throws(ManifestError) in
          PodDNSConfigOption(name: try x.string("name") ?? "", value: try x.string("value"))
        } ?? [])
    }
    // The lab honours a recorded status (an exported pod keeps its address and readiness).
    o.ip = try status.list("podIPs") { x throws(ManifestError) in try x.string("ip") }?.first ?? nil
    if o.ip == nil { o.ip = try status.string("podIP") }
    let conditions =
      try status.list("conditions") { c throws(ManifestError) in
        (try c.string("type") ?? "", try c.string("status") ?? "")
      } ?? []
    if let ready = conditions.first(where: { $0.0 == "Ready" }) { o.ready = ready.1 == "True" }
    return o
  }

  static func deployment(
    _ spec: ManifestFields, name: String, namespace: String
  ) throws(ManifestError)
    -> DeploymentOptions
  {
    let template = try spec.object("template")
    let podSpec = try template.object("spec")
    let selector = try spec.object("selector").stringMap("matchLabels")
    return DeploymentOptions(
      namespace: namespace, replicas: try spec.int("replicas") ?? 1,
      labels: try template.object("metadata").stringMap("labels") ?? [:], selector: selector ?? [:],
      ports: try containerPorts(podSpec), dnsPolicy: try dnsPolicy(podSpec))
  }

  /// A StatefulSet's pods `<name>-0` … `<name>-(n-1)`: hostname the pod name, subdomain the
  /// governing Service, label `statefulset.kubernetes.io/pod-name`, as its controller makes them.
  static func statefulSetPods(
    _ spec: ManifestFields, name: String, namespace: String
  ) throws(ManifestError)
    -> [(String, PodOptions)]
  {
    let template = try spec.object("template")
    let podSpec = try template.object("spec")
    let labels = try template.object("metadata").stringMap("labels") ?? [:]
    let replicas = try spec.int("replicas") ?? 1
    // Every pod is built here before anything is applied: the lab's capacity applies first.
    if replicas > Cluster.maxReplicas {
      throw .malformed(
        document: spec.document,
        message:
          "statefulsets.apps \"\(name)\" is forbidden: svclab simulates at most "
          + "\(Cluster.maxReplicas) replicas per StatefulSet, not \(replicas)"
      )
    }
    let service = try spec.string("serviceName")
    let ports = try containerPorts(podSpec)
    return (0..<max(0, replicas)).map { i in
      let podName = "\(name)-\(i)"
      var l = labels
      l["statefulset.kubernetes.io/pod-name"] = podName
      l["apps.kubernetes.io/pod-index"] = String(i)
      var o = PodOptions(
        namespace: namespace, labels: l, ports: ports, hostname: podName, subdomain: service)
      o.dnsPolicy = (try? dnsPolicy(podSpec)) ?? .clusterFirst
      return (podName, o)
    }
  }
}

/// The annotation `kubectl apply` keeps the applied document in.
enum LastApplied {
  static let key = "kubectl.kubernetes.io/last-applied-configuration"
}
