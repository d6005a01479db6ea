/// An IP prefix such as `10.96.0.0/12` or `fd00:10:96::/112`.
///
/// The stored address is the network address (host bits cleared), as Go's
/// `net.ParseCIDR` returns it.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
  /// The network address.
  public let network: IPAddress
  /// The prefix length in bits.
  public let prefixLength: Int

  /// The address family of the prefix.
  public var family: IPFamily { network.family }

  /// Parses `address/length`; `nil` if either part is invalid.
  public init?(_ text: String) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let ip = IPAddress(String(parts[0])),
      parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), !parts[1].isEmpty,
      parts[1].count <= 3, let len = Int(parts[1]), len <= ip.family.bitWidth
    else { return nil }
    self.init(network: ip, prefixLength: len)
  }

  /// Creates the prefix of `length` bits containing `address`.
  public init(network address: IPAddress, prefixLength length: Int) {
    prefixLength = length
    let (hm, lm) = CIDR.masks(family: address.family, length: length)
    network =
      address.family == .v4
      ? IPAddress(v4: UInt32(truncatingIfNeeded: address.low & lm))
      : IPAddress(v6High: address.high & hm, low: address.low & lm)
  }

  public var description: String { "\(network)/\(prefixLength)" }

  /// Number of host bits.
  public var hostBits: Int { family.bitWidth - prefixLength }

  /// The number of addresses in the prefix, capped at `UInt64.max`.
  public var size: UInt64 { hostBits >= 64 ? UInt64.max : (UInt64(1) << UInt64(hostBits)) }

  /// Whether `ip` lies inside the prefix.
  public func contains(_ ip: IPAddress) -> Bool {
    guard ip.family == family else { return false }
    let (hm, lm) = CIDR.masks(family: family, length: prefixLength)
    return (ip.high & hm) == network.high && (ip.low & lm) == network.low
  }

  /// The address at `offset` from the network address, if inside the prefix.
  public func address(at offset: UInt64) -> IPAddress? {
    guard offset < size || hostBits >= 64 else { return nil }
    guard let ip = network.advanced(by: offset), contains(ip) else { return nil }
    return ip
  }

  /// The offset of `ip` from the network address, if inside the prefix and within 64 bits.
  public func offset(of ip: IPAddress) -> UInt64? {
    guard contains(ip) else { return nil }
    return ip.distance(from: network)
  }

  /// The last address of the prefix (the IPv4 broadcast address).
  public var lastAddress: IPAddress {
    let (hm, lm) = CIDR.masks(family: family, length: prefixLength)
    if family == .v4 {
      return IPAddress(v4: UInt32(truncatingIfNeeded: network.low | (~lm & 0xffff_ffff)))
    }
    return IPAddress(v6High: network.high | ~hm, low: network.low | ~lm)
  }

  /// The `/n` sub-prefix number `index` (e.g. a node's /24 inside a /16).
  public func subnet(length: Int, index: UInt64) -> CIDR? {
    guard length >= prefixLength, length <= family.bitWidth else { return nil }
    let shift = family.bitWidth - length
    let count =
      length - prefixLength >= 64 ? UInt64.max : UInt64(1) << UInt64(length - prefixLength)
    guard index < count else { return nil }
    if shift >= 64 {
      let h = network.high + (index << UInt64(shift - 64))
      return CIDR(network: IPAddress(v6High: h, low: 0), prefixLength: length)
    }
    let step = index << UInt64(shift)
    guard let base = network.advanced(by: step) else { return nil }
    return CIDR(network: base, prefixLength: length)
  }

  static func masks(family: IPFamily, length: Int) -> (UInt64, UInt64) {
    if family == .v4 {
      let m: UInt64 = length == 0 ? 0 : (0xffff_ffff << UInt64(32 - length)) & 0xffff_ffff
      return (0, m)
    }
    let hm: UInt64 =
      length >= 64 ? UInt64.max : (length == 0 ? 0 : UInt64.max << UInt64(64 - length))
    let lm: UInt64 =
      length <= 64 ? 0 : (length == 128 ? UInt64.max : UInt64.max << UInt64(128 - length))
    return (hm, lm)
  }
}
