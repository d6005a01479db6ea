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
  static let capacity = 32768
  /// Off to compare the server's answers with and without the memo.
  var enabled = true
  private var answers: [Key: DNSResponse] = [:]
  /// A wire front end's finished replies, by request bytes: made from the answers above and
  /// forgotten with them.
  private var rendered: [[UInt8]: RenderedReply] = [:]

  /// The memoized answer to `key`, if any.
  func answer(_ key: Key) -> DNSResponse? { answers[key] }

  mutating func remember(_ reply: DNSResponse, for key: Key) {
    guard enabled else { return }
    if answers.count >= Self.capacity { invalidate() }
    answers[key] = reply
  }

  func rendered(_ request: [UInt8]) -> RenderedReply? { rendered[request] }

  mutating func remember(_ reply: RenderedReply, for request: [UInt8]) {
    guard enabled else { return }
    if rendered.count >= Self.capacity { rendered.removeAll(keepingCapacity: true) }
    rendered[request] = reply
  }

  /// Forgets every answer: something an answer depends on changed.
  mutating func invalidate() {
    if !answers.isEmpty { answers.removeAll(keepingCapacity: true) }
    if !rendered.isEmpty { rendered.removeAll(keepingCapacity: true) }
  }
}

/// What a wire front end made of one answer — the reply's bytes and what its query log
/// records — kept by the server (`DNSServer.remember(rendered:for:answer:type:)`) until
/// anything an answer depends on changes, so a repeated request skips the engine and the
/// encoder. The front end patches the ID.
public struct RenderedReply: Sendable {
  public var bytes: [UInt8]
  public var name: String
  public var type: String
  public var rcode: String
  public var truncated: Bool
  public init(bytes: [UInt8], name: String, type: String, rcode: String, truncated: Bool) {
    self.bytes = bytes
    self.name = name
    self.type = type
    self.rcode = rcode
    self.truncated = truncated
  }
}
