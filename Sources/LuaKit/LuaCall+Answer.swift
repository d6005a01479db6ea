import CLua
import CLuaGlue

/// A resource record as ``LuaCall/pushAnswer(_:)`` reads it: `{name, type, ttl, data}`.
public protocol LuaAnswerRecord {
  var name: String { get }
  var typeName: String { get }
  var timeToLive: Int { get }
  var data: String { get }
  /// Whether `data` is an address (A or AAAA), for an answer's `addresses`.
  var isAddress: Bool { get }
}

/// A query a lookup sent, as ``LuaCall/pushAnswer(_:)`` reads it: `{name, type, rcode}`.
public protocol LuaAnswerQuery {
  var name: String { get }
  var typeName: String { get }
  var rcodeName: String { get }
}

/// The fixed-shape answer of a DNS lookup, pushed as one table in one C call.
public struct LuaAnswer<Record: LuaAnswerRecord, Queries: Collection>
where Queries.Element: LuaAnswerQuery {
  public var rcode: String
  public var flags: (aa: Bool, tc: Bool, rd: Bool, ra: Bool)
  public var sections: (answer: [Record], authority: [Record], additional: [Record])
  public var queries: Queries
  /// The final addresses; `nil` for the data of the answer section's address records.
  public var addresses: [String]?

  public init(
    rcode: String, flags: (aa: Bool, tc: Bool, rd: Bool, ra: Bool),
    sections: (answer: [Record], authority: [Record], additional: [Record]),
    queries: Queries, addresses: [String]?
  ) {
    self.rcode = rcode
    self.flags = flags
    self.sections = sections
    self.queries = queries
    self.addresses = addresses
  }
}

/// Text copied into one scratch buffer that outlives the C call.
@usableFromInline
struct TextScratch {
  @usableFromInline let base: UnsafeMutablePointer<UInt8>
  @usableFromInline var used = 0

  @inlinable init(base: UnsafeMutablePointer<UInt8>) { self.base = base }

  @inlinable mutating func text(_ s: String) -> svl_Text {
    let start = base + used
    // Native and small strings lend their bytes without a copy of the string itself.
    let lent = s.utf8.withContiguousStorageIfAvailable { utf8 -> Int in
      guard let from = utf8.baseAddress else { return 0 }
      start.initialize(from: from, count: utf8.count)
      return utf8.count
    }
    let count: Int
    if let lent {
      count = lent
    } else {
      var s = s
      count = s.withUTF8 { utf8 -> Int in
        guard let from = utf8.baseAddress else { return 0 }
        start.initialize(from: from, count: utf8.count)
        return utf8.count
      }
    }
    used += count
    return svl_Text(s: UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self), n: count)
  }
}

extension LuaCall {
  /// Pushes `{rcode, flags, answer, authority, additional, queries, addresses}` with every
  /// table sized exactly, in one C call (`svl_pushanswer`): the hot path of `resolve`.
  /// Inlinable so that it is specialized for the caller's record and query types: the
  /// unspecialized form costs more than the table building itself.
  @inlinable
  public func pushAnswer<R, Q>(_ a: LuaAnswer<R, Q>) throws {
    let L = try answerState()
    let s = a.sections
    let nq = a.queries.count
    let na = a.addresses?.count ?? s.answer.reduce(0) { $0 + ($1.isAddress ? 1 : 0) }
    var bytes = a.rcode.utf8.count
    for rr in s.answer { bytes += Self.textBytes(rr) }
    for rr in s.authority { bytes += Self.textBytes(rr) }
    for rr in s.additional { bytes += Self.textBytes(rr) }
    for q in a.queries {
      bytes += q.name.utf8.count + q.typeName.utf8.count + q.rcodeName.utf8.count
    }
    for t in a.addresses ?? [] { bytes += t.utf8.count }
    let nrr = s.answer.count + s.authority.count + s.additional.count
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(bytes, 1)) { raw in
      guard let base = raw.baseAddress else { return }
      var scratch = TextScratch(base: base)
      withUnsafeTemporaryAllocation(of: svl_RR.self, capacity: max(nrr, 1)) { rrs in
        withUnsafeTemporaryAllocation(of: svl_Query.self, capacity: max(nq, 1)) { qs in
          withUnsafeTemporaryAllocation(of: svl_Text.self, capacity: max(na, 1)) { addrs in
            guard let rp = rrs.baseAddress, let qp = qs.baseAddress, let ap = addrs.baseAddress
            else { return }
            var c = svl_Answer()
            c.rcode = scratch.text(a.rcode)
            c.aa = a.flags.aa ? 1 : 0
            c.tc = a.flags.tc ? 1 : 0
            c.rd = a.flags.rd ? 1 : 0
            c.ra = a.flags.ra ? 1 : 0
            var n = 0
            var addressCount = 0
            for rr in s.answer {
              rp[n] = Self.record(rr, &scratch)
              if a.addresses == nil && rr.isAddress {
                ap[addressCount] = rp[n].data
                addressCount += 1
              }
              n += 1
            }
            for rr in s.authority { rp[n] = Self.record(rr, &scratch); n += 1 }
            for rr in s.additional { rp[n] = Self.record(rr, &scratch); n += 1 }
            for (i, q) in a.queries.enumerated() {
              qp[i] = svl_Query(
                name: scratch.text(q.name), type: scratch.text(q.typeName),
                rcode: scratch.text(q.rcodeName))
            }
            for t in a.addresses ?? [] {
              ap[addressCount] = scratch.text(t)
              addressCount += 1
            }
            let na = s.answer.count
            let nau = s.authority.count
            c.sections = (UnsafePointer(rp), UnsafePointer(rp + na), UnsafePointer(rp + na + nau))
            c.counts = (Int32(na), Int32(nau), Int32(s.additional.count))
            c.queries = UnsafePointer(qp)
            c.nqueries = Int32(nq)
            c.addresses = UnsafePointer(ap)
            c.naddresses = Int32(addressCount)
            svl_pushanswer(L, &c)
          }
        }
      }
    }
  }

  /// Room on the stack for the key table, the answer, a list, a record and a key and value
  /// (`svl_pushanswer` asks for its shared texts' slots itself).
  @usableFromInline
  func answerState() throws -> OpaquePointer {
    try stack.reserve(8)
    return stack.L
  }

  @inlinable
  static func textBytes(_ rr: some LuaAnswerRecord) -> Int {
    rr.name.utf8.count + rr.typeName.utf8.count + rr.data.utf8.count
  }

  @inlinable
  static func record(_ rr: some LuaAnswerRecord, _ scratch: inout TextScratch) -> svl_RR {
    svl_RR(
      name: scratch.text(rr.name), type: scratch.text(rr.typeName), data: scratch.text(rr.data),
      ttl: lua_Integer(rr.timeToLive))
  }
}
