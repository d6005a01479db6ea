/// A deterministic random number generator (SplitMix64): the same seed gives the same stream,
/// so a script run twice with the same seed gives the same names, IPs and choices.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  /// The generator's whole state; copy it to snapshot, assign it to restore.
  public var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Kubernetes' name-suffix alphabet (`k8s.io/apimachinery/pkg/util/rand`): consonants and
/// digits without vowels or look-alikes, so generated names never spell words.
enum NameAlphabet {
  static let characters = Array("bcdfghjklmnpqrstvwxz2456789")
  /// The same alphabet as ASCII bytes (names are built from them without going through
  /// `Character`).
  private static let bytes = Array("bcdfghjklmnpqrstvwxz2456789".utf8)

  /// A random string of `count` characters, as `rand.String(n)` draws it.
  static func random(_ count: Int, using rng: inout SeededGenerator) -> String {
    String(unsafeUninitializedCapacity: count) { buf in
      for i in 0..<count { buf[i] = bytes[Int(rng.next() % UInt64(bytes.count))] }
      return count
    }
  }

  /// `rand.SafeEncodeString`: each byte of `s` mapped onto the alphabet.
  static func safeEncode(_ s: String) -> String {
    String(s.utf8.map { characters[Int($0) % characters.count] })
  }

  /// The name the API server generates from `generateName` (base cut to 58 characters).
  static func generateName(base: String, using rng: inout SeededGenerator) -> String {
    // Names are ASCII once validated; `prefix` would walk the base by grapheme cluster.
    (base.utf8.count <= 58 ? base : String(base.prefix(58))) + random(5, using: &rng)
  }
}
