import NetAddr

/// Why the kubernetes plugin found nothing under a name; all three mean NXDOMAIN
/// (CoreDNS's `errNoItems`, `errNsNotExposed`, `errInvalidRequest`).
enum NameError: Error {
  case noItems
  case namespaceNotExposed
  case invalidRequest
}

/// One backend result, as CoreDNS's `msg.Service`: an address or a name (ExternalName), the
/// port it was found with (-1 for none), and the domain its key spells (SRV/NS target).
struct BackendEntry: Hashable {
  enum Host: Hashable {
    case ip(IPAddress)
    case name(String)
  }
  let host: Host
  let port: Int
  let ttl: UInt32
  let domain: String
}

/// The question being answered: the name as sent, lower-cased, and the matched zone in the
/// query's casing.
struct Question {
  let name: String
  let lower: String
  let zone: String
  let type: RRType

  init(name: String, zoneLength: Int, type: RRType) {
    self.name = name
    lower = name.lowercased()
    zone = zoneLength == 1 && name.count > 1 ? "." : String(name.suffix(zoneLength))
    self.type = type
  }

  /// The same question about another name in the same zone.
  func with(name newName: String, type newType: RRType? = nil) -> Question {
    Question(name: DNSName.fqdn(newName), zoneLength: zone.count, type: newType ?? type)
  }
}

extension DNSServer {
  /// Whether `namespace` is exposed: allowed by `namespaces` and known to exist.
  func namespaceExposed(_ namespace: String) -> Bool {
    if !settings.namespaces.isEmpty && !settings.namespaces.contains(namespace) { return false }
    return index.namespaces.contains(namespace)
  }

  /// CoreDNS's `Records`: what the name means as a service, endpoint or pod.
  func records(_ q: Question) throws(NameError) -> [BackendEntry] {
    let r: RecordRequest
    do { r = try RecordRequest(name: q.lower, zone: q.zone.lowercased()) } catch {
      throw .invalidRequest
    }
    if r.podOrSvc.isEmpty { return [] }
    if DNSName.isReverse(q.lower) { throw .noItems }
    guard namespaceExposed(r.namespace) else { throw .namespaceNotExposed }
    if r.podOrSvc == "pod" { return try findPods(r, zone: q.zone) }
    return try findServices(r, zone: q.zone)
  }

  /// The endpoint label: hostname, else (with `endpoint_pod_names`) the pod name, else the
  /// dashed IP.
  func endpointHostname(_ a: EndpointAddress) -> String {
    if !a.hostname.isEmpty { return a.hostname }
    if settings.endpointPodNames && !a.targetRefName.isEmpty { return a.targetRefName }
    return a.ip.dashed
  }

  /// The ready EndpointSlices of a Service, or none when `noendpoints` is set.
  func watchedEndpoints(_ key: ServiceKey) -> [EndpointsEntry] {
    settings.noEndpoints ? [] : index.endpoints(of: key)
  }

  /// CoreDNS's `findPods`: `a-b-c-d.<ns>.pod.<zone>` in the configured pod mode.
  private func findPods(_ r: RecordRequest, zone: String) throws(NameError) -> [BackendEntry] {
    guard settings.pods != .disabled, namespaceExposed(r.namespace) else { throw .noItems }
    let podName = r.service
    if podName.isEmpty { return [] }
    let domain = "\(podName).\(r.namespace).pod.\(zone)"
    let dashes = podName.filter { $0 == "-" }.count
    let text =
      dashes == 3 && !podName.contains("--")
      ? String(podName.map { $0 == "-" ? "." : $0 })
      : String(podName.map { $0 == "-" ? ":" : $0 })
    guard let ip = IPAddress(text) else { throw .noItems }
    let entry = BackendEntry(host: .ip(ip), port: 0, ttl: settings.ttl, domain: domain)
    if settings.pods == .insecure { return [entry] }
    let matches = index.pods(withIP: ip).filter { $0.namespace == r.namespace }
    guard !matches.isEmpty else { throw .noItems }
    return matches.map { _ in entry }
  }

  /// CoreDNS's `findServices`: ClusterIP, headless, endpoint and ExternalName answers.
  private func findServices(_ r: RecordRequest, zone: String) throws(NameError) -> [BackendEntry] {
    if r.service.isEmpty { return [] }
    let key = ServiceKey(namespace: r.namespace, name: r.service)
    guard let svc = index.services[key] else { throw .noItems }
    let base = "\(svc.name).\(svc.namespace).svc.\(zone)"
    if settings.ignoreEmptyService && svc.kind == .clusterIP
      && watchedEndpoints(key).allSatisfy({ $0.addresses.isEmpty })
    {
      throw .noItems
    }
    switch svc.kind {
    case .externalName:
      // No endpoints and no _port._proto sub-names; an IP literal is not a CNAME.
      guard r.endpoint.isEmpty, r.port.isEmpty, r.protocol.isEmpty,
        let target = svc.externalName, IPAddress(target) == nil
      else { throw .noItems }
      return [BackendEntry(host: .name(target), port: 0, ttl: settings.ttl, domain: base)]
    case .headless,
      .clusterIP where !r.endpoint.isEmpty:
      let out = endpointEntries(r, eps: watchedEndpoints(key), base: base)
      guard !out.isEmpty else { throw .noItems }
      return out
    case .clusterIP:
      let ports = svc.ports.isEmpty ? [DNSServicePort(name: "", protocol: "", port: -1)] : svc.ports
      var out: [BackendEntry] = []
      var matched = false
      for p in ports where Self.matches(r, p) {
        matched = true
        for ip in svc.clusterIPs {
          out.append(BackendEntry(host: .ip(ip), port: p.port, ttl: settings.ttl, domain: base))
        }
      }
      guard matched else { throw .noItems }
      return out
    }
  }

  /// One entry per (ready address × matching port) of the Service's slices.
  private func endpointEntries(
    _ r: RecordRequest, eps: [EndpointsEntry], base: String
  )
    -> [BackendEntry]
  {
    var out: [BackendEntry] = []
    for ep in eps {
      for a in ep.addresses {
        let label = endpointHostname(a)
        if !r.endpoint.isEmpty && r.endpoint != label.lowercased() { continue }
        for p in ep.ports where Self.matches(r, p) {
          out.append(
            BackendEntry(
              host: .ip(a.ip), port: p.port, ttl: settings.ttl, domain: "\(label).\(base)"))
        }
      }
    }
    return out
  }

  /// Port and protocol selectors match case-insensitively; an empty selector matches all.
  private static func matches(_ r: RecordRequest, _ p: DNSServicePort) -> Bool {
    (r.port.isEmpty || r.port == p.name.lowercased())
      && (r.protocol.isEmpty || r.protocol == p.protocol.lowercased())
  }
}
