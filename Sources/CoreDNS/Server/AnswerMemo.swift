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
    /// The name's UTF-8 bytes: the caller's for a lookup (a query name still in its own
    /// buffer), the memo's own copy for a remembered key. Holding bytes rather than a
    /// `String` keeps the key free of reference counting when the table compares keys.
    let name: UnsafeRawBufferPointer
    let type: RRType
    let client: IPAddress?

    /// Names are the same question only byte for byte: Swift's `==` would also equate
    /// canonically equivalent spellings, which the server answers differently.
    static func == (a: Key, b: Key) -> Bool {
      guard a.type == b.type, a.client == b.client else { return false }
      return sameBytes(a.name, b.name)
    }

    /// Byte equality, eight bytes at a time.
    private static func sameBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer)
      -> Bool
    {
      guard a.count == b.count else { return false }
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
      hasher.combine(bytes: name)
      hasher.combine(name.count)
      hasher.combine(type)
      hasher.combine(client)
    }
  }

  /// The most answers kept; past it the memo starts again empty (a lab asks far fewer names).
  static let capacity = 4096

  private var answers: [Key: KnownAnswer] = [:]
  /// The bytes of the remembered keys' names.
  private let names = NameCopies()

  /// The memoized answer to `key`, if any (a reference: nothing of the reply is copied).
  func answer(_ key: Key) -> KnownAnswer? { answers[key] }

  /// Remembers `reply` as the answer to `key`, keeping a copy of its name.
  mutating func remember(_ reply: DNSResponse, for key: Key) {
    if answers.count >= Self.capacity { invalidate() }
    answers[Key(name: names.copy(key.name), type: key.type, client: key.client)] = KnownAnswer(reply)
  }

  /// Forgets every answer: something an answer depends on changed.
  mutating func invalidate() {
    if answers.isEmpty { return }
    answers.removeAll(keepingCapacity: true)
    names.freeAll()
  }
}

/// Copies of names, freed together when the memo is emptied (or with the memo).
private final class NameCopies {
  private var copies: [UnsafeMutableRawBufferPointer] = []

  /// A copy of `bytes` that lives until `freeAll`.
  func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    let c = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
    if let from = bytes.baseAddress, let to = c.baseAddress {
      to.copyMemory(from: from, byteCount: bytes.count)
    }
    copies.append(c)
    return UnsafeRawBufferPointer(start: c.baseAddress, count: bytes.count)
  }

  /// Frees every copy: no key refers to one any more.
  func freeAll() {
    for c in copies { c.deallocate() }
    copies.removeAll(keepingCapacity: true)
  }

  deinit { freeAll() }
}

/// A memoized reply, before the loadbalance shuffle, with room for whoever turns replies
/// into results to keep its own form of this one (made once, dropped with the memo).
public final class KnownAnswer {
  public let reply: DNSResponse
  public var attachment: AnyObject?

  init(_ reply: DNSResponse) { self.reply = reply }
}
