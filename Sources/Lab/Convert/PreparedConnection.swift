import KubeProxy
import LuaKit

/// `connect`'s results for one outcome of a kube-proxy plan, made ready for Lua: the record
/// with its `hops`, or the failure's reason. An outcome used a few times gets a template
/// (a constructor taking `id`, `kept` and the first hop per call); until then, and for an
/// outcome seen once, the record is pushed field by field from text written once.
///
/// Plans are made again after every change to the proxy state, with outcomes that mostly
/// say the same as before; templates are therefore kept by what they say
/// (`ConnectionTemplates`), so that a change elsewhere in the cluster costs no new one.
final class PreparedConnection {
  /// Uses of an outcome before it gets a template: compiling one costs about as much as
  /// ten field-by-field pushes.
  static let usesBeforeTemplate = 3

  private let outcome: PlannedOutcome
  private var template: LuaRecordTemplate?
  private var uses = 0
  /// Why the connection failed, for a failed outcome.
  private let reason: String?
  /// Why the backend sees the source it sees, when it is not the client's own.
  private let sourceReason: String?
  /// The first hop: the source line's head, room for a port, its tail.
  private let line: UnsafeMutablePointer<UInt8>
  private let head: Int
  private let tail: [UInt8]

  private init(_ outcome: PlannedOutcome) {
    self.outcome = outcome
    if case .failure(let failure) = outcome.result { reason = failure.description } else { reason = nil }
    sourceReason = outcome.sourceReason
    head = outcome.sourceHead.count
    tail = outcome.sourceTail
    line = .allocate(capacity: head + 21 + tail.count)
    line.initialize(from: outcome.sourceHead, count: head)
  }

  deinit { line.deallocate() }

  /// The prepared form of `outcome`, made on first use and kept with it.
  static func of(_ outcome: PlannedOutcome) -> PreparedConnection {
    if let kept = outcome.attachment as? PreparedConnection { return kept }
    let made = PreparedConnection(outcome)
    outcome.attachment = made
    return made
  }

  /// Pushes `connect`'s results for one connection made along the plan; returns what the
  /// primitive returns.
  func push(_ made: PlannedConnection, templates: inout ConnectionTemplates, on call: LuaCall) throws
    -> Int
  {
    if let reason {
      try call.pushNil()
      try call.pushString(reason)
      return 2
    }
    if let template {
      try template.pushConstructor(on: call)
      try call.pushInteger(made.id)
      try call.pushBoolean(made.kept)
      try call.pushString(utf8: firstHop(sourcePort: made.sourcePort))
      return template.constructedResult()
    }
    guard case .success(let c) = made.result else { return 0 }
    uses += 1
    if uses >= Self.usesBeforeTemplate {
      template = try templates.template(for: c, outcome, on: call)
      return try push(made, templates: &templates, on: call)
    }
    try call.pushRecord(fields: ResultTables.connectionFields(c, sourceReason: sourceReason))
    try call.newTable(arrayCount: outcome.lines.count + 1)
    try call.pushString(utf8: firstHop(sourcePort: made.sourcePort))
    call.setIndex(1)
    for (i, hop) in outcome.lines.enumerated() {
      try call.pushString(hop)
      call.setIndex(i + 2)
    }
    call.setField(literal: "hops")
    return 1
  }

  /// The source line with this connection's port, in the outcome's own buffer.
  private func firstHop(sourcePort: Int) -> UnsafeBufferPointer<UInt8> {
    let at = head + TraceText.writeDecimal(sourcePort, to: line + head)
    tail.withUnsafeBufferPointer { t in
      if let from = t.baseAddress { (line + at).initialize(from: from, count: t.count) }
    }
    return UnsafeBufferPointer(start: line, count: at + tail.count)
  }
}

/// Templates of `connect` results by what they say: the connection (its id and `kept`
/// aside) and every hop but the first.
struct ConnectionTemplates {
  private struct Key: Hashable {
    var connection: Connection
    var lines: [String]
  }

  /// Templates kept at most; past it the table starts afresh.
  static let capacity = 1024
  private var templates: [Key: LuaRecordTemplate] = [:]

  /// The template for `c` along `outcome`, made once.
  mutating func template(for c: Connection, _ outcome: PlannedOutcome, on call: LuaCall) throws
    -> LuaRecordTemplate
  {
    var same = c
    same.id = 0
    same.kept = false
    let key = Key(connection: same, lines: outcome.lines)
    if let known = templates[key] { return known }
    if templates.count >= Self.capacity { templates.removeAll() }
    let made = try LuaRecordTemplate(
      fields: ResultTables.connectionFields(same, sourceReason: outcome.sourceReason), parameters: ["id", "kept"],
      list: (key: "hops", items: [""] + outcome.lines, firstItemIsParameter: true), on: call)
    templates[key] = made
    return made
  }
}
