import CoreDNS
import LuaKit

/// `resolve`'s result for one memoized reply to a direct query. A reply asked for a few
/// times gets a template whose constructor builds the whole answer table, with the same
/// fields in the same order as `AnswerTables.push(direct:type:on:)`, which pushes it until
/// then. The memo is emptied by every change to the cluster, and its replies are mostly
/// the same again afterwards: templates are kept by reply (`AnswerTemplates`), so that a
/// change elsewhere costs no new one.
final class PreparedAnswer {
  private var template: LuaRecordTemplate?
  private var uses = 0

  /// The prepared form of `known`, made on first use and kept with it.
  static func of(_ known: KnownAnswer) -> PreparedAnswer {
    if let kept = known.attachment as? PreparedAnswer { return kept }
    let made = PreparedAnswer()
    known.attachment = made
    return made
  }

  /// Pushes the answer of `known` to a query of `type`; returns what the primitive returns.
  func push(_ known: KnownAnswer, type: RRType, templates: inout AnswerTemplates, on call: LuaCall)
    throws -> Int
  {
    uses += 1
    if template == nil && uses >= PreparedConnection.usesBeforeTemplate {
      template = try templates.template(for: known.reply, type: type, on: call)
    }
    guard let template else {
      try AnswerTables.push(direct: known.reply, type: type, on: call)
      return 1
    }
    try template.pushConstructor(on: call)
    return template.constructedResult()
  }
}

/// Templates of `resolve` answers by reply and query type.
struct AnswerTemplates {
  private struct Key: Hashable {
    var reply: DNSResponse
    var type: RRType
  }

  /// Templates kept at most; past it the table starts afresh.
  static let capacity = 1024
  private var templates: [Key: LuaRecordTemplate] = [:]

  mutating func template(for r: DNSResponse, type: RRType, on call: LuaCall) throws -> LuaRecordTemplate {
    let key = Key(reply: r, type: type)
    if let known = templates[key] { return known }
    if templates.count >= Self.capacity { templates.removeAll() }
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
    let made = try LuaRecordTemplate(answer, arguments: 0, on: call)
    templates[key] = made
    return made
  }
}
