import CoreDNS
import LuaKit

/// `resolve`'s result for one memoized reply to a direct query, made ready for Lua once: a
/// template whose constructor builds the whole answer table, with the same fields in the
/// same order as `AnswerTables.push(direct:type:on:)`.
final class PreparedAnswer {
  private let template: LuaRecordTemplate

  private init(_ r: DNSResponse, type: RRType, on call: LuaCall) throws {
    func records(_ rrs: [DNSRecord]) -> LuaTemplateValue {
      .list(rrs.map { rr in
        .record([
          ("name", .string(rr.name)), ("type", .string(rr.typeName)),
          ("ttl", .integer(rr.timeToLive)), ("data", .string(rr.data)),
        ])
      })
    }
    let answer: LuaTemplateValue = .record([
      ("rcode", .string(r.rcode.rawValue)),
      ("flags", .record([
        ("aa", .boolean(r.flags.aa)), ("tc", .boolean(r.flags.tc)),
        ("rd", .boolean(r.flags.rd)), ("ra", .boolean(r.flags.ra)),
      ])),
      ("answer", records(r.answer)),
      ("authority", records(r.authority)),
      ("additional", records(r.additional)),
      ("queries", .list([.record([
        ("name", .string(r.questionName)), ("type", .string(type.rawValue)),
        ("rcode", .string(r.rcode.rawValue)),
      ])])),
      ("addresses", .list(r.answer.filter(\.isAddress).map { .string($0.data) })),
    ])
    template = try LuaRecordTemplate(answer, arguments: 0, on: call)
  }

  /// The prepared form of `known`, made on first use and kept with it; nil when Lua could
  /// not make one (the caller pushes the answer the ordinary way).
  static func of(_ known: KnownAnswer, type: RRType, on call: LuaCall) -> PreparedAnswer? {
    if let kept = known.attachment as? PreparedAnswer { return kept }
    guard let made = try? PreparedAnswer(known.reply, type: type, on: call) else { return nil }
    known.attachment = made
    return made
  }

  /// Pushes the constructor of a new answer table; returns what the primitive returns (the
  /// table, made once Swift has returned).
  func push(on call: LuaCall) throws -> Int {
    try template.pushConstructor(on: call)
    return template.constructedResult()
  }
}
