import NetAddr

/// The records of one answer: Answer and Additional sections, plus the TC bit an upstream
/// lookup may have carried.
struct BuiltRecords {
  var answer: [DNSRecord] = []
  var extra: [DNSRecord] = []
  var truncated = false
}

extension DNSServer {
  /// CoreDNS's `A`/`AAAA` (backend_lookup.go): addresses of the family asked, de-duplicated,
  /// and ExternalName CNAMEs chased in the zone or through the upstream.
  func addressRecords(_ q: Question, previous: [DNSRecord]) throws(NameError) -> BuiltRecords {
    let entries = try services(q)
    var out = BuiltRecords()
    var seen: Set<IPAddress> = []
    for e in entries {
      switch e.host {
      case .ip(let ip):
        guard matchesFamily(ip, q.type), seen.insert(ip).inserted else { continue }
        out.answer.append(DNSRecord(name: q.name, type: q.type, ttl: e.ttl, data: ip.description))
      case .name(let host):
        chase(q, host: host, ttl: e.ttl, previous: previous, into: &out)
      }
    }
    return out
  }

  /// Follows `q.name CNAME host`: skipped for `x CNAME x`, a target already in the chain, or a
  /// chain of more than 8; in-zone targets resolve here and the CNAME is kept only if they
  /// give records; other targets go upstream and the CNAME is kept with whatever comes back.
  private func chase(
    _ q: Question, host: String, ttl: UInt32, previous: [DNSRecord], into out: inout BuiltRecords
  ) {
    let target = DNSName.fqdn(host)
    if target.lowercased() == q.lower { return }
    let cname = DNSRecord(name: q.name, type: .cname, ttl: ttl, data: target)
    if previous.count > 7 { return }
    if previous.contains(where: { $0.type == .cname && $0.data == target }) { return }
    if DNSName.isSubdomain(target.lowercased(), of: q.zone.lowercased()) {
      let sub = q.with(name: target)
      guard let next = try? addressRecords(sub, previous: previous + [cname]) else { return }
      if !next.answer.isEmpty {
        out.answer.append(cname)
        out.answer += next.answer
      }
      out.truncated = out.truncated || next.truncated
      return
    }
    guard let reply = upstreamLookup(target, q.type) else { return }
    out.truncated = out.truncated || reply.flags.tc
    out.answer.append(cname)
    out.answer += reply.answer
  }

  /// CoreDNS's `SRV`: weight `floor(100 / N)` (at least 1) over all N entries, port -1
  /// entries skipped, SRV de-duplicated by (target, port) and addresses by (target, address).
  func srvRecords(_ q: Question) throws(NameError) -> BuiltRecords {
    let entries = try services(q)
    var out = BuiltRecords()
    let weight = max(1, 100 / max(1, entries.count))
    var srvSeen: Set<String> = []
    var addrSeen: Set<String> = []
    for e in entries where e.port != -1 {
      guard case .ip(let ip) = e.host else { continue }
      if srvSeen.insert("\(e.domain)|\(e.port)").inserted {
        out.answer.append(
          DNSRecord(name: q.name, type: .srv, ttl: e.ttl, data: "0 \(weight) \(e.port) \(e.domain)")
        )
      }
      if addrSeen.insert("\(e.domain)|\(ip)").inserted {
        let type: RRType = ip.family == .v4 ? .a : .aaaa
        out.extra.append(DNSRecord(name: e.domain, type: type, ttl: e.ttl, data: ip.description))
      }
    }
    return out
  }

  /// CoreDNS's `TXT`: only `dns-version.<zone>` has one.
  func txtRecords(_ q: Question) throws(NameError) -> BuiltRecords {
    var out = BuiltRecords()
    for e in try services(q) {
      if case .name(let text) = e.host {
        out.answer.append(DNSRecord(name: q.name, type: .txt, ttl: e.ttl, data: text))
      }
    }
    return out
  }

  /// CoreDNS's `CNAME`: the first entry, when it is a name (an ExternalName Service).
  func cnameRecords(_ q: Question) throws(NameError) -> BuiltRecords {
    var out = BuiltRecords()
    if let first = try services(q).first, case .name(let host) = first.host {
      out.answer.append(
        DNSRecord(name: q.name, type: .cname, ttl: first.ttl, data: DNSName.fqdn(host)))
    }
    return out
  }

  /// CoreDNS's `PTR`: one record per distinct target.
  func ptrRecords(_ q: Question) throws(NameError) -> BuiltRecords {
    var out = BuiltRecords()
    var seen: Set<String> = []
    for e in try reverse(q) where seen.insert(e.domain).inserted {
      out.answer.append(DNSRecord(name: q.name, type: .ptr, ttl: e.ttl, data: e.domain))
    }
    return out
  }

  /// CoreDNS's `NS` at the apex: one NS per distinct server name, glue for every address.
  func nsRecords(_ q: Question) throws(NameError) -> BuiltRecords {
    var out = BuiltRecords()
    var seen: Set<String> = []
    for e in try services(q) {
      guard case .ip(let ip) = e.host else { continue }
      let type: RRType = ip.family == .v4 ? .a : .aaaa
      out.extra.append(DNSRecord(name: e.domain, type: type, ttl: e.ttl, data: ip.description))
      if seen.insert(e.domain).inserted {
        out.answer.append(DNSRecord(name: q.name, type: .ns, ttl: e.ttl, data: e.domain))
      }
    }
    return out
  }

  /// The zone's SOA (§2): owner in the query's casing, TTL `min(ttl, 300)`, minimum `ttl`,
  /// serial the time of the last change.
  func soaRecord(zone: String) -> DNSRecord {
    let mname = zone == "." ? "ns.dns." : "ns.dns.\(zone)"
    let rname = zone == "." ? "hostmaster." : "hostmaster.\(zone)"
    let data = "\(mname) \(rname) \(serial) 7200 1800 86400 \(settings.ttl)"
    return DNSRecord(name: zone, type: .soa, ttl: min(settings.ttl, 300), data: data)
  }
}
