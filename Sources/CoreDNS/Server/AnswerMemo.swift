import NetAddr

/// The answers the server has computed since anything that can change one last changed, by
/// question. Every input of an answer besides the question — the indexes, the SOA serial, the
/// settings, the external records and CoreDNS's own addresses — only changes through
/// `DNSServer`, which empties the memo on each such change (`invalidate`, its one place); the
/// loadbalance shuffle is applied to a copy after the memo, so the random stream is the same
/// as without it.
struct AnswerMemo {
  /// A question as the client sent it: the name in its own casing (replies carry it), the
  /// type, and the client when autopath could look at it.
  struct Key: Hashable {
    let name: String
    let type: RRType
    let client: IPAddress?

    /// Names are the same question only byte for byte: Swift's `==` would also equate
    /// canonically equivalent spellings, which the server answers differently.
    static func == (a: Key, b: Key) -> Bool {
      a.type == b.type && a.client == b.client && a.name.utf8.elementsEqual(b.name.utf8)
    }

    func hash(into hasher: inout Hasher) {
      var name = name
      name.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
      hasher.combine(name.utf8.count)
      hasher.combine(type)
      hasher.combine(client)
    }
  }

  /// The most answers kept; past it the memo starts again empty.
  static let capacity = 16384
  /// Off to compare the server's answers with and without the memo.
  var enabled = true
  private var answers: [Key: DNSResponse] = [:]

  /// The memoized answer to `key`, if any.
  func answer(_ key: Key) -> DNSResponse? { answers[key] }

  mutating func remember(_ reply: DNSResponse, for key: Key) {
    guard enabled else { return }
    if answers.count >= Self.capacity { invalidate() }
    answers[key] = reply
  }

  /// Forgets every answer: something an answer depends on changed.
  mutating func invalidate() {
    if !answers.isEmpty { answers.removeAll(keepingCapacity: true) }
  }
}
