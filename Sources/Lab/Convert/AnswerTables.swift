import CoreDNS
import LuaKit

/// `resolve`'s result: a lookup's final reply, every query sent and the final addresses,
/// pushed as one Lua table (`{rcode, flags, answer, authority, additional, queries,
/// addresses}`).
enum AnswerTables {
  static func push(_ l: Lookup, on call: LuaCall) throws {
    let r = l.response
    try call.newTable(recordCount: 7)
    call.setField("rcode", r.rcode.rawValue)
    try call.pushRecord(
      LuaField("aa", .boolean(r.flags.aa)), LuaField("tc", .boolean(r.flags.tc)),
      LuaField("rd", .boolean(r.flags.rd)), LuaField("ra", .boolean(r.flags.ra)))
    call.setField(literal: "flags")
    try pushRecords(r.answer, on: call)
    call.setField(literal: "answer")
    try pushRecords(r.authority, on: call)
    call.setField(literal: "authority")
    try pushRecords(r.additional, on: call)
    call.setField(literal: "additional")
    try call.newTable(arrayCount: l.queries.count)
    for (i, q) in l.queries.enumerated() {
      try call.pushRecord(
        LuaField("name", .string(q.name)), LuaField("type", .string(q.type.rawValue)),
        LuaField("rcode", .string(q.rcode.rawValue)))
      call.setIndex(i + 1)
    }
    call.setField(literal: "queries")
    try call.newTable(arrayCount: l.addresses.count)
    for (i, a) in l.addresses.enumerated() {
      try call.pushString(a)
      call.setIndex(i + 1)
    }
    call.setField(literal: "addresses")
  }

  /// A section: `{name=, type=, ttl=, data=}` per record.
  private static func pushRecords(_ rrs: [DNSRecord], on call: LuaCall) throws {
    try call.newTable(arrayCount: rrs.count)
    for (i, rr) in rrs.enumerated() {
      try call.pushRecord(
        LuaField("name", .string(rr.name)), LuaField("type", .string(rr.type.rawValue)),
        LuaField("ttl", .integer(Int(rr.ttl))), LuaField("data", .string(rr.data)))
      call.setIndex(i + 1)
    }
  }
}
