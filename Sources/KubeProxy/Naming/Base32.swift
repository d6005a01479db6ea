import Crypto

/// Hashing helpers shared by the chain-name functions of every backend.
enum ChainHash {
  /// The RFC 4648 base32 alphabet (upper case, `A–Z2–7`) Go's `base32.StdEncoding` uses.
  private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

  /// Encodes bytes in standard base32 without padding (kube-proxy only keeps a prefix,
  /// so the padding characters never show); at most `limit` characters.
  static func base32(_ bytes: some Sequence<UInt8>, limit: Int = .max) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(min(limit, 64))
    base32(bytes, limit: limit) { out.append($0) }
    return String(decoding: out, as: UTF8.self)
  }

  /// Passes the base32 characters of `bytes` (at most `limit`) to `emit` one by one.
  private static func base32(
    _ bytes: some Sequence<UInt8>, limit: Int, emit: (UInt8) -> Void
  ) {
    var buffer: UInt32 = 0
    var bits = 0
    var count = 0
    for byte in bytes {
      buffer = (buffer << 8) | UInt32(byte)
      bits += 8
      while bits >= 5 {
        if count == limit { return }
        bits -= 5
        emit(alphabet[Int((buffer >> UInt32(bits)) & 0x1F)])
        count += 1
      }
    }
    if bits > 0 && count < limit {
      emit(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1F)])
    }
  }

  /// SHA-256 of the UTF-8 bytes of `text`, base32-encoded, first `length` characters.
  static func sha256Base32(_ text: String, length: Int) -> String {
    var input = TextBuffer()
    input.append(text)
    return HashText(sha256Of: input, length: length).string
  }

  /// The first `length` (at most 16) base32 characters of the SHA-256 of `input`, held
  /// inline: a chain name's hash is computed once per Service port or endpoint and written
  /// into every rule that names the chain without a `String` of its own.
  struct HashText: Sendable {
    private var storage: (UInt64, UInt64) = (0, 0)
    let count: Int

    init(sha256Of input: TextBuffer, length: Int) {
      precondition(length <= 16, "a chain hash keeps at most 16 characters")
      count = length
      var hash = SHA256()
      input.withUnsafeBytes { hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }
      let digest = hash.finalize()
      var text: (UInt64, UInt64) = (0, 0)
      withUnsafeMutableBytes(of: &text) { out in
        var i = 0
        digest.withUnsafeBytes { bytes in
          base32(bytes, limit: length) {
            out[i] = $0
            i += 1
          }
        }
      }
      storage = text
    }

    /// Calls `body` with the characters.
    func withUTF8<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
      withUnsafeBytes(of: storage) { body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }

    /// The characters as a string.
    var string: String { withUTF8 { String(decoding: $0, as: UTF8.self) } }
  }
}

extension TextBuffer {
  /// Appends a chain-name hash.
  mutating func append(_ hash: ChainHash.HashText) {
    hash.withUTF8 { append(utf8: $0) }
  }
}
