import Cluster
import LuaKit
import NetAddr

/// Cluster objects as the flat Lua tables the API returns (field names as in lua-api.md).
enum ObjectTables {
  static func namespace(_ ns: Namespace) -> LuaValue {
    var r = Record()
    r["kind"] = "Namespace"
    r["name"] = .string(ns.name)
    r["labels"] = .stringMap(ns.metadata.labels)
    r["phase"] = .string(ns.phase)
    r["created"] = .seconds(ns.metadata.creationTimestamp)
    return r.value
  }

  static func node(_ n: Node) -> LuaValue {
    var r = Record()
    r["kind"] = "Node"
    r["name"] = .string(n.name)
    r["ip"] = .string(n.internalIP.description)
    r["zone"] = .optional(n.zone)
    r["region"] = .optional(n.region)
    r["podCIDR"] = .optional(n.podCIDR?.description)
    r["labels"] = .stringMap(n.metadata.labels)
    if !n.dnsSearch.isEmpty { r["dnsSearch"] = .strings(n.dnsSearch) }
    r["created"] = .seconds(n.metadata.creationTimestamp)
    return r.value
  }

  static func containerPorts(_ ports: [ContainerPort]) -> LuaValue {
    .list(
      ports.map { p in
        var r = Record()
        r["name"] = .optional(p.name)
        r["containerPort"] = .int(p.containerPort)
        r["protocol"] = .string(p.protocol.rawValue)
        return r.value
      })
  }

  /// A pod's table, pushed onto the Lua stack: its scalar fields in one C call
  /// (`pushRecord`), then the nested lists and maps.
  static func pushPod(_ p: Pod, on call: LuaCall) throws {
    var f: [LuaField] = []
    f.reserveCapacity(18)
    f.append(LuaField("kind", .literal("Pod")))
    f.append(LuaField("name", .string(p.name)))
    f.append(LuaField("namespace", .string(p.namespace)))
    if let ip = p.podIP { f.append(LuaField("ip", .string(ip.description))) }
    if !p.nodeName.isEmpty { f.append(LuaField("node", .string(p.nodeName))) }
    f.append(LuaField("ready", .boolean(p.ready)))
    f.append(LuaField("phase", .string(p.phase.rawValue)))
    if let h = p.hostname { f.append(LuaField("hostname", .string(h))) }
    if let s = p.subdomain { f.append(LuaField("subdomain", .string(s))) }
    f.append(LuaField("dnsPolicy", .string(p.dnsPolicy.rawValue)))
    f.append(LuaField("hostNetwork", .boolean(p.hostNetwork)))
    f.append(LuaField("terminating", .boolean(p.isTerminating)))
    if let g = p.metadata.deletionGracePeriodSeconds, p.metadata.deletionTimestamp != nil {
      f.append(LuaField("deletionGracePeriodSeconds", .integer(g)))
    }
    if let d = p.ownerDeployment { f.append(LuaField("deployment", .string(d))) }
    try call.pushRecord(fields: f)
    try call.newTable(arrayCount: p.podIPs.count)
    for (i, ip) in p.podIPs.enumerated() {
      try call.pushString(ip.description)
      call.setIndex(i + 1)
    }
    call.setField(literal: "ips")
    try call.newTable(recordCount: p.labels.count)
    for (k, v) in p.labels { call.setField(k, v) }
    call.setField(literal: "labels")
    try call.newTable(arrayCount: p.ports.count)
    for (i, port) in p.ports.enumerated() {
      var fields = [
        LuaField("containerPort", .integer(port.containerPort)),
        LuaField("protocol", .string(port.protocol.rawValue)),
      ]
      if let name = port.name { fields.append(LuaField("name", .string(name))) }
      try call.pushRecord(fields: fields)
      call.setIndex(i + 1)
    }
    call.setField(literal: "ports")
    if let c = p.dnsConfig { try call.setField("dnsConfig", dnsConfig(c)) }
    if let t = p.metadata.deletionTimestamp { try call.setField("deletionTimestamp", .seconds(t)) }
    try call.setField("created", .seconds(p.metadata.creationTimestamp))
  }

  /// A list of pods' tables, pushed onto the Lua stack.
  static func pushPods(_ pods: [Pod], on call: LuaCall) throws {
    try call.newTable(arrayCount: pods.count)
    for (i, p) in pods.enumerated() {
      try pushPod(p, on: call)
      call.setIndex(i + 1)
    }
  }

  static func dnsConfig(_ c: PodDNSConfig) -> LuaValue {
    var r = Record()
    r["nameservers"] = .strings(c.nameservers)
    r["searches"] = .strings(c.searches)
    r["options"] = .list(
      c.options.map { o in
        var opt = Record()
        opt["name"] = .string(o.name)
        opt["value"] = .optional(o.value)
        return opt.value
      })
    return r.value
  }

  static func deployment(_ d: Deployment) -> LuaValue {
    var r = Record()
    r["kind"] = "Deployment"
    r["name"] = .string(d.name)
    r["namespace"] = .string(d.namespace)
    r["replicas"] = .int(d.replicas)
    r["readyReplicas"] = .int(d.readyReplicas)
    r["availableReplicas"] = .int(d.readyReplicas)
    r["labels"] = .stringMap(d.template.labels)
    r["selector"] = .stringMap(d.selector)
    r["ports"] = containerPorts(d.template.ports)
    r["podTemplateHash"] = .string(d.podTemplateHash)
    r["created"] = .seconds(d.metadata.creationTimestamp)
    return r.value
  }

  static func servicePort(_ p: ServicePort) -> LuaValue {
    var r = Record()
    r["name"] = p.name.isEmpty ? .nil : .string(p.name)
    r["protocol"] = .string(p.protocol.rawValue)
    r["port"] = .int(p.port)
    switch p.targetPort ?? .int(p.port) {
    case .int(let n): r["targetPort"] = .int(n)
    case .string(let s): r["targetPort"] = .string(s)
    }
    r["nodePort"] = .optional(p.nodePort)
    r["appProtocol"] = .optional(p.appProtocol)
    return r.value
  }

  static func service(_ s: Service) -> LuaValue {
    let spec = s.spec
    var r = Record()
    r["kind"] = "Service"
    r["name"] = .string(s.name)
    r["namespace"] = .string(s.namespace)
    r["labels"] = .stringMap(s.metadata.labels)
    r["type"] = .string(spec.type.rawValue)
    r["clusterIP"] = spec.clusterIP.isEmpty ? .nil : .string(spec.clusterIP)
    r["clusterIPs"] = .strings(spec.clusterIPs)
    r["ipFamilies"] = .strings(spec.ipFamilies.map(\.rawValue))
    r["ipFamilyPolicy"] = .optional(spec.ipFamilyPolicy?.rawValue)
    r["ports"] = .list(spec.ports.map(servicePort))
    if let sel = spec.selector { r["selector"] = .stringMap(sel) }
    r["externalName"] = .optional(spec.externalName)
    r["externalIPs"] = .strings(spec.externalIPs)
    r["sessionAffinity"] = .string(spec.sessionAffinity.rawValue)
    r["sessionAffinityTimeout"] = .optional(spec.sessionAffinityTimeoutSeconds)
    r["externalTrafficPolicy"] = .optional(spec.externalTrafficPolicy?.rawValue)
    r["internalTrafficPolicy"] = .optional(spec.internalTrafficPolicy?.rawValue)
    r["publishNotReadyAddresses"] = .boolean(spec.publishNotReadyAddresses)
    r["healthCheckNodePort"] = .optional(spec.healthCheckNodePort)
    r["loadBalancerIP"] = .optional(spec.loadBalancerIP)
    r["loadBalancerSourceRanges"] = .strings(spec.loadBalancerSourceRanges)
    r["allocateLoadBalancerNodePorts"] = .optional(spec.allocateLoadBalancerNodePorts)
    r["trafficDistribution"] = .optional(spec.trafficDistribution?.rawValue)
    r["loadBalancerIngress"] = .strings(s.status.loadBalancerIngress.map(\.description))
    r["loadBalancerIPMode"] = .optional(s.status.ingressIPMode?.rawValue)
    r["created"] = .seconds(s.metadata.creationTimestamp)
    return r.value
  }

  static func endpointSlice(_ s: EndpointSlice) -> LuaValue {
    var r = Record()
    r["kind"] = "EndpointSlice"
    r["name"] = .string(s.name)
    r["namespace"] = .string(s.namespace)
    r["service"] = .optional(s.serviceName)
    r["labels"] = .stringMap(s.metadata.labels)
    r["addressType"] = .string(s.addressType.rawValue)
    r["endpoints"] = .list(s.endpoints.map(endpoint))
    r["ports"] = .list(s.ports.map(endpointPort))
    return r.value
  }

  /// An endpoint port, of a slice or of an Endpoints subset: `{name, port, protocol, appProtocol}`.
  static func endpointPort(_ p: EndpointPort) -> LuaValue {
    var pr = Record()
    pr["name"] = .string(p.name)
    pr["port"] = .int(p.port)
    pr["protocol"] = .string(p.protocol.rawValue)
    pr["appProtocol"] = .optional(p.appProtocol)
    return pr.value
  }

  /// A v1 Endpoints object: `{kind="Endpoints", name, namespace, labels, annotations,
  /// subsets={ {addresses, notReadyAddresses, ports} }}`, each address
  /// `{ip, hostname, nodeName, targetRef}`.
  static func v1Endpoints(_ e: V1Endpoints) -> LuaValue {
    var r = Record()
    r["kind"] = "Endpoints"
    r["name"] = .string(e.name)
    r["namespace"] = .string(e.namespace)
    r["labels"] = .stringMap(e.metadata.labels)
    r["annotations"] = .stringMap(e.metadata.annotations.filter { $0.key != LastApplied.key })
    r["subsets"] = .list(
      e.subsets.map { s in
        var sr = Record()
        sr["addresses"] = .list(s.addresses.map(endpointAddress))
        sr["notReadyAddresses"] = .list(s.notReadyAddresses.map(endpointAddress))
        sr["ports"] = .list(s.ports.map(endpointPort))
        return sr.value
      })
    r["created"] = .seconds(e.metadata.creationTimestamp)
    return r.value
  }

  static func endpointAddress(_ a: EndpointAddress) -> LuaValue {
    var r = Record()
    r["ip"] = .string(a.ip)
    r["hostname"] = .optional(a.hostname)
    r["nodeName"] = .optional(a.nodeName)
    if let t = a.targetRef {
      var tr = Record()
      tr["kind"] = .string(t.kind)
      tr["namespace"] = .string(t.namespace)
      tr["name"] = .string(t.name)
      r["targetRef"] = tr.value
    }
    return r.value
  }

  static func endpoint(_ e: Endpoint) -> LuaValue {
    var r = Record()
    r["addresses"] = .strings(e.addresses)
    var c = Record()
    c["ready"] = .optional(e.conditions.ready)
    c["serving"] = .optional(e.conditions.serving)
    c["terminating"] = .optional(e.conditions.terminating)
    r["conditions"] = c.value
    r["hostname"] = .optional(e.hostname)
    r["nodeName"] = .optional(e.nodeName)
    r["zone"] = .optional(e.zone)
    if let t = e.targetRef {
      var tr = Record()
      tr["kind"] = .string(t.kind)
      tr["namespace"] = .string(t.namespace)
      tr["name"] = .string(t.name)
      r["targetRef"] = tr.value
    }
    if let h = e.hints {
      var hr = Record()
      hr["forZones"] = .strings(h.forZones)
      hr["forNodes"] = .strings(h.forNodes)
      r["hints"] = hr.value
    }
    return r.value
  }

  static func endpointEntry(_ e: EndpointEntry) -> LuaValue {
    var r = Record()
    r["ip"] = .string(e.ip)
    r["port"] = .optional(e.port)
    r["portName"] = .string(e.portName)
    r["protocol"] = .string(e.protocol.rawValue)
    r["ready"] = .boolean(e.ready)
    r["serving"] = .boolean(e.serving)
    r["terminating"] = .boolean(e.terminating)
    r["pod"] = .optional(e.pod)
    r["node"] = .optional(e.node)
    r["zone"] = .optional(e.zone)
    r["hostname"] = .optional(e.hostname)
    return r.value
  }
}
