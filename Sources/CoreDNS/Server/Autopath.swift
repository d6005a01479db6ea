import NetAddr

extension DNSServer {
  /// The search path autopath uses for a client: its namespace's domains, the zone, CoreDNS's
  /// own search domains, then the bare name. Nil (no autopath) unless `pods verified` and the
  /// client IP belongs to a Running pod.
  func autopathSearch(_ lower: String, client: IPAddress?) -> [String]? {
    guard settings.autopath, settings.pods == .verified, let client,
      let zone = DNSName.match(lower, zones: settings.zones),
      let pod = index.pods(withIP: client).first(where: { $0.running })
    else { return nil }
    let head =
      zone == "."
      ? ["\(pod.namespace).svc.", "svc.", "."]
      : ["\(pod.namespace).svc.\(zone)", "svc.\(zone)", zone]
    return head + settings.upstreamSearch.map { DNSName.fqdn($0.lowercased()) } + [""]
  }

  /// The autopath plugin: when the name ends in the client's first search domain, try the
  /// client's search path on the server and return the first reply that is not NXDOMAIN,
  /// with a CNAME from the name asked to the name found; all NXDOMAIN gives the first reply.
  func serveAutopath(_ qname: String, _ type: RRType, client: IPAddress?) -> DNSResponse {
    guard settings.autopath else { return serveChain(qname, type) }  // the plugin is off
    let lower = qname.lowercased()
    guard let search = autopathSearch(lower, client: client), let first = search.first,
      DNSName.isSubdomain(lower, of: first)
    else { return serveChain(qname, type) }
    // The name equal to the first domain has no base: CoreDNS's TrimZone fails → SERVFAIL.
    guard lower != first else { return serverError(qname, type, .servFail) }
    let base = String(qname.dropLast(first.count + 1))
    var firstReply: DNSResponse?
    for (i, domain) in search.enumerated() {
      let reply = serveChain(base + "." + domain, type)
      if i == 0 { firstReply = reply }
      if reply.rcode == .nxDomain { continue }
      return cnamer(reply, original: qname)
    }
    return firstReply ?? serverError(qname, type, .servFail)
  }

  /// Puts `original CNAME <owner of the first answer record>` in front of the answer (unless
  /// the answer is empty or already owned by `original`) and restores the question.
  private func cnamer(_ reply: DNSResponse, original: String) -> DNSResponse {
    var out = reply
    for rr in reply.answer where rr.name.lowercased() != original.lowercased() {
      out.answer.insert(
        DNSRecord(name: original, type: .cname, ttl: rr.ttl, data: rr.name), at: 0)
      break
    }
    out.questionName = original
    return out
  }
}
