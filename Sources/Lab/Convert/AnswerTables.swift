import CoreDNS
import LuaKit

/// Pushes a DNS answer straight onto the Lua stack, without intermediate Swift tables: this
/// is the hot path of `resolve`. Record tables are pushed whole, keys found by address.
enum AnswerTables {
  static func push(_ l: Lookup, on call: LuaCall) throws {
    let r = l.response
    try call.newTable(recordCount: 7)
    try call.pushString(r.rcode.rawValue)
    call.setField(literal: "rcode")
    try call.pushRecord(
      LuaField("aa", .boolean(r.flags.aa)), LuaField("tc", .boolean(r.flags.tc)),
      LuaField("rd", .boolean(r.flags.rd)), LuaField("ra", .boolean(r.flags.ra)))
    call.setField(literal: "flags")
    try pushRecords(r.answer, call)
    call.setField(literal: "answer")
    try pushRecords(r.authority, call)
    call.setField(literal: "authority")
    try pushRecords(r.additional, call)
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

  private static func pushRecords(_ records: [DNSRecord], _ call: LuaCall) throws {
    try call.newTable(arrayCount: records.count)
    for (i, rr) in records.enumerated() {
      try call.pushRecord(
        LuaField("name", .string(rr.name)), LuaField("type", .string(rr.type.rawValue)),
        LuaField("ttl", .integer(Int(rr.ttl))), LuaField("data", .string(rr.data)))
      call.setIndex(i + 1)
    }
  }
}
