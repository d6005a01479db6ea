import NetAddr

extension DNSServer {
  /// CoreDNS's `Services`: the backend entries for a question, with the special cases for
  /// TXT (`dns-version`), NS at the apex and `ns.dns.<zone>`; SRV drops ExternalName entries.
  func services(_ q: Question) throws(NameError) -> [BackendEntry] {
    switch q.type {
    case .txt:
      return try txtServices(q)
    case .ns:
      return nsAddrs(zone: q.zone).map {
        BackendEntry(host: .ip($0.ip), port: 0, ttl: settings.ttl, domain: $0.name)
      }
    default:
      break
    }
    if isDefaultNS(q) {
      return nsAddrs(zone: q.zone).filter { matchesFamily($0.ip, q.type) }.map {
        BackendEntry(host: .ip($0.ip), port: 0, ttl: settings.ttl, domain: q.name)
      }
    }
    let found = try records(q)
    guard q.type == .srv else { return found }
    return found.filter { if case .ip = $0.host { true } else { false } }
  }

  /// TXT answers only `dns-version.<zone>`; elsewhere NODATA if the name has other records,
  /// else NXDOMAIN (even where an A query would be NODATA).
  private func txtServices(_ q: Question) throws(NameError) -> [BackendEntry] {
    let base = RecordRequest.trim(q.lower, zone: q.zone.lowercased())
    if base == "dns-version" {
      return [
        BackendEntry(host: .name("\"\(Self.schemaVersion)\""), port: 0, ttl: 28800, domain: q.name)
      ]
    }
    let other = (try? records(q)) ?? []
    if !other.isEmpty { return [] }
    throw .noItems
  }

  /// Whether the question is for `ns.dns.<zone>`.
  func isDefaultNS(_ q: Question) -> Bool {
    q.lower.utf8.starts(with: "ns.dns.".utf8) && q.lower == "ns.dns." + q.zone.lowercased()
  }

  /// Whether an address answers an A (IPv4) or AAAA (IPv6) question.
  func matchesFamily(_ ip: IPAddress, _ type: RRType) -> Bool {
    (type == .a && ip.family == .v4) || (type == .aaaa && ip.family == .v6)
  }

  /// CoreDNS's `nsAddrs`: the names and addresses that serve the zone. When one of CoreDNS's
  /// own pod IPs is an endpoint of a Service, that Service (its ClusterIPs, or for a headless
  /// Service the endpoint names) stands in; otherwise `ns.dns.<zone>` with the pod IPs.
  func nsAddrs(zone: String) -> [(name: String, ip: IPAddress)] {
    var out: [(name: String, ip: IPAddress)] = []
    var foundEndpoint = false
    for local in localAddresses {
      for ep in settings.noEndpoints ? [] : index.endpoints(withIP: local) {
        foundEndpoint = true
        guard let svc = index.services[ep.service] else { continue }
        let name = "\(svc.name).\(svc.namespace).svc.\(zone)"
        if svc.kind == .headless {
          for a in ep.addresses { out.append(("\(endpointHostname(a)).\(name)", a.ip)) }
        } else {
          for ip in svc.clusterIPs { out.append((name, ip)) }
        }
      }
    }
    if !foundEndpoint {
      out = localAddresses.map { ("ns.dns.\(zone)", $0) }
    }
    return out
  }

  /// CoreDNS's `Reverse`: PTR targets for an address, or the name error of a non-address name.
  func reverse(_ q: Question) throws(NameError) -> [BackendEntry] {
    guard let ip = IPAddress(reverseName: q.lower) else {
      _ = try records(q)
      return []
    }
    let zone = settings.primaryZone
    let filtered = !settings.namespaces.isEmpty
    for svc in index.services(withClusterIP: ip) where !filtered || namespaceExposed(svc.namespace)
    {
      let target = "\(svc.name).\(svc.namespace).svc.\(zone)"
      return [BackendEntry(host: .name(target), port: 0, ttl: settings.ttl, domain: target)]
    }
    var out: [BackendEntry] = []
    let eps = settings.noEndpoints ? [] : index.endpoints(withIP: ip)
    for ep in eps where !filtered || namespaceExposed(ep.namespace) {
      for a in ep.addresses where a.ip == ip {
        let target =
          "\(endpointHostname(a)).\(ep.service.name).\(ep.service.namespace).svc.\(zone)"
        out.append(BackendEntry(host: .name(target), port: 0, ttl: settings.ttl, domain: target))
      }
    }
    guard !out.isEmpty else { throw .noItems }
    return out
  }
}
