extension DNSServer {
  /// What the cache plugin does to a reply it passes on: every TTL becomes the reply's
  /// smallest TTL clamped to [5 s, max] (success max or denial max). Replies without records
  /// and error replies are unchanged.
  func applyCache(_ reply: DNSResponse) -> DNSResponse {
    guard let cache = settings.cache, !cache.keepTTL else { return reply }
    let denial: Bool
    switch reply.rcode {
    case .noError: denial = reply.answer.isEmpty
    case .nxDomain: denial = true
    default: return reply
    }
    let all = reply.answer + reply.authority + reply.additional
    guard let smallest = all.map(\.ttl).min() else { return reply }
    let maxTTL = denial ? cache.denialTTL : cache.successTTL
    let ttl = min(max(smallest, min(5, maxTTL)), maxTTL)
    var out = reply
    out.answer = reply.answer.map { Self.with(ttl, $0) }
    out.authority = reply.authority.map { Self.with(ttl, $0) }
    out.additional = reply.additional.map { Self.with(ttl, $0) }
    return out
  }

  private static func with(_ ttl: UInt32, _ r: DNSRecord) -> DNSRecord {
    DNSRecord(name: r.name, type: r.type, ttl: ttl, data: r.data)
  }
}
