extension DNSServer {
  /// The plugin chain below autopath: kubernetes, then forward for what it passes on.
  func serveChain(_ qname: String, _ type: RRType) -> DNSResponse {
    if let reply = serveKubernetes(qname, type) { return reply }
    return forward(qname, type)
  }

  /// The `forward` plugin: the upstream's reply passed through as it came.
  func forward(_ qname: String, _ type: RRType) -> DNSResponse {
    guard let fwd = settings.forward,
      DNSName.isSubdomain(qname.lowercased(), of: DNSName.fqdn(fwd.from.lowercased()))
    else {
      // No plugin left to answer: CoreDNS's "no next plugin found" SERVFAIL.
      return serverError(qname, type, .servFail)
    }
    return external.lookup(qname, type)
  }

  /// CoreDNS's `ServeDNS` for the kubernetes plugin; nil when the name is outside its zones or
  /// an NXDOMAIN falls through to the next plugin.
  func serveKubernetes(_ qname: String, _ type: RRType) -> DNSResponse? {
    let lower = qname.lowercased()
    guard let zone = DNSName.match(lower, zones: settings.zones) else { return nil }
    let q = Question(name: qname, zoneLength: zone.count, type: type)
    let built: BuiltRecords
    do {
      built = try records(for: q, apex: lower == zone)
    } catch {
      if fallsThrough(lower) { return nil }
      return negative(q, .nxDomain)
    }
    if type == .axfr || type == .ixfr { return serverError(qname, type, .refused) }
    if built.answer.isEmpty { return negative(q, .noError) }
    return DNSResponse(
      questionName: qname, questionType: type, rcode: .noError,
      flags: DNSFlags(aa: true, tc: built.truncated, rd: true, ra: false),
      answer: built.answer, additional: built.extra)
  }

  /// Dispatches on the query type as CoreDNS's handler does; other types make a stand-in
  /// lookup only to tell NODATA from NXDOMAIN.
  private func records(for q: Question, apex: Bool) throws(NameError) -> BuiltRecords {
    switch q.type {
    case .axfr, .ixfr: return BuiltRecords()
    case .a, .aaaa: return try addressRecords(q, previous: [])
    case .txt: return try txtRecords(q)
    case .cname: return try cnameRecords(q)
    case .ptr: return try ptrRecords(q)
    case .srv: return try srvRecords(q)
    case .soa:
      return apex ? BuiltRecords(answer: [soaRecord(zone: q.zone)]) : BuiltRecords()
    case .ns where apex: return try nsRecords(q)
    case .ns:
      // Below the apex CoreDNS's handler falls through to its stand-in A lookup
      // (plugin/kubernetes/handler.go): NODATA for a name that exists, else NXDOMAIN.
      _ = try services(Question(name: q.name, zoneLength: q.zone.count, type: .a))
      return BuiltRecords()
    default:
      _ = try services(q)
      return BuiltRecords()
    }
  }

  /// Whether `fallthrough` hands NXDOMAIN for this name to the next plugin.
  private func fallsThrough(_ lower: String) -> Bool {
    guard let zones = settings.fallthroughZones else { return false }
    if zones.isEmpty { return true }
    return zones.contains { DNSName.isSubdomain(lower, of: DNSName.fqdn($0.lowercased())) }
  }

  /// NXDOMAIN or NODATA with the zone's SOA in Authority, AA set.
  private func negative(_ q: Question, _ rcode: Rcode) -> DNSResponse {
    DNSResponse(
      questionName: q.name, questionType: q.type, rcode: rcode,
      flags: DNSFlags(aa: true, tc: false, rd: true, ra: false),
      authority: [soaRecord(zone: q.zone)])
  }

  /// CoreDNS's upstream self-lookup for out-of-zone CNAME targets: the query goes through the
  /// server's plugin chain again. Nested lookups stop after 8 levels.
  func upstreamLookup(_ name: String, _ type: RRType) -> DNSResponse? {
    guard upstreamDepth < 8 else { return nil }
    upstreamDepth += 1
    defer { upstreamDepth -= 1 }
    return applyCache(serveChain(name, type))
  }
}
