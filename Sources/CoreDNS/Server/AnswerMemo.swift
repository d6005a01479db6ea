import NetAddr

/// The answers the server has computed since anything that can change one last changed, by
/// question. Every input of an answer besides the question — the indexes, the SOA serial, the
/// settings, the external records and CoreDNS's own addresses — only changes through
/// `DNSServer`, which empties the memo on each such change; the loadbalance shuffle is applied
/// to a copy after the memo, so the random stream is the same as without it.
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
      guard a.type == b.type, a.client == b.client else { return false }
      // Native strings lend their bytes without a copy; others are made contiguous first.
      let lent = a.name.utf8.withContiguousStorageIfAvailable { p in
        b.name.utf8.withContiguousStorageIfAvailable { q in sameBytes(p, q) }
      }
      if let lent, let same = lent { return same }
      var x = a.name
      var y = b.name
      return x.withUTF8 { p in y.withUTF8 { q in sameBytes(p, q) } }
    }

    /// Byte equality, eight bytes at a time.
    private static func sameBytes(_ p: UnsafeBufferPointer<UInt8>, _ q: UnsafeBufferPointer<UInt8>)
      -> Bool
    {
      guard p.count == q.count else { return false }
      let a = UnsafeRawBufferPointer(p)
      let b = UnsafeRawBufferPointer(q)
      var i = 0
      while i + 8 <= a.count {
        let x = a.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        if x != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
      }
      while i < a.count {
        if a[i] != b[i] { return false }
        i += 1
      }
      return true
    }

    /// The name's UTF-8 bytes are hashed as they are: equality is byte for byte, so equal
    /// keys hash alike, and no Unicode normalization is paid for on every query.
    func hash(into hasher: inout Hasher) {
      let lent: Void? = name.utf8.withContiguousStorageIfAvailable {
        hasher.combine(bytes: UnsafeRawBufferPointer($0))
      }
      if lent == nil {
        var name = self.name
        name.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
      }
      hasher.combine(name.utf8.count)
      hasher.combine(type)
      hasher.combine(client)
    }
  }

  /// The most answers kept; past it the memo starts again empty (a lab asks far fewer names).
  static let capacity = 4096

  private var answers: [Key: DNSResponse] = [:]

  /// The memoized answer to `key`, if any.
  func answer(_ key: Key) -> DNSResponse? { answers[key] }

  /// Remembers `reply` as the answer to `key`.
  mutating func remember(_ reply: DNSResponse, for key: Key) {
    if answers.count >= Self.capacity { answers.removeAll(keepingCapacity: true) }
    answers[key] = reply
  }

  /// Forgets every answer: something an answer depends on changed.
  mutating func invalidate() {
    if !answers.isEmpty { answers.removeAll(keepingCapacity: true) }
  }
}
