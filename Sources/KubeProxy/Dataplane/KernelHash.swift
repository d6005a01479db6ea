import NetAddr

/// The small hash functions the IPVS schedulers use, as the Linux kernel computes them.
enum KernelHash {
  /// `hash_32(val, bits)`: multiply by `GOLDEN_RATIO_32` and keep the top `bits` bits.
  static func hash32(_ value: UInt32, bits: Int) -> UInt32 {
    (value &* 0x61C8_8647) >> UInt32(32 - bits)
  }

  /// An address folded to 32 bits as the IPVS hashes do (`addr_fold`): an IPv4 address as its
  /// number, an IPv6 address as the XOR of its four 32-bit words.
  static func fold(_ ip: IPAddress) -> UInt32 {
    guard ip.family == .v6 else { return ip.v4Value }
    let words = [ip.high >> 32, ip.high, ip.low >> 32, ip.low].map {
      UInt32(truncatingIfNeeded: $0)
    }
    return words.reduce(0, ^)
  }

  /// The kernel's `hsiphash` of 4 bytes on a 64-bit machine, which is SipHash-1-3 with a
  /// 128-bit key truncated to 32 bits.
  static func hsiphash(_ value: UInt32, key: (UInt64, UInt64)) -> UInt32 {
    var v0: UInt64 = 0x736f_6d65_7073_6575 ^ key.0
    var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ key.1
    var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ key.0
    var v3: UInt64 = 0x7465_6462_7974_6573 ^ key.1
    let b: UInt64 = (UInt64(4) << 56) | UInt64(value)
    func round() {
      v0 &+= v1
      v1 = rotl(v1, 13)
      v1 ^= v0
      v0 = rotl(v0, 32)
      v2 &+= v3
      v3 = rotl(v3, 16)
      v3 ^= v2
      v0 &+= v3
      v3 = rotl(v3, 21)
      v3 ^= v0
      v2 &+= v1
      v1 = rotl(v1, 17)
      v1 ^= v2
      v2 = rotl(v2, 32)
    }
    v3 ^= b
    round()
    v0 ^= b
    v2 ^= 0xff
    round()
    round()
    round()
    return UInt32(truncatingIfNeeded: (v0 ^ v1) ^ (v2 ^ v3))
  }

  private static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 - n)) }
}
