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
    var buffer: UInt32 = 0
    var bits = 0
    for byte in bytes {
      buffer = (buffer << 8) | UInt32(byte)
      bits += 8
      while bits >= 5 {
        if out.count == limit { return String(decoding: out, as: UTF8.self) }
        bits -= 5
        out.append(alphabet[Int((buffer >> UInt32(bits)) & 0x1F)])
      }
    }
    if bits > 0 && out.count < limit {
      out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1F)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// SHA-256 of the UTF-8 bytes of `text`, base32-encoded, first `length` characters.
  static func sha256Base32(_ text: String, length: Int) -> String {
    base32(SHA256.hash(data: Array(text.utf8)), limit: length)
  }
}
