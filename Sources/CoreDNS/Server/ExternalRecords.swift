/// The DNS world outside the cluster, as the upstream resolver behind CoreDNS's `forward`
/// sees it: any records (PTR and CNAME chains included), answered as a recursive resolver
/// answers — no AA bit, RA set, CNAMEs followed, NXDOMAIN for names that do not exist and
/// NOERROR with no records for names that exist with other types (or only have names below
/// them). A negative answer carries the SOA of the closest enclosing zone added here, if any.
public struct ExternalRecords: Sendable {
  /// Records by lower-case owner name.
  private var byName: [String: [DNSRecord]] = [:]
  /// Every owner name and all its ancestors: the names that exist.
  private var existing: Set<String> = []

  public init() {}

  /// Adds a record. The name is taken as fully qualified; the type's data is stored as given.
  public mutating func add(name: String, type: RRType, data: String, ttl: UInt32 = 300) {
    let owner = DNSName.fqdn(name).lowercased()
    var record = DNSRecord(name: owner, type: type, ttl: ttl, data: data)
    if [.cname, .ptr, .ns].contains(type) { record.data = DNSName.fqdn(data) }
    if byName[owner]?.contains(record) == true { return }
    byName[owner, default: []].append(record)
    existing.formUnion(Self.ancestors(owner))
  }

  /// Removes every record of `type` at `name` (all types when `type` is nil).
  public mutating func remove(name: String, type: RRType? = nil) {
    let owner = DNSName.fqdn(name).lowercased()
    byName[owner]?.removeAll { type == nil || $0.type == type }
    if byName[owner]?.isEmpty == true { byName[owner] = nil }
    existing = Set(byName.keys.flatMap(Self.ancestors))
  }

  /// All stored records, in insertion order per name and names sorted.
  public var all: [DNSRecord] { byName.keys.sorted().flatMap { byName[$0] ?? [] } }

  /// Answers `name`/`type` as a recursive resolver would.
  public func lookup(_ name: String, _ type: RRType) -> DNSResponse {
    let qname = DNSName.fqdn(name)
    var reply = DNSResponse(
      questionName: qname, questionType: type, rcode: .noError,
      flags: DNSFlags(aa: false, tc: false, rd: true, ra: true))
    if type == .axfr || type == .ixfr {
      reply.rcode = .refused
      return reply
    }
    if qname == "." && byName["."] == nil {
      // The root, as a recursive resolver answers it: its SOA and its thirteen servers.
      let soa = DNSRecord(name: ".", type: .soa, ttl: 86400, data: Self.rootSOA)
      switch type {
      case .soa: reply.answer = [soa]
      case .ns:
        reply.answer = "abcdefghijklm".map {
          DNSRecord(name: ".", type: .ns, ttl: 518400, data: "\($0).root-servers.net.")
        }
      default: reply.authority = [soa]
      }
      return reply
    }
    var current = qname.lowercased()
    var owner = qname
    var visited: Set<String> = []
    // A resolver follows at most a bounded chain; 16 is well past what real ones allow.
    while visited.insert(current).inserted && visited.count <= 16 {
      let here = byName[current] ?? []
      let wanted = here.filter { type == .any || $0.type == type }
      if !wanted.isEmpty {
        reply.answer += wanted.map { renamed($0, owner) }
        return reply
      }
      guard type != .cname, let cname = here.first(where: { $0.type == .cname }) else { break }
      reply.answer.append(renamed(cname, owner))
      current = cname.data.lowercased()
      owner = cname.data
    }
    if !existing.contains(current) { reply.rcode = .nxDomain }
    if let soa = closestSOA(current) { reply.authority = [soa] }
    return reply
  }

  /// The record with its owner spelled as the question spelled it.
  private func renamed(_ r: DNSRecord, _ owner: String) -> DNSRecord {
    DNSRecord(name: owner, type: r.type, ttl: r.ttl, data: r.data)
  }

  /// The root zone's SOA as the root servers publish it (serial of 2026-12-07).
  static let rootSOA =
    "a.root-servers.net. nstld.verisign-grs.com. 2026120700 1800 900 604800 86400"

  /// The SOA of the closest enclosing name that has one.
  private func closestSOA(_ name: String) -> DNSRecord? {
    for n in Self.ancestors(name) {
      if let soa = byName[n]?.first(where: { $0.type == .soa }) { return soa }
    }
    return nil
  }

  /// `a.b.c.`, `b.c.`, `c.`.
  private static func ancestors(_ name: String) -> [String] {
    var out: [String] = []
    var n = Substring(name)
    while !n.isEmpty && n != "." {
      out.append(String(n))
      guard let dot = n.firstIndex(of: ".") else { break }
      n = n[n.index(after: dot)...]
    }
    return out
  }
}
