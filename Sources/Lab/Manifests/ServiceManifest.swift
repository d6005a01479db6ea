import Cluster
import NetAddr

/// A v1 Service's `spec` and a discovery.k8s.io/v1 EndpointSlice read from a manifest.
enum ServiceManifest {
  static func spec(_ spec: ManifestFields, name: String) throws(ManifestError) -> ServiceSpec {
    var s = ServiceSpec()
    if let v = try spec.string("type") { s.type = ServiceType(rawValue: v) }
    s.selector = try spec.stringMap("selector")
    s.ports =
      try spec.list("ports") { p throws(ManifestError) in
        var port = ServicePort(port: try p.int("port") ?? 0)
        port.name = try p.string("name") ?? ""
        port.protocol = PortProtocol(rawValue: try p.string("protocol") ?? "TCP")
        switch try p.intOrString("targetPort") {
        case .int(let n)?: port.targetPort = .int(n)
        case .string(let t)?: port.targetPort = Int(t).map { IntOrString.int($0) } ?? .string(t)
        default: port.targetPort = nil
        }
        port.nodePort = try p.int("nodePort")
        port.appProtocol = try p.string("appProtocol")
        return port
      } ?? []
    if let v = try spec.string("clusterIP") { s.clusterIP = v }
    if let v = try spec.strings("clusterIPs") {
      s.clusterIPs = v
      if !spec.has("clusterIP") { s.clusterIP = v.first ?? "" }
    } else if !s.clusterIP.isEmpty {
      s.clusterIPs = [s.clusterIP]
    }
    for (i, text) in (try spec.strings("ipFamilies") ?? []).enumerated() {
      guard let family = IPFamily(rawValue: text) else {
        throw .rejected(
          document: spec.document, object: "service/\(name)",
          error: .invalid(
            kind: "Service", name: name,
            errors: [
              .unsupported(FieldPath("spec", "ipFamilies").index(i), text, ["IPv4", "IPv6"])
            ]))
      }
      s.ipFamilies.append(family)
    }
    if let v = try spec.string("ipFamilyPolicy") { s.ipFamilyPolicy = IPFamilyPolicy(rawValue: v) }
    s.externalName = try spec.string("externalName")
    s.externalIPs = try spec.strings("externalIPs") ?? []
    if let v = try spec.string("sessionAffinity") {
      s.sessionAffinity = SessionAffinity(rawValue: v)
    }
    s.sessionAffinityTimeoutSeconds = try spec.object("sessionAffinityConfig").object("clientIP")
      .int("timeoutSeconds")
    if let v = try spec.string("externalTrafficPolicy") {
      s.externalTrafficPolicy = TrafficPolicy(rawValue: v)
    }
    if let v = try spec.string("internalTrafficPolicy") {
      s.internalTrafficPolicy = TrafficPolicy(rawValue: v)
    }
    s.publishNotReadyAddresses = try spec.bool("publishNotReadyAddresses") ?? false
    s.healthCheckNodePort = try spec.int("healthCheckNodePort")
    s.loadBalancerIP = try spec.string("loadBalancerIP")
    s.loadBalancerSourceRanges = try spec.strings("loadBalancerSourceRanges") ?? []
    s.allocateLoadBalancerNodePorts = try spec.bool("allocateLoadBalancerNodePorts")
    if let v = try spec.string("trafficDistribution") {
      s.trafficDistribution = TrafficDistribution(rawValue: v)
    }
    return s
  }
}

enum SliceManifest {
  static func slice(
    _ f: ManifestFields, name: String, namespace: String
  ) throws(ManifestError) -> EndpointSlice {
    let typeText = try f.string("addressType") ?? ""
    guard let type = AddressType(rawValue: typeText) else {
      throw .rejected(
        document: f.document, object: "endpointslice.discovery.k8s.io/\(name)",
        error: .invalid(
          kind: "EndpointSlice.discovery.k8s.io", name: name,
          errors: [
            .unsupported(FieldPath("addressType"), typeText, ["FQDN", "IPv4", "IPv6"])
          ]))
    }
    let endpoints =
      try f.list("endpoints") { e throws(ManifestError) -> Endpoint in
        var ep = Endpoint(addresses: try e.strings("addresses") ?? [])
        let c = try e.object("conditions")
        ep.conditions = EndpointConditions(
          ready: try c.bool("ready"), serving: try c.bool("serving"),
          terminating: try c.bool("terminating"))
        ep.hostname = try e.string("hostname")
        ep.nodeName = try e.string("nodeName")
        ep.zone = try e.string("zone")
        if e.has("targetRef") {
          let t = try e.object("targetRef")
          ep.targetRef = ObjectReference(
            kind: try t.string("kind") ?? "Pod", namespace: try t.string("namespace") ?? namespace,
            name: try t.string("name") ?? "")
        }
        if e.has("hints") {
          let h = try e.object("hints")
          let zones =
            try h.list("forZones") { z throws(ManifestError) in try z.string("name") ?? "" } ?? []
          let nodes =
            try h.list("forNodes") { n throws(ManifestError) in try n.string("name") ?? "" } ?? []
          ep.hints = EndpointHints(forZones: zones, forNodes: nodes)
        }
        return ep
      } ?? []
    let ports =
      try f.list("ports") { p throws(ManifestError) in
        EndpointPort(
          name: try p.string("name") ?? "", port: try p.int("port") ?? 0,
          protocol: PortProtocol(rawValue: try p.string("protocol") ?? "TCP"),
          appProtocol: try p.string("appProtocol"))
      } ?? []
    return EndpointSlice(
      metadata: ObjectMeta(name: name, namespace: namespace), addressType: type,
      endpoints: endpoints, ports: ports)
  }
}

/// A v1 Endpoints document's subsets.
enum EndpointsManifest {
  static func endpoints(
    _ f: ManifestFields, name: String, namespace: String
  ) throws(ManifestError) -> V1Endpoints {
    func addresses(_ s: ManifestFields, _ key: String) throws(ManifestError) -> [EndpointAddress] {
      try s.list(key) { a throws(ManifestError) -> EndpointAddress in
        var addr = EndpointAddress(ip: try a.string("ip") ?? "")
        addr.hostname = try a.string("hostname")
        addr.nodeName = try a.string("nodeName")
        if a.has("targetRef") {
          let t = try a.object("targetRef")
          addr.targetRef = ObjectReference(
            kind: try t.string("kind") ?? "Pod", namespace: try t.string("namespace") ?? namespace,
            name: try t.string("name") ?? "")
        }
        return addr
      } ?? []
    }
    let subsets =
      try f.list("subsets") { s throws(ManifestError) -> EndpointSubset in
        EndpointSubset(
          addresses: try addresses(s, "addresses"),
          notReadyAddresses: try addresses(s, "notReadyAddresses"),
          ports: try s.list("ports") { p throws(ManifestError) in
            EndpointPort(
              name: try p.string("name") ?? "", port: try p.int("port") ?? 0,
              protocol: PortProtocol(rawValue: try p.string("protocol") ?? "TCP"),
              appProtocol: try p.string("appProtocol"))
          } ?? [])
      } ?? []
    return V1Endpoints(metadata: ObjectMeta(name: name, namespace: namespace), subsets: subsets)
  }
}
