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
enum DumpReader {
  static func read(_ docs: [YAMLDocument]) throws(ManifestError) -> ClusterDump {
    var items: [(YAMLValue, Int)] = []
    for doc in docs { flatten(doc.value, doc.index, into: &items) }
    var dump = ClusterDump()
    // ReplicaSet → Deployment (from the ReplicaSet's controller reference), read first so
    // that pods find their Deployment whatever the order of the dump.
    var rsOwner: [NamespacedName: String] = [:]
    var rsHash: [NamespacedName: (hash: String, revision: Int, replicas: Int)] = [:]
    var configMaps: [NamespacedName: [String: String]] = [:]
    for (value, index) in items where kind(value) == "apps/v1/ReplicaSet" {
      let f = try fields(value, "ReplicaSet", "apps/v1", index)
      let meta = try f.object("metadata")
      let key = NamespacedName(
        namespace: try meta.string("namespace") ?? "default", name: try meta.string("name") ?? "")
      if let owner = try owners(meta).first(where: { $0.kind == "Deployment" && $0.controller }) {
        rsOwner[key] = owner.name
        let hash = try meta.stringMap("labels")?["pod-template-hash"] ?? ""
        let revision =
          Int(try meta.stringMap("annotations")?["deployment.kubernetes.io/revision"] ?? "") ?? 0
        rsHash[key] = (hash, revision, try f.object("spec").int("replicas") ?? 0)
      }
      dump.replicaSets += 1
    }
    var deploymentHash: [NamespacedName: (hash: String, revision: Int)] = [:]
    for (rs, d) in rsOwner {
      guard let h = rsHash[rs] else { continue }
      let dk = NamespacedName(namespace: rs.namespace, name: d)
      if let have = deploymentHash[dk], have.revision >= h.revision { continue }
      deploymentHash[dk] = (h.hash, h.revision)
    }
    for (value, index) in items {
      let k = kind(value)
      switch k {
      case "v1/Namespace": dump.objects.namespaces.append(try namespace(value, index))
      case "v1/Node": dump.objects.nodes.append(try node(value, index))
      case "v1/Pod": dump.objects.pods.append(try pod(value, index, rsOwner))
      case "v1/Service": dump.objects.services.append(try service(value, index))
      case "discovery.k8s.io/v1/EndpointSlice":
        dump.objects.endpointSlices.append(try slice(value, index))
      case "apps/v1/Deployment":
        dump.objects.deployments.append(try deployment(value, index, deploymentHash))
      case "apps/v1/ReplicaSet": continue
      case "v1/ConfigMap":
        let f = try fields(value, "ConfigMap", "v1", index)
        let meta = try f.object("metadata")
        let key = NamespacedName(
          namespace: try meta.string("namespace") ?? "default", name: try meta.string("name") ?? "")
        configMaps[key] = try f.stringMap("data") ?? [:]
      default:
        dump.skipped[k, default: 0] += 1
      }
    }
    try DumpSettings.read(configMaps, into: &dump)
    return dump
  }

  /// Collects the objects of a document: a List's items (nested Lists too), or the object.
  private static func flatten(_ v: YAMLValue, _ index: Int, into out: inout [(YAMLValue, Int)]) {
    if case .list(let items)? = v["items"], v["kind"] == .string("List") || v["kind"] == nil {
      for item in items { flatten(item, index, into: &out) }
    } else if case .list(let items) = v {
      for item in items { flatten(item, index, into: &out) }
    } else if v != .null {
      out.append((v, index))
    }
  }

  /// `apiVersion/kind` of an object (`v1/Pod`, `apps/v1/Deployment`).
  static func kind(_ v: YAMLValue) -> String {
    let api = v["apiVersion"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "?"
    let kind = v["kind"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "?"
    return "\(api)/\(kind)"
  }

  private static func fields(
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

  private static func owners(_ m: ManifestFields) throws(ManifestError) -> [OwnerReference] {
    try m.list("ownerReferences") { o throws(ManifestError) in
      OwnerReference(
        apiVersion: try o.string("apiVersion") ?? "", kind: try o.string("kind") ?? "",
        name: try o.string("name") ?? "", controller: try o.bool("controller") ?? false)
    } ?? []
  }

  private static func namespace(_ v: YAMLValue, _ index: Int) throws(ManifestError) -> Namespace {
    let f = try fields(v, "Namespace", "v1", index)
    return Namespace(
      metadata: try meta(f, clusterScoped: true),
      phase: try f.object("status").string("phase") ?? "Active")
  }

  private static func node(_ v: YAMLValue, _ index: Int) throws(ManifestError) -> Node {
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

  private static func pod(
    _ v: YAMLValue, _ index: Int, _ rsOwner: [NamespacedName: String]
  ) throws(ManifestError) -> Pod {
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
    if let rs = m.ownerReferences.first(where: { $0.kind == "ReplicaSet" && $0.controller }) {
      p.ownerDeployment = rsOwner[NamespacedName(namespace: m.namespace, name: rs.name)]
    }
    return p
  }

  private static func service(_ v: YAMLValue, _ index: Int) throws(ManifestError) -> Service {
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

  private static func slice(_ v: YAMLValue, _ index: Int) throws(ManifestError) -> EndpointSlice {
    let f = try fields(v, "EndpointSlice", "discovery.k8s.io/v1", index)
    let m = try meta(f)
    var s = try SliceManifest.slice(f, name: m.name, namespace: m.namespace)
    s.metadata = m
    return s
  }

  private static func deployment(
    _ v: YAMLValue, _ index: Int, _ hashes: [NamespacedName: (hash: String, revision: Int)]
  ) throws(ManifestError) -> Deployment {
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
      podTemplateHash: hashes[m.key]?.hash ?? "",
      statusReplicas: try status.int("replicas") ?? 0,
      readyReplicas: try status.int("readyReplicas") ?? 0)
  }
}
