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
  /// Set when the library refuses the name before sending anything: its words for it.
  public var refusal: String? = nil
  /// Whether the answer came from the pod's /etc/hosts, with no query.
  public var fromHostsFile = false
}

/// Resolves `name` as a pod's C library would, sending each query through `send`.
///
/// `type` nil is `getaddrinfo(AF_UNSPEC)`: A then AAAA at every step. With a type, glibc walks
/// the search list with that type (`res_search`); musl's `res_search` is `res_query`, so the
/// name is sent once as given.
///
/// With `hosts` (the pod's /etc/hosts text), getaddrinfo (`type` nil) first looks the name up
/// there, as nsswitch's `hosts: files dns` and musl's `name_from_hosts` do: a name found
/// there is answered without any query. A name neither library can send (an empty label, as
/// in `web..`, or one too long) is refused before any query: `refusal` holds the library's
/// words (its `gai_strerror`). The walks follow glibc 2.36 and musl 1.2.3 (Docs/Fidelity.md).
public func lookup(
  name: String, type: RRType?, config: ResolverConfig, flavor: ResolverFlavor,
  hosts: String? = nil, send: (String, RRType) -> DNSResponse
) -> LookupResult {
  let types: [RRType] = type.map { [$0] } ?? [.a, .aaaa]
  if let refusal = resolverRefusal(name, flavor: flavor, getaddrinfo: type == nil) {
    var r = Walk.emptyResult(questionName: name, type: types[0])
    r.refusal = refusal
    return r
  }
  if type == nil, let hosts, let found = hostsLookup(name, in: hosts) {
    return found
  }
  return withoutActuallyEscaping(send) { send in
    var walk = Walk(types: types, send: send)
    let trailingDot = name.hasSuffix(".")
    let bare = trailingDot ? String(name.dropLast()) : name
    let dots = bare.filter { $0 == "." }.count
    // `.` (or an empty entry) in the search list stands for the root: both libraries send
    // the name itself, root-qualified, in its place.
    let search = config.search.filter { !$0.isEmpty }.map {
      $0.hasSuffix(".") ? String($0.dropLast()) : $0
    }
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

/// The words the C library answers with when it will not send `name` at all: a name with
/// an empty label (`web..`, `..`, `.web`). (Names too long to send are the walk's business:
/// a candidate that cannot be encoded is skipped or ends the search.)
public func resolverRefusal(_ name: String, flavor: ResolverFlavor, getaddrinfo: Bool) -> String? {
  let bare = name.hasSuffix(".") ? String(name.dropLast()) : name
  let emptyLabel =
    name != "."
    && (bare.isEmpty || bare.hasPrefix(".") || bare.hasSuffix(".") || bare.contains(".."))
  guard emptyLabel else { return nil }
  switch flavor {
  case .glibc: return getaddrinfo ? "Name or service not known" : "Unknown host"
  case .musl: return "Name does not resolve"
  }
}

/// getaddrinfo's answer from a hosts file: every address of a line naming `name` (letter
/// case ignored; a name with a trailing dot is not matched), v4 and v6 alike.
func hostsLookup(_ name: String, in hosts: String) -> LookupResult? {
  guard !name.hasSuffix("."), !name.isEmpty else { return nil }
  let wanted = name.lowercased()
  var addresses: [String] = []
  for raw in hosts.split(separator: "\n") {
    let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
    guard fields.count >= 2, fields.dropFirst().contains(where: { $0.lowercased() == wanted })
    else {
      continue
    }
    addresses.append(String(fields[0]))
  }
  guard !addresses.isEmpty else { return nil }
  let fq = DNSName.fqdn(name)
  let records = addresses.map { a in
    DNSRecord(name: fq, type: a.contains(":") ? .aaaa : .a, ttl: 0, data: a)
  }
  let response = DNSResponse(
    questionName: fq, questionType: .a, rcode: .noError, flags: DNSFlags(rd: false), answer: records
  )
  var r = LookupResult(queries: [], response: response, addresses: addresses)
  r.fromHostsFile = true
  return r
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
    var rootOnList = false
    search: for domain in search {
      // `.` in the list: the name itself, root-qualified, and no as-is query at the end.
      let root = domain == "." || domain.isEmpty
      if root { rootOnList = true }
      // A candidate too long to send ends the search (NO_RECOVERY); the name as given is
      // still tried below.
      guard let r = step(root ? name : name + "." + domain) else { break search }
      switch Self.glibcVerdict(r) {
      case .success:
        success = r
        return
      case .notFound, .noData, .tryAgain: continue
      case .fatal: break search
      }
    }
    if !triedAsIs && !rootOnList, let r = step(name), Self.glibcVerdict(r) == .success {
      success = r
    }
  }

  /// musl: each search domain, continuing only on NXDOMAIN, then the name as given.
  mutating func musl(_ name: String, search: [String]) {
    for domain in search {
      if domain == "." || domain.isEmpty {
        // musl 1.2.3 writes `name..` into a query whose name no server can read (a stray dot
        // where the root label belongs); it ignores the FORMERR reply, asks once more, and
        // the lookup ends with EAI_AGAIN. (Seen through the wire server; musl 1.2.4+ skips `.`.)
        let bad = name + ".."
        for _ in 0..<2 {
          for t in types {
            queries.append(SentQuery(name: bad, type: t, rcode: send(bad, t).rcode))
          }
        }
        last = types.map { send(bad, $0) }
        return
      }
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

  /// A lookup that sent nothing.
  static func emptyResult(questionName: String, type: RRType) -> LookupResult {
    let response = DNSResponse(
      questionName: DNSName.fqdn(questionName), questionType: type, rcode: .formErr,
      flags: DNSFlags())
    return LookupResult(queries: [], response: response, addresses: [])
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

/// Why dig refuses `name` before sending it, in dig's words (`'NAME' is not a legal name
/// (REASON)`), or nil for a name it sends.
public func digRefusal(_ name: String) -> String? {
  if name == "." { return nil }
  let bare = name.hasSuffix(".") ? String(name.dropLast()) : name
  if bare.isEmpty || bare.hasPrefix(".") || bare.contains("..") { return "empty label" }
  if bare.split(separator: ".").contains(where: { $0.utf8.count > 63 }) { return "label too long" }
  if bare.utf8.count > 253 { return "ran out of space" }
  return nil
}
