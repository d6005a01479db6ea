import NetAddr
import Testing

@testable import KubeProxy

/// A list of endpoints whose packed order must be their `ip:port` text order.
struct TextOrderCase: CustomStringConvertible, Sendable {
  let description: String
  let endpoints: [(String, Int)]
}

@Suite("endpoint text order")
struct EndpointTextOrderTests {
  static let cases: [TextOrderCase] = [
    TextOrderCase(
      description: "prefixes and digit counts",
      endpoints: [
        ("10.0.0.10", 80), ("10.0.0.1", 8080), ("10.0.0.1", 80), ("10.0.0.100", 80),
        ("10.0.0.2", 80), ("9.255.255.255", 65535), ("100.0.0.1", 0), ("10.0.0.1", 80),
      ]),
    TextOrderCase(
      description: "widest texts",
      endpoints: [
        ("255.255.255.255", 65535), ("255.255.255.255", 6553), ("255.255.255.25", 65535),
        ("0.0.0.0", 0), ("1.1.1.1", 1),
      ]),
    TextOrderCase(
      description: "IPv6 falls back to strings",
      endpoints: [("fd00::10", 80), ("fd00::2", 80), ("fd00::1", 8080)]),
    TextOrderCase(
      description: "a port the words cannot hold falls back to strings",
      endpoints: [("10.0.0.2", 100_000), ("10.0.0.2", 80), ("10.0.0.10", 80)]),
  ]

  @Test(arguments: cases) func packedOrderIsTextOrder(_ c: TextOrderCase) throws {
    let endpoints = try c.endpoints.map { text, port in
      ProxyEndpoint(ip: try #require(IPAddress(text)), port: port)
    }
    let texts = endpoints.map(\.description)
    let expected = texts.indices.sorted { a, b in
      texts[a] != texts[b] ? texts[a] < texts[b] : a < b
    }
    #expect(textOrder(endpoints) == expected)
  }

  @Test func randomEndpointsSortAsTheirTexts() {
    var rng = SeededGenerator(seed: 7)
    for _ in 0..<50 {
      let endpoints = (0..<40).map { _ in
        ProxyEndpoint(
          ip: IPAddress(v4: UInt32.random(in: 0...0xFFFF, using: &rng) << 16 | 0x0A01),
          port: [0, 8, 80, 443, 8080, 65535].randomElement(using: &rng) ?? 80)
      }
      let texts = endpoints.map(\.description)
      let expected = texts.indices.sorted { a, b in
        texts[a] != texts[b] ? texts[a] < texts[b] : a < b
      }
      #expect(textOrder(endpoints) == expected)
    }
  }
}

/// Packed keys compare as the texts they pack, equal ones included: widths of every number,
/// shared prefixes, a text that is a prefix of another.
@Test func packedKeysCompareAsTexts() throws {
  var rng = SeededGenerator(seed: 11)
  let octets = [0, 1, 2, 9, 10, 11, 25, 99, 100, 199, 200, 255]
  let ports = [0, 1, 8, 80, 443, 6553, 8080, 9999, 10000, 65535]
  let endpoints = (0..<300).map { _ in
    ProxyEndpoint(
      ip: IPAddress(
        v4: (0..<4).reduce(UInt32(0)) { v, _ in
          v << 8 | UInt32(octets.randomElement(using: &rng) ?? 0)
        }),
      port: ports.randomElement(using: &rng) ?? 80)
  }
  let prefixes = [
    (ProxyEndpoint(ip: ip("1.1.1.1"), port: 8), ProxyEndpoint(ip: ip("1.1.1.1"), port: 80)),
    (ProxyEndpoint(ip: ip("1.1.1.1"), port: 80), ProxyEndpoint(ip: ip("1.1.1.10"), port: 80)),
    (ProxyEndpoint(ip: ip("10.0.0.1"), port: 0), ProxyEndpoint(ip: ip("10.0.0.1"), port: 0)),
  ]
  for (a, b) in Array(zip(endpoints, endpoints.dropFirst())) + prefixes {
    let ka = try #require(EndpointTextKey(ip: a.ip, port: a.port))
    let kb = try #require(EndpointTextKey(ip: b.ip, port: b.port))
    #expect((ka < kb) == (a.description < b.description))
    #expect((ka == kb) == (a.description == b.description))
    #expect(ka == EndpointTextKey(ip: a.ip, port: a.port))
  }
}
