import Cluster
import Foundation
import NetAddr

import struct KubeProxy.ProxyConfig

/// What a cluster dump holds, read into the cluster's types: the objects as they were, the
/// settings the cluster ran with (from kubeadm's and kube-proxy's ConfigMaps, else inferred
/// from the objects), and an account of everything left out.
struct ClusterDump {
  var objects = ClusterImport()
  var config = ClusterConfig(nodeCount: 0, system: false)
  /// The `coredns` ConfigMap's Corefile.
  var corefile: String?
  /// The `kube-proxy` ConfigMap's settings, read onto the defaults.
  var proxy: ProxyConfig?
  /// Objects read but not kept as lab objects, by `apiVersion/kind` (kubectl's words).
  var skipped: [String: Int] = [:]
  /// ReplicaSets read for their Deployment (the lab folds a Deployment's ReplicaSet in).
  var replicaSets = 0
  /// ConfigMaps whose settings were used.
  var configMapsUsed: [String] = []
  /// Where the settings came from, and anything in the dump the lab cannot take as is.
  var notes: [String] = []
}

/// Reads `kubectl get … -A -o yaml|json` output: a `v1/List` (or several documents) of
/// Nodes, Namespaces, Pods, Services, EndpointSlices, Deployments, ReplicaSets, DaemonSets,
/// StatefulSets and ConfigMaps. An import is not an `apply`: unknown fields, managedFields
/// and status noise are ignored, kinds the lab does not model are counted and skipped.
///
/// Objects are read one at a time as they arrive (``add(_:document:)``), so that a large
/// dump is never held as one tree. What one object needs from another is filled in at the
/// end (``finish()``): a pod's and a Deployment's ReplicaSet may come after them, as kubectl
/// prints ReplicaSets last. The first error is reported as if every ReplicaSet had been read
/// before the other objects: a ReplicaSet's error first, then the first other object's.
struct DumpBuilder {
  private var dump = ClusterDump()
  /// ReplicaSet → Deployment (from the ReplicaSet's controller reference).
  private var rsOwner: [NamespacedName: String] = [:]
  private var rsHash: [NamespacedName: (hash: String, revision: Int)] = [:]
  private var configMaps: [NamespacedName: [String: String]] = [:]
  private var replicaSetError: ManifestError?
  private var objectError: ManifestError?

  /// Reads the objects of one document: a List's items (nested Lists too), or the object.
  mutating func add(_ v: YAMLValue, document index: Int) {
    if case .list(let items)? = v["items"], v["kind"] == .string("List") || v["kind"] == nil {
      for item in items { add(item, document: index) }
    } else if case .list(let items) = v {
      for item in items { add(item, document: index) }
    } else if v != .null {
      let k = DumpReader.kind(v)
      do throws(ManifestError) {
        try read(v, k, index)
      } catch {
        if k == "apps/v1/ReplicaSet" {
          replicaSetError = replicaSetError ?? error
        } else {
          objectError = objectError ?? error
        }
      }
    }
  }

  /// Takes over what `later` read, as if its documents had been added after these.
  mutating func merge(_ later: DumpBuilder) {
    let o = later.dump.objects
    dump.objects.namespaces += o.namespaces
    dump.objects.nodes += o.nodes
    dump.objects.pods += o.pods
    dump.objects.services += o.services
    dump.objects.endpointSlices += o.endpointSlices
    dump.objects.deployments += o.deployments
    dump.skipped.merge(later.dump.skipped, uniquingKeysWith: +)
    dump.replicaSets += later.dump.replicaSets
    rsOwner.merge(later.rsOwner) { _, new in new }
    rsHash.merge(later.rsHash) { _, new in new }
    configMaps.merge(later.configMaps) { _, new in new }
    replicaSetError = replicaSetError ?? later.replicaSetError
    objectError = objectError ?? later.objectError
  }

  /// The dump, its objects linked to their ReplicaSets' Deployments and its settings read.
  consuming func finish() throws(ManifestError) -> ClusterDump {
    if let e = replicaSetError ?? objectError { throw e }
    // A Deployment's pod-template-hash is its newest ReplicaSet's.
    var deploymentHash: [NamespacedName: (hash: String, revision: Int)] = [:]
    for (rs, d) in rsOwner {
      guard let h = rsHash[rs] else { continue }
      let dk = NamespacedName(namespace: rs.namespace, name: d)
      if let have = deploymentHash[dk], have.revision >= h.revision { continue }
      deploymentHash[dk] = h
    }
    for i in dump.objects.deployments.indices {
      let key = dump.objects.deployments[i].key
      dump.objects.deployments[i].podTemplateHash = deploymentHash[key]?.hash ?? ""
    }
    for i in dump.objects.pods.indices {
      let m = dump.objects.pods[i].metadata
      if let rs = m.ownerReferences.first(where: { $0.kind == "ReplicaSet" && $0.controller }) {
        dump.objects.pods[i].ownerDeployment =
          rsOwner[NamespacedName(namespace: m.namespace, name: rs.name)]
      }
    }
    try DumpSettings.read(configMaps, into: &dump)
    return dump
  }

  private mutating func read(_ value: YAMLValue, _ k: String, _ index: Int) throws(ManifestError) {
    switch k {
    case "v1/Namespace": dump.objects.namespaces.append(try DumpReader.namespace(value, index))
    case "v1/Node": dump.objects.nodes.append(try DumpReader.node(value, index))
    case "v1/Pod": dump.objects.pods.append(try DumpReader.pod(value, index))
    case "v1/Service": dump.objects.services.append(try DumpReader.service(value, index))
    case "discovery.k8s.io/v1/EndpointSlice":
      dump.objects.endpointSlices.append(try DumpReader.slice(value, index))
    case "apps/v1/Deployment":
      dump.objects.deployments.append(try DumpReader.deployment(value, index))
    case "apps/v1/ReplicaSet":
      let f = try DumpReader.fields(value, "ReplicaSet", "apps/v1", index)
      let meta = try f.object("metadata")
      let key = NamespacedName(
        namespace: try meta.string("namespace") ?? "default", name: try meta.string("name") ?? "")
      let owners = try DumpReader.owners(meta)
      if let owner = owners.first(where: { $0.kind == "Deployment" && $0.controller }) {
        rsOwner[key] = owner.name
        let hash = try meta.stringMap("labels")?["pod-template-hash"] ?? ""
        let revision =
          Int(try meta.stringMap("annotations")?["deployment.kubernetes.io/revision"] ?? "") ?? 0
        // Checked as before, though the lab keeps no ReplicaSet of its own.
        _ = try f.object("spec").int("replicas")
        rsHash[key] = (hash, revision)
      }
      dump.replicaSets += 1
    case "v1/ConfigMap":
      let f = try DumpReader.fields(value, "ConfigMap", "v1", index)
      let meta = try f.object("metadata")
      let key = NamespacedName(
        namespace: try meta.string("namespace") ?? "default", name: try meta.string("name") ?? "")
      configMaps[key] = try f.stringMap("data") ?? [:]
    default:
      dump.skipped[k, default: 0] += 1
    }
  }
}

/// The readers of each kind's fields.
enum DumpReader {
  /// Reads whole documents (YAML's, or tests').
  static func read(_ docs: [YAMLDocument]) throws(ManifestError) -> ClusterDump {
    var builder = DumpBuilder()
    for doc in docs { builder.add(doc.value, document: doc.index) }
    return try builder.finish()
  }

  /// `apiVersion/kind` of an object (`v1/Pod`, `apps/v1/Deployment`).
  static func kind(_ v: YAMLValue) -> String {
    let api = v["apiVersion"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "?"
    let kind = v["kind"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "?"
    return "\(api)/\(kind)"
  }

  static func fields(
    _ v: YAMLValue, _ kind: String, _ version: String, _ index: Int
  ) throws(ManifestError)
    -> ManifestFields
  {
    let owner =
      "\(kind) in version \"\(version.split(separator: "/").last.map(String.init) ?? version)\""
    return try ManifestFields(v, path: "", owner: owner, document: index)
  }

  /// `metadata` of an object: name, namespace, labels, annotations (without kubectl's
  /// last-applied copy), owner references and a deletion in progress.
  private static func meta(
    _ f: ManifestFields, clusterScoped: Bool = false
  ) throws(ManifestError) -> ObjectMeta {
    let m = try f.object("metadata")
    guard let name = try m.string("name"), !name.isEmpty else {
      throw .malformed(
        document: f.document, message: "error validating data: metadata.name not set")
    }
    var annotations = try m.stringMap("annotations") ?? [:]
    annotations[LastApplied.key] = nil
    var meta = ObjectMeta(
      name: name, namespace: clusterScoped ? "" : (try m.string("namespace") ?? "default"),
      labels: try m.stringMap("labels") ?? [:], annotations: annotations,
      ownerReferences: try owners(m))
    if m.has("deletionTimestamp") {
      meta.deletionGracePeriodSeconds = try m.int("deletionGracePeriodSeconds") ?? 0
      meta.deletionTimestamp = Double(meta.deletionGracePeriodSeconds ?? 0)
    }
    return meta
  }

  static func owners(_ m: ManifestFields) throws(ManifestError) -> [OwnerReference] {
    try m.list("ownerReferences") { o throws(ManifestError) in
      OwnerReference(
        apiVersion: try o.string("apiVersion") ?? "", kind: try o.string("kind") ?? "",
        name: try o.string("name") ?? "", controller: try o.bool("controller") ?? false)
    } ?? []
  }

  static func namespace(_ v: YAMLValue, _ index: Int) throws(ManifestError) -> Namespace {
    let f = try fields(v, "Namespace", "v1", index)
    return Namespace(
      metadata: try meta(f, clusterScoped: true),
      phase: try f.object("status").string("phase") ?? "Active")
  }

  static func node(_ v: YAMLValue, _ index: Int) throws(ManifestError) -> Node {
    let f = try fields(v, "Node", "v1", index)
    let m = try meta(f, clusterScoped: true)
    let addresses =
      try f.object("status").list("addresses") { a throws(ManifestError) in
        (try a.string("type") ?? "", try a.string("address") ?? "")
      } ?? []
    guard let text = addresses.first(where: { $0.0 == "InternalIP" })?.1, let ip = IPAddress(text)
    else {
      throw .malformed(
        document: index, message: "node \(m.name) has no InternalIP in status.addresses")
    }
    let spec = try f.object("spec")
    var cidrText = try spec.string("podCIDR")
    if cidrText == nil { cidrText = try spec.strings("podCIDRs")?.first }
    return Node(metadata: m, podCIDR: cidrText.flatMap { CIDR($0) }, internalIP: ip)
  }

  /// A pod; its Deployment is filled in once the ReplicaSets are read.
  static func pod(_ v: YAMLValue, _ index: Int) throws(ManifestError) -> Pod {
    let f = try fields(v, "Pod", "v1", index)
    let m = try meta(f)
    let spec = try f.object("spec")
    let status = try f.object("status")
    var p = Pod(metadata: m)
    p.nodeName = try spec.string("nodeName") ?? ""
    p.ports = try ManifestReader.containerPorts(spec)
    p.hostname = try spec.string("hostname")
    p.subdomain = try spec.string("subdomain")
    p.dnsPolicy = try ManifestReader.dnsPolicy(spec)
    p.hostNetwork = try spec.bool("hostNetwork") ?? false
    p.setHostnameAsFQDN = try spec.bool("setHostnameAsFQDN") ?? false
    p.terminationGracePeriodSeconds = try spec.int("terminationGracePeriodSeconds") ?? 30
    if spec.has("dnsConfig") {
      let c = try spec.object("dnsConfig")
      p.dnsConfig = PodDNSConfig(
        nameservers: try c.strings("nameservers") ?? [], searches: try c.strings("searches") ?? [],
        options: try c.list("options") { x throws(ManifestError) in
          PodDNSConfigOption(name: try x.string("name") ?? "", value: try x.string("value"))
        } ?? [])
    }
    var ips =
      try status.list("podIPs") { x throws(ManifestError) in try x.string("ip") ?? "" } ?? []
    if ips.isEmpty, let one = try status.string("podIP") { ips = [one] }
    p.podIPs = ips.compactMap { IPAddress($0) }
    p.phase = PodPhase(rawValue: try status.string("phase") ?? "Pending") ?? .unknown
    let conditions =
      try status.list("conditions") { c throws(ManifestError) in
        (try c.string("type") ?? "", try c.string("status") ?? "")
      } ?? []
    p.ready = conditions.first { $0.0 == "Ready" }?.1 == "True"
    return p
  }

  static func service(_ v: YAMLValue, _ index: Int) throws(ManifestError) -> Service {
    let f = try fields(v, "Service", "v1", index)
    let m = try meta(f)
    var spec = try ServiceManifest.spec(try f.object("spec"), name: m.name)
    if spec.ipFamilies.isEmpty {
      spec.ipFamilies = spec.clusterIPs.compactMap { IPAddress($0)?.family }
    }
    let ingress =
      try f.object("status").object("loadBalancer").list("ingress") { i throws(ManifestError) in
        try i.string("ip")
      } ?? []
    return Service(
      metadata: m, spec: spec,
      status: ServiceStatus(
        loadBalancerIngress: ingress.compactMap { (s: String?) -> IPAddress? in
          s.flatMap { IPAddress($0) }
        }))
  }

  static func slice(_ v: YAMLValue, _ index: Int) throws(ManifestError) -> EndpointSlice {
    let f = try fields(v, "EndpointSlice", "discovery.k8s.io/v1", index)
    let m = try meta(f)
    var s = try SliceManifest.slice(f, name: m.name, namespace: m.namespace)
    s.metadata = m
    return s
  }

  /// A Deployment; its pod-template-hash is filled in once the ReplicaSets are read.
  static func deployment(_ v: YAMLValue, _ index: Int) throws(ManifestError) -> Deployment {
    let f = try fields(v, "Deployment", "apps/v1", index)
    let m = try meta(f)
    let spec = try f.object("spec")
    let template = try spec.object("template")
    let podSpec = try template.object("spec")
    let status = try f.object("status")
    return Deployment(
      metadata: m, replicas: try spec.int("replicas") ?? 1,
      selector: try spec.object("selector").stringMap("matchLabels") ?? [:],
      template: PodTemplate(
        labels: try template.object("metadata").stringMap("labels") ?? [:],
        ports: try ManifestReader.containerPorts(podSpec),
        dnsPolicy: try ManifestReader.dnsPolicy(podSpec)),
      podTemplateHash: "",
      statusReplicas: try status.int("replicas") ?? 0,
      readyReplicas: try status.int("readyReplicas") ?? 0)
  }
}

/// What the JSON reader need not build: the values of keys that none of ``DumpReader``'s
/// readers looks at, in any kind — the bulk of a real dump (managedFields alone is often a
/// third of it). They are still checked as JSON. A key a reader starts to read must leave
/// these sets; `Tests/lua/import.lua` compares a JSON import with the same dump's YAML
/// import, which builds everything.
enum DumpPlan {
  typealias Plan = JSONReader.Plan

  /// A pod's (or a pod template's) spec: what `ManifestReader.containerPorts` and the pod
  /// reader leave.
  private static let podSpecSkip = [
    "volumes", "tolerations", "affinity", "initContainers", "ephemeralContainers",
    "securityContext", "topologySpreadConstraints", "imagePullSecrets", "readinessGates",
  ]
  private static let containers = (
    key: "containers",
    plan: Plan(
      elements: Plan(skip: [
        "env", "envFrom", "volumeMounts", "volumeDevices", "resources", "livenessProbe",
        "readinessProbe", "startupProbe", "lifecycle", "securityContext", "command", "args",
      ]))
  )

  /// One object of the dump.
  static let object = Plan(keys: objectKeys)

  private static let objectKeys = [
    (key: "metadata", plan: Plan(skip: ["managedFields"])),
    (
      "spec",
      Plan(
        skip: podSpecSkip + ["taints"],
        keys: [
          containers,
          ("template", Plan(keys: [("spec", Plan(skip: podSpecSkip, keys: [containers]))])),
        ])
    ),
    (
      "status",
      Plan(skip: [
        "containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses", "images",
        "nodeInfo", "allocatable", "capacity", "daemonEndpoints", "volumesAttached",
        "volumesInUse",
      ])
    ),
  ]

  /// A whole document: a List of objects, an array of them, or one object.
  static let document = Plan(
    keys: objectKeys + [("items", Plan(elements: object))], elements: object)
}
