import NetAddr

#if canImport(Glibc)
  import Glibc
#endif

/// The UTF-8 text a renderer writes: one growing byte buffer that the rules' pieces are
/// appended to as they are decided — literal fragments, names, decimal numbers, addresses —
/// without building a `String` per line. The Lua binding hands the bytes over in one
/// `lua_pushlstring`; `string` is for Swift callers.
///
/// Every renderer that writes large output (iptables-restore input, the nft listing, ipvsadm)
/// writes into this type, and so do the chain-name hashes (their SHA-256 input).
///
/// The bytes live in one allocation the buffer owns (copied on write when a copy of the buffer
/// is changed), so an append is a capacity check and a `memcpy`; a large buffer asks the
/// kernel for huge pages, since at 10,000 Services first touching 47 MB of fresh 4 KiB pages
/// cost more than writing the rules. (`@unchecked Sendable`: a write first makes the storage
/// this buffer's own, so no two values ever share bytes that change.)
public struct TextBuffer: @unchecked Sendable {
  /// Owns the allocation; the buffer keeps the pointer and sizes itself (no class property
  /// access per append).
  private final class Storage {
    let base: UnsafeMutablePointer<UInt8>
    init(capacity: Int) {
      var memory: UnsafeMutableRawPointer? = nil
      if capacity >= TextBuffer.hugePage {
        // 2 MiB-aligned, so the kernel can back it with huge pages.
        if posix_memalign(&memory, TextBuffer.hugePage, capacity) == 0, let memory {
          #if os(Linux)
            _ = madvise(memory, capacity, MADV_HUGEPAGE)
          #endif
        }
      }
      let raw = memory ?? UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
      base = raw.bindMemory(to: UInt8.self, capacity: capacity)
      allocatedWithMalloc = memory != nil
    }
    private let allocatedWithMalloc: Bool
    deinit {
      if allocatedWithMalloc { free(base) } else { base.deallocate() }
    }
  }

  static let hugePage = 2 << 20

  private var storage: Storage?
  private var base: UnsafeMutablePointer<UInt8>? = nil
  private var capacity = 0
  /// The number of bytes written.
  public private(set) var count = 0

  /// An empty buffer with room for `capacity` bytes.
  public init(capacity: Int = 0) {
    if capacity > 0 { reallocate(capacity) }
  }

  /// The text written so far (a copy).
  public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

  /// The text as a Swift string (one copy of the bytes).
  public var string: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

  /// Calls `body` with the bytes, valid for the duration of the call.
  public func withUnsafeBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try withExtendedLifetime(storage) { try body(UnsafeBufferPointer(start: base, count: count)) }
  }

  /// Makes room for `extra` more bytes.
  mutating func reserve(_ extra: Int) {
    if count + extra > capacity { reallocate(count + extra) }
  }

  /// Moves the text to a new allocation of `newCapacity` bytes (its own, if it was shared).
  private mutating func reallocate(_ newCapacity: Int) {
    let fresh = Storage(capacity: newCapacity)
    if let base { fresh.base.update(from: base, count: count) }
    storage = fresh
    base = fresh.base
    capacity = newCapacity
  }

  /// Where `n` more bytes go: room made, the storage this buffer's own.
  @inline(__always)
  private mutating func room(_ n: Int) -> UnsafeMutablePointer<UInt8> {
    if count + n > capacity {
      reallocate(Swift.max(count + n, capacity * 2, 64))
    } else if !isKnownUniquelyReferenced(&storage) {
      reallocate(capacity)
    }
    return base.unsafelyUnwrapped + count
  }

  /// Appends `n` bytes from `source`.
  @inline(__always)
  private mutating func append(_ source: UnsafeRawPointer, _ n: Int) {
    guard n > 0 else { return }
    room(n).update(from: source.assumingMemoryBound(to: UInt8.self), count: n)
    count += n
  }

  /// Forgets the text, keeping the storage (a scratch buffer reused per name or per rule).
  mutating func removeAll() {
    removeSuffix(from: 0)
  }

  /// Forgets the text from byte `index` on.
  mutating func removeSuffix(from index: Int) {
    precondition(index >= 0 && index <= count, "TextBuffer.removeSuffix: index out of range")
    count = index
  }

  /// Inserts `other`'s text at byte `index`, moving what follows (in place when there is
  /// room).
  mutating func insert(_ other: TextBuffer, at index: Int) {
    precondition(index >= 0 && index <= count, "TextBuffer.insert: index out of range")
    let n = other.count
    guard n > 0 else { return }
    let end = room(n)
    let tail = count - index
    memmove(end - tail + n, end - tail, tail)
    other.withUnsafeBytes { (end - tail).update(from: $0.baseAddress!, count: n) }
    count += n
  }

  // MARK: - Appending

  /// Appends a literal fragment.
  mutating func append(_ text: StaticString) {
    // Through withUTF8Buffer: a literal held as a single scalar has no utf8Start.
    text.withUTF8Buffer { if let start = $0.baseAddress { append(start, $0.count) } }
  }

  /// Appends a string's UTF-8 bytes (copied in one piece from a native string's storage).
  mutating func append(_ text: String) {
    let copied: Void? = text.utf8.withContiguousStorageIfAvailable {
      append($0.baseAddress!, $0.count)
    }
    if copied == nil { append(Substring(text)) }
  }

  /// Appends `text` between two literal fragments.
  mutating func append(_ prefix: StaticString, _ text: String, _ suffix: StaticString) {
    append(prefix)
    append(text)
    append(suffix)
  }

  /// Appends a substring's UTF-8 bytes.
  mutating func append(_ text: Substring) {
    var text = text
    text.withUTF8 { append($0.baseAddress!, $0.count) }
  }

  /// Appends raw UTF-8 bytes.
  mutating func append(utf8 text: UnsafeRawBufferPointer) {
    guard let start = text.baseAddress else { return }
    append(start, text.count)
  }

  /// Appends the bytes `from..<to` of `other` (a piece written earlier, written again).
  mutating func append(_ other: TextBuffer, from: Int = 0, to: Int? = nil) {
    let end = to ?? other.count
    precondition(0 <= from && from <= end && end <= other.count, "TextBuffer: range out of bounds")
    other.withUnsafeBytes { append($0.baseAddress.unsafelyUnwrapped + from, end - from) }
  }

  /// Appends one byte (an ASCII character).
  @inline(__always)
  mutating func append(byte: UInt8) {
    room(1).pointee = byte
    count += 1
  }

  /// Appends `n` in decimal, as `String(n)` writes it.
  mutating func append(_ n: Int) {
    guard n != 0 else { return append(byte: UInt8(ascii: "0")) }
    if n < 0 { append(byte: UInt8(ascii: "-")) }
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for any Int64
    withUnsafeMutableBytes(of: &digits) { buffer in
      var rest = n.magnitude
      var start = buffer.count
      while rest > 0 {
        start -= 1
        buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
        rest /= 10
      }
      append(buffer.baseAddress! + start, buffer.count - start)
    }
  }

  /// Appends an address in its canonical text form (RFC 5952 for IPv6); IPv4 is written
  /// digit by digit, without a `String`.
  mutating func append(_ ip: IPAddress) {
    guard ip.family == .v4 else { return append(ip.description) }
    let out = room(15)
    count += IPAddress.writeV4(ip.v4Value, to: out)
  }

  /// Appends `address/prefix`.
  mutating func append(_ cidr: CIDR) {
    append(cidr.network)
    append(byte: UInt8(ascii: "/"))
    append(cidr.prefixLength)
  }

  /// Appends `ip:port`, IPv6 in brackets (Go's `net.JoinHostPort`).
  mutating func append(_ ip: IPAddress, port: Int) {
    if ip.family == .v6 { append(byte: UInt8(ascii: "[")) }
    append(ip)
    if ip.family == .v6 { append(byte: UInt8(ascii: "]")) }
    append(byte: UInt8(ascii: ":"))
    append(port)
  }

  /// Pads what was written since byte `start` with spaces to `width` bytes (printf's
  /// `%-Ns` for ASCII text).
  mutating func pad(from start: Int, to width: Int) {
    let written = count - start
    if written < width {
      room(width - written).update(repeating: UInt8(ascii: " "), count: width - written)
      count += width - written
    }
  }

  /// Ends the line.
  mutating func newline() {
    append(byte: UInt8(ascii: "\n"))
  }
}
