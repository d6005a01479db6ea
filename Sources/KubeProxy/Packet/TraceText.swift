import NetAddr

/// A growing buffer of UTF-8 bytes a trace step's text is written into: addresses, ports and
/// names go in as bytes, with no intermediate strings (a connection writes about 70 pieces).
/// One buffer serves every line of a trace; it is a class so that its storage is freed once.
public final class TraceText {
  private var base: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  private(set) var count = 0

  public init() {
    capacity = 256
    base = .allocate(capacity: capacity)
  }

  deinit { base.deallocate() }

  /// Empties the buffer, keeping its storage for the next step.
  func clear() { count = 0 }

  /// The bytes written so far.
  var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

  /// The bytes written so far, as a string.
  var string: String { String(decoding: buffer, as: UTF8.self) }

  /// Room for `n` more bytes.
  @inline(__always)
  private func reserve(_ n: Int) {
    if count + n > capacity { grow(count + n) }
  }

  private func grow(_ needed: Int) {
    let bigger = max(needed, capacity * 2)
    let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
    fresh.initialize(from: base, count: count)
    base.deallocate()
    base = fresh
    capacity = bigger
  }

  /// Appends raw bytes.
  func put(bytes: UnsafeBufferPointer<UInt8>) {
    guard let from = bytes.baseAddress else { return }
    reserve(bytes.count)
    (base + count).initialize(from: from, count: bytes.count)
    count += bytes.count
  }

  func put(_ s: StaticString) {
    if s.hasPointerRepresentation {
      let n = s.utf8CodeUnitCount
      reserve(n)
      (base + count).initialize(from: s.utf8Start, count: n)
      count += n
    } else {
      s.withUTF8Buffer { put(bytes: $0) }
    }
  }

  func put(_ s: String) {
    if s.utf8.withContiguousStorageIfAvailable({ put(bytes: $0) }) != nil { return }
    for byte in s.utf8 { put(byte: byte) }
  }

  func put(byte: UInt8) {
    reserve(1)
    base[count] = byte
    count += 1
  }

  /// A decimal integer.
  func put(_ n: Int) {
    reserve(21)
    count += Self.writeDecimal(n, to: base + count)
  }

  /// Writes `n` in decimal at `out` (room for 21 bytes) and returns the bytes written.
  public static func writeDecimal(_ n: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
    var start = 0
    if n < 0 {
      out[0] = UInt8(ascii: "-")
      start = 1
    }
    var v = n.magnitude
    var digits = 1
    var probe = v
    while probe >= 10 {
      probe /= 10
      digits += 1
    }
    var at = start + digits
    repeat {
      at -= 1
      out[at] = UInt8(ascii: "0") + UInt8(v % 10)
      v /= 10
    } while v != 0
    return start + digits
  }

  /// A decimal integer written with exactly `width` digits (leading zeros).
  func put(_ n: Int, width: Int) {
    reserve(width)
    var v = n
    var at = count + width
    while at > count {
      at -= 1
      base[at] = UInt8(ascii: "0") + UInt8(v % 10)
      v /= 10
    }
    count += width
  }

  /// An address in its canonical form (IPv4 written byte by byte).
  func put(_ ip: IPAddress) {
    guard ip.family == .v4 else { return put(ip.description) }
    reserve(15)
    let written = IPAddress.writeV4(ip.v4Value, to: base + count)
    count += written
  }

  /// `ip:port`, IPv6 bracketed (`IPAddress.joined(port:)`).
  func put(_ ip: IPAddress, port: Int) {
    if ip.family == .v6 { put(byte: UInt8(ascii: "[")) }
    put(ip)
    if ip.family == .v6 { put(byte: UInt8(ascii: "]")) }
    put(byte: UInt8(ascii: ":"))
    put(port)
  }

  /// `network/length`.
  func put(_ cidr: CIDR) {
    put(cidr.network)
    put(byte: UInt8(ascii: "/"))
    put(cidr.prefixLength)
  }

  /// `ns/name:port`, or `ns/name` for an unnamed port (`ServicePortName.description`).
  func put(_ name: ServicePortName) {
    put(name.namespace)
    put(byte: UInt8(ascii: "/"))
    put(name.name)
    if !name.port.isEmpty {
      put(byte: UInt8(ascii: ":"))
      put(name.port)
    }
  }

  /// `ns/name`.
  func put(_ name: NamespacedName) {
    put(name.namespace)
    put(byte: UInt8(ascii: "/"))
    put(name.name)
  }

  /// The protocol as the Service API spells it (`TCP`).
  func put(_ proto: ProxyProtocol) {
    switch proto {
    case .tcp: put("TCP")
    case .udp: put("UDP")
    case .sctp: put("SCTP")
    }
  }

  /// The protocol as iptables and nftables spell it (`tcp`).
  func put(lower proto: ProxyProtocol) {
    switch proto {
    case .tcp: put("tcp")
    case .udp: put("udp")
    case .sctp: put("sctp")
    }
  }

  /// `[node] chain: text`, the whole line of one step.
  func put(_ step: TraceStep) {
    if let node = step.node {
      put(byte: UInt8(ascii: "["))
      put(node)
      put("] ")
    }
    if let chain = step.chain {
      put(chain)
      put(": ")
    }
    step.detail.write(to: self)
  }

  /// Calls `body` with the UTF-8 text of each step's line (`TraceStep.description`) in turn,
  /// every line written into this one buffer.
  public func forEachLine(
    of steps: [TraceStep], _ body: (UnsafeBufferPointer<UInt8>) throws -> Void
  ) rethrows {
    for i in steps.indices {
      clear()
      put(steps[i])
      try body(buffer)
    }
  }
}
