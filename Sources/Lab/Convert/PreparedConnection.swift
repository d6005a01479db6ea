import KubeProxy
import LuaKit

/// `connect`'s results for one outcome of a kube-proxy plan, made ready for Lua once: the
/// record with its `hops` (a template taking `id`, `kept` and the first hop per call), or
/// the failure's reason.
final class PreparedConnection {
  private enum Form {
    case connection(LuaRecordTemplate)
    case failure(String)
  }

  private let form: Form
  /// The first hop: the source line's head, room for a port, its tail.
  private let line: UnsafeMutablePointer<UInt8>
  private let head: Int
  private let tail: [UInt8]

  private init(_ outcome: PlannedOutcome, on call: LuaCall) throws {
    switch outcome.result {
    case .success(let c):
      form = .connection(try LuaRecordTemplate(
        fields: ResultTables.connectionFields(c), parameters: ["id", "kept"],
        list: (key: "hops", items: [""] + outcome.lines, firstItemIsParameter: true), on: call))
    case .failure(let failure):
      form = .failure(failure.description)
    }
    head = outcome.sourceHead.count
    tail = outcome.sourceTail
    line = .allocate(capacity: head + 20 + tail.count)
    line.initialize(from: outcome.sourceHead, count: head)
  }

  deinit { line.deallocate() }

  /// The prepared form of `outcome`, made on first use and kept with it.
  static func of(_ outcome: PlannedOutcome, on call: LuaCall) throws -> PreparedConnection {
    if let kept = outcome.attachment as? PreparedConnection { return kept }
    let made = try PreparedConnection(outcome, on: call)
    outcome.attachment = made
    return made
  }

  /// Pushes `connect`'s results for one connection made along the plan; returns what the
  /// primitive returns.
  func push(_ made: PlannedConnection, on call: LuaCall) throws -> Int {
    switch form {
    case .failure(let reason):
      try call.pushNil()
      try call.pushString(reason)
      return 2
    case .connection(let template):
      try template.pushConstructor(on: call)
      try call.pushInteger(made.id)
      try call.pushBoolean(made.kept)
      var at = head
      writeDecimal(made.sourcePort, &at)
      tail.withUnsafeBufferPointer { t in
        if let from = t.baseAddress { (line + at).initialize(from: from, count: t.count) }
      }
      at += tail.count
      try call.pushString(utf8: UnsafeBufferPointer(start: line, count: at))
      return template.constructedResult()
    }
  }

  private func writeDecimal(_ n: Int, _ at: inout Int) {
    var digits = 1
    var probe = n.magnitude
    while probe >= 10 { probe /= 10; digits += 1 }
    var v = n.magnitude
    var i = at + digits
    repeat {
      i -= 1
      line[i] = UInt8(ascii: "0") + UInt8(v % 10)
      v /= 10
    } while v != 0
    at += digits
  }
}
