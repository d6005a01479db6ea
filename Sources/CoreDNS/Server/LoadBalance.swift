/// The loadbalance plugin's `round_robin` policy, which is a shuffle: a section of only A or
/// only AAAA records is permuted; a mixed section becomes CNAMEs, other types, then the
/// shuffled addresses, then the shuffled MX records.
enum LoadBalance {
  /// Shuffles the Answer, Authority and Additional sections of a NOERROR reply.
  static func shuffle(_ reply: inout DNSResponse, using rng: inout some RandomNumberGenerator) {
    // A section of one record or none is left as it is, without touching the generator.
    if reply.answer.count > 1 { reply.answer = roundRobin(reply.answer, using: &rng) }
    if reply.authority.count > 1 { reply.authority = roundRobin(reply.authority, using: &rng) }
    if reply.additional.count > 1 {
      reply.additional = roundRobin(reply.additional, using: &rng)
    }
  }

  static func roundRobin(
    _ rrs: [DNSRecord], using rng: inout some RandomNumberGenerator
  )
    -> [DNSRecord]
  {
    guard rrs.count > 1 else { return rrs }
    let first = rrs[0].type
    if (first == .a || first == .aaaa) && rrs.allSatisfy({ $0.type == first }) {
      var out = rrs
      permute(&out, using: &rng)
      return out
    }
    var cname: [DNSRecord] = []
    var address: [DNSRecord] = []
    var mx: [DNSRecord] = []
    var rest: [DNSRecord] = []
    for r in rrs {
      switch r.type {
      case .cname: cname.append(r)
      case .a, .aaaa: address.append(r)
      case .mx: mx.append(r)
      default: rest.append(r)
      }
    }
    permute(&address, using: &rng)
    permute(&mx, using: &rng)
    return cname + rest + address + mx
  }

  /// CoreDNS's `roundRobinShuffle`, with a 16-bit random message ID as its random source.
  private static func permute(_ rrs: inout [DNSRecord], using rng: inout some RandomNumberGenerator)
  {
    let n = rrs.count
    if n < 2 { return }
    if n == 2 {
      if UInt16.random(in: .min ... .max, using: &rng) % 2 == 0 { rrs.swapAt(0, 1) }
      return
    }
    for j in 0..<n {
      let p = j + Int(UInt16.random(in: .min ... .max, using: &rng)) % (n - j)
      if p != j { rrs.swapAt(j, p) }
    }
  }
}
