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
    let sections = [reply.answer, reply.authority, reply.additional]
    guard let smallest = sections.lazy.compactMap({ $0.lazy.map(\.ttl).min() }).min() else {
      return reply
    }
    let maxTTL = denial ? cache.denialTTL : cache.successTTL
    let ttl = min(max(smallest, min(5, maxTTL)), maxTTL)
    var out = reply
    for i in out.answer.indices { out.answer[i].ttl = ttl }
    for i in out.authority.indices { out.authority[i].ttl = ttl }
    for i in out.additional.indices { out.additional[i].ttl = ttl }
    return out
  }
}
