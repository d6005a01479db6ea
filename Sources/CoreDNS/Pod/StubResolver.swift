/// Which C library's resolver a pod's program uses.
public enum ResolverFlavor: String, Hashable, Sendable {
  /// glibc `__res_context_search` (Debian, Ubuntu, distroless images).
  case glibc
  /// musl `name_from_dns_search` (Alpine).
  case musl
}

/// One query a stub resolver sent, with the rcode it got back.
public struct SentQuery: Hashable, Sendable {
  public var name: String
  public var type: RRType
  public var rcode: Rcode
}

/// The outcome of a lookup through the search path.
public struct LookupResult: Hashable, Sendable {
  /// Every query sent, in order (fully qualified names).
  public var queries: [SentQuery]
  /// The reply the lookup ends with; after a failed walk, the last query's rcode with an empty
  /// answer. For getaddrinfo, the A and AAAA answers of the step that succeeded together.
  public var response: DNSResponse
  /// The A/AAAA data of the final answer (after CNAMEs).
  public var addresses: [String]
}

/// Resolves `name` as a pod's C library would, sending each query through `send`.
///
/// `type` nil is `getaddrinfo(AF_UNSPEC)`: A then AAAA at every step. With a type, glibc walks
/// the search list with that type (`res_search`); musl's `res_search` is `res_query`, so the
/// name is sent once as given.
public func lookup(
  name: String, type: RRType?, config: ResolverConfig, flavor: ResolverFlavor,
  send: (String, RRType) -> DNSResponse
) -> LookupResult {
  let types: [RRType] = type.map { [$0] } ?? [.a, .aaaa]
  return withoutActuallyEscaping(send) { send in
    var walk = Walk(types: types, send: send)
    let trailingDot = name.hasSuffix(".")
    let bare = trailingDot ? String(name.dropLast()) : name
    let dots = bare.filter { $0 == "." }.count
    let search = config.search.filter { $0 != "." && !$0.isEmpty }
    switch flavor {
    case .glibc:
      walk.glibc(bare, dots: dots, trailingDot: trailingDot, ndots: config.ndots, search: search)
    case .musl:
      let asIsOnly = type != nil || trailingDot || dots >= config.ndots
      walk.musl(bare, search: asIsOnly ? [] : search)
    }
    return walk.result(questionName: DNSName.fqdn(name), type: types[0])
  }
}

/// The state of one walk: queries sent and the successful step, if any.
private struct Walk {
  let types: [RRType]
  let send: (String, RRType) -> DNSResponse
  var queries: [SentQuery] = []
  var last: [DNSResponse] = []
  var success: [DNSResponse]?

  init(types: [RRType], send: @escaping (String, RRType) -> DNSResponse) {
    self.types = types
    self.send = send
  }

  /// Sends every type for one candidate name; nil when it cannot be encoded.
  mutating func step(_ candidate: String) -> [DNSResponse]? {
    let fq = DNSName.fqdn(candidate)
    guard DNSName.isEncodable(fq) else { return nil }
    let replies = types.map { send(fq, $0) }
    for (t, r) in zip(types, replies) {
      queries.append(SentQuery(name: fq, type: t, rcode: r.rcode))
    }
    last = replies
    return replies
  }

  /// glibc's verdict on one step (`__res_context_query`): success when either reply is
  /// NOERROR with answers; else the h_errno of the first reply (the second's when the first
  /// is NOERROR).
  enum Verdict { case success, notFound, noData, tryAgain, fatal }

  static func glibcVerdict(_ replies: [DNSResponse]) -> Verdict {
    if replies.contains(where: { $0.rcode == .noError && !$0.answer.isEmpty }) { return .success }
    let first = replies[0].rcode
    let code = first == .noError && replies.count > 1 ? replies[1].rcode : first
    switch code {
    case .nxDomain: return .notFound
    case .noError: return .noData
    case .servFail: return .tryAgain
    default: return .fatal
    }
  }

  /// glibc: as-is first when dots ≥ ndots (only as-is with a trailing dot), then each search
  /// domain while replies are NXDOMAIN, NODATA or SERVFAIL, then as-is if not yet tried.
  mutating func glibc(_ name: String, dots: Int, trailingDot: Bool, ndots: Int, search: [String]) {
    var triedAsIs = false
    if dots >= ndots || trailingDot {
      guard let r = step(name) else { return }
      if Self.glibcVerdict(r) == .success {
        success = r
        return
      }
      if trailingDot { return }
      triedAsIs = true
    }
    for domain in search {
      // A candidate too long to encode ends the walk (NO_RECOVERY).
      guard let r = step(name + "." + domain) else { return }
      switch Self.glibcVerdict(r) {
      case .success:
        success = r
        return
      case .notFound, .noData, .tryAgain: continue
      case .fatal: return
      }
    }
    if !triedAsIs, let r = step(name), Self.glibcVerdict(r) == .success { success = r }
  }

  /// musl: each search domain, continuing only on NXDOMAIN, then the name as given.
  mutating func musl(_ name: String, search: [String]) {
    for domain in search {
      // musl skips a candidate that would exceed 255 octets.
      guard let r = step(name + "." + domain) else { continue }
      if Self.mustContinue(r) { continue }
      if Self.muslSuccess(r) { success = r }
      return
    }
    if let r = step(name), Self.muslSuccess(r) { success = r }
  }

  /// musl checks replies in order: SERVFAIL stops (EAI_AGAIN), NXDOMAIN continues, other
  /// errors stop (EAI_FAIL); all NOERROR ends the walk, with or without addresses.
  static func mustContinue(_ replies: [DNSResponse]) -> Bool {
    for r in replies {
      if r.rcode == .servFail { return false }
      if r.rcode == .nxDomain { return true }
      if r.rcode != .noError { return false }
    }
    return false
  }

  static func muslSuccess(_ replies: [DNSResponse]) -> Bool {
    replies.allSatisfy { $0.rcode == .noError } && replies.contains { !$0.answer.isEmpty }
  }

  /// Combines the walk into a result.
  func result(questionName: String, type: RRType) -> LookupResult {
    if let success, var merged = success.first {
      merged.answer = success.flatMap(\.answer)
      merged.additional = success.flatMap(\.additional)
      merged.authority = success.flatMap(\.authority)
      let addrs = merged.answer.filter { $0.type == .a || $0.type == .aaaa }.map(\.data)
      return LookupResult(queries: queries, response: merged, addresses: addrs)
    }
    var final =
      last.last
      ?? DNSResponse(
        questionName: questionName, questionType: type, rcode: .formErr, flags: DNSFlags())
    final.answer = []
    return LookupResult(queries: queries, response: final, addresses: [])
  }
}
