import CoreDNS
import LuaKit

/// Pushes a DNS answer straight onto the Lua stack, without intermediate Swift tables: this
/// is the hot path of `resolve`.
enum AnswerTables {
  static func push(_ l: Lookup, on call: LuaCall) throws {
    let r = l.response
    try call.newTable(recordCount: 7)
    call.setField("rcode", r.rcode.rawValue)
    try call.newTable(recordCount: 4)
    call.setField("aa", r.flags.aa)
    call.setField("tc", r.flags.tc)
    call.setField("rd", r.flags.rd)
    call.setField("ra", r.flags.ra)
    call.setField("flags")
    try pushRecords(r.answer, call)
    call.setField("answer")
    try pushRecords(r.authority, call)
    call.setField("authority")
    try pushRecords(r.additional, call)
    call.setField("additional")
    try call.newTable(arrayCount: l.queries.count)
    for (i, q) in l.queries.enumerated() {
      try call.newTable(recordCount: 3)
      call.setField("name", q.name)
      call.setField("type", q.type.rawValue)
      call.setField("rcode", q.rcode.rawValue)
      call.setIndex(i + 1)
    }
    call.setField("queries")
    try call.newTable(arrayCount: l.addresses.count)
    for (i, a) in l.addresses.enumerated() {
      try call.pushString(a)
      call.setIndex(i + 1)
    }
    call.setField("addresses")
  }

  private static func pushRecords(_ records: [DNSRecord], _ call: LuaCall) throws {
    try call.newTable(arrayCount: records.count)
    for (i, rr) in records.enumerated() {
      try call.newTable(recordCount: 4)
      call.setField("name", rr.name)
      call.setField("type", rr.type.rawValue)
      call.setField("ttl", Int(rr.ttl))
      call.setField("data", rr.data)
      call.setIndex(i + 1)
    }
  }
}
