import NetAddr

/// The UTF-8 text a renderer writes: one growing byte buffer that the rules' pieces are
/// appended to as they are decided — literal fragments, names, decimal numbers, addresses —
/// without building a `String` per line. The Lua binding hands the bytes over in one
/// `lua_pushlstring`; `string` is for Swift callers.
///
/// Every renderer that writes large output (iptables-restore input, the nft listing, ipvsadm)
/// writes into this type, and so do the chain-name hashes (their SHA-256 input).
public struct TextBuffer: Sendable {
  /// The text written so far.
  public private(set) var bytes: [UInt8] = []

  /// An empty buffer with room for `capacity` bytes.
  public init(capacity: Int = 0) {
    bytes.reserveCapacity(capacity)
  }

  /// The number of bytes written.
  public var count: Int { bytes.count }

  /// The text as a Swift string (one copy of the bytes).
  public var string: String { String(decoding: bytes, as: UTF8.self) }

  /// Calls `body` with the bytes, valid for the duration of the call.
  public func withUnsafeBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try bytes.withUnsafeBufferPointer(body)
  }

  /// Makes room for `extra` more bytes.
  mutating func reserve(_ extra: Int) {
    bytes.reserveCapacity(bytes.count + extra)
  }

  /// Forgets the text, keeping the storage (a scratch buffer reused per name or per rule).
  mutating func removeAll() {
    bytes.removeAll(keepingCapacity: true)
  }

  /// Forgets the text from byte `index` on.
  mutating func removeSuffix(from index: Int) {
    bytes.removeSubrange(index...)
  }

  // MARK: - Appending

  /// Appends a literal fragment.
  mutating func append(_ text: StaticString) {
    text.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  /// Appends a string's UTF-8 bytes.
  mutating func append(_ text: String) {
    bytes.append(contentsOf: text.utf8)
  }

  /// Appends `text` between two literal fragments.
  mutating func append(_ prefix: StaticString, _ text: String, _ suffix: StaticString) {
    append(prefix)
    append(text)
    append(suffix)
  }

  /// Appends a substring's UTF-8 bytes.
  mutating func append(_ text: Substring) {
    bytes.append(contentsOf: text.utf8)
  }

  /// Appends raw UTF-8 bytes.
  mutating func append(utf8 text: UnsafeRawBufferPointer) {
    bytes.append(contentsOf: text)
  }

  /// Appends the bytes `from..<to` of `other` (a piece written earlier, written again).
  mutating func append(_ other: TextBuffer, from: Int = 0, to: Int? = nil) {
    other.bytes.withUnsafeBufferPointer {
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[from..<(to ?? $0.count)]))
    }
  }

  /// Appends one byte (an ASCII character).
  mutating func append(byte: UInt8) {
    bytes.append(byte)
  }

  /// Appends `n` in decimal, as `String(n)` writes it.
  mutating func append(_ n: Int) {
    guard n != 0 else { return bytes.append(UInt8(ascii: "0")) }
    if n < 0 { bytes.append(UInt8(ascii: "-")) }
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for any Int64
    withUnsafeMutableBytes(of: &digits) { buffer in
      var rest = n.magnitude
      var start = buffer.count
      while rest > 0 {
        start -= 1
        buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
        rest /= 10
      }
      bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
    }
  }

  /// Appends an address in its canonical text form (RFC 5952 for IPv6).
  mutating func append(_ ip: IPAddress) {
    append(ip.description)
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
    let written = bytes.count - start
    if written < width {
      bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: width - written))
    }
  }

  /// Ends the line.
  mutating func newline() {
    bytes.append(UInt8(ascii: "\n"))
  }
}
