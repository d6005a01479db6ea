import CoreDNS
import LuaKit

/// Pushes a DNS answer straight onto the Lua stack, without intermediate Swift tables: this
/// is the hot path of `resolve`. The whole answer is built in one C call.
enum AnswerTables {
  /// The answer of a lookup that may have gone through a search path.
  static func push(_ l: Lookup, on call: LuaCall) throws {
    let r = l.response
    try call.pushAnswer(
      LuaAnswer(
        rcode: r.rcode.rawValue, flags: (r.flags.aa, r.flags.tc, r.flags.rd, r.flags.ra),
        sections: (r.answer, r.authority, r.additional), queries: l.queries,
        addresses: l.addresses))
  }

  /// The answer of one direct query of `type`: the query is the reply's question, the
  /// addresses are the answer's A/AAAA data.
  static func push(direct r: DNSResponse, type: RRType, on call: LuaCall) throws {
    try call.pushAnswer(
      LuaAnswer(
        rcode: r.rcode.rawValue, flags: (r.flags.aa, r.flags.tc, r.flags.rd, r.flags.ra),
        sections: (r.answer, r.authority, r.additional),
        queries: CollectionOfOne(Lookup.Query(name: r.questionName, type: type, rcode: r.rcode)),
        addresses: nil))
  }
}

extension DNSRecord: LuaAnswerRecord {
  public var typeName: String { type.rawValue }
  public var timeToLive: Int { Int(ttl) }
  public var isAddress: Bool { type == .a || type == .aaaa }
}

extension Lookup.Query: LuaAnswerQuery {
  var typeName: String { type.rawValue }
  var rcodeName: String { rcode.rawValue }
}
