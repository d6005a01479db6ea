import Testing

@testable import NetAddr

struct ParseCase: CustomTestStringConvertible, Sendable {
  let input: String
  let canonical: String?
  var testDescription: String { input }
}

@Test(arguments: [
  ParseCase(input: "10.96.0.1", canonical: "10.96.0.1"),
  ParseCase(input: "0.0.0.0", canonical: "0.0.0.0"),
  ParseCase(input: "255.255.255.255", canonical: "255.255.255.255"),
  ParseCase(input: "10.0.0.256", canonical: nil),
  ParseCase(input: "10.0.0", canonical: nil),
  ParseCase(input: "010.0.0.1", canonical: nil),
  ParseCase(input: "fd00:10:96::1", canonical: "fd00:10:96::1"),
  ParseCase(input: "FD00:0010:0096:0:0:0:0:0001", canonical: "fd00:10:96::1"),
  ParseCase(input: "::", canonical: "::"),
  ParseCase(input: "::1", canonical: "::1"),
  ParseCase(input: "2001:db8::", canonical: "2001:db8::"),
  ParseCase(input: "2001:db8:0:0:1:0:0:1", canonical: "2001:db8::1:0:0:1"),
  ParseCase(input: "2001:0:0:1:0:0:0:1", canonical: "2001:0:0:1::1"),
  ParseCase(input: "1:2:3:4:5:6:7:8", canonical: "1:2:3:4:5:6:7:8"),
  ParseCase(input: "1:0:3:4:5:6:7:8", canonical: "1:0:3:4:5:6:7:8"),
  ParseCase(input: "::ffff:10.1.2.3", canonical: "::ffff:a01:203"),
  ParseCase(input: "1::2::3", canonical: nil),
  ParseCase(input: "1:2:3:4:5:6:7:8:9", canonical: nil),
  ParseCase(input: "12345::", canonical: nil),
  ParseCase(input: "", canonical: nil),
  ParseCase(input: "None", canonical: nil),
])
func parsesAndFormats(_ c: ParseCase) {
  #expect(IPAddress(c.input)?.description == c.canonical)
}

@Test func cidrMembershipAndOffsets() throws {
  let c = try #require(CIDR("10.96.0.0/12"))
  #expect(c.description == "10.96.0.0/12")
  #expect(c.size == 1 << 20)
  #expect(c.contains(IPAddress("10.111.255.255")!))
  #expect(!c.contains(IPAddress("10.112.0.0")!))
  #expect(c.address(at: 10)?.description == "10.96.0.10")
  #expect(c.offset(of: IPAddress("10.96.1.0")!) == 256)
  #expect(c.lastAddress.description == "10.111.255.255")
  #expect(CIDR("10.244.0.0/16")!.subnet(length: 24, index: 2)?.description == "10.244.2.0/24")
  #expect(CIDR("10.1.2.3/8")?.description == "10.0.0.0/8")
  let v6 = try #require(CIDR("fd00:10:96::/112"))
  #expect(v6.address(at: 0x101)?.description == "fd00:10:96::101")
  #expect(v6.lastAddress.description == "fd00:10:96::ffff")
  #expect(CIDR("10.0.0.0/33") == nil)
  #expect(CIDR("10.0.0.0") == nil)
}

@Test func reverseNames() throws {
  #expect(IPAddress("10.96.0.1")!.reverseName == "1.0.96.10.in-addr.arpa.")
  #expect(IPAddress(reverseName: "1.0.96.10.IN-ADDR.ARPA") == IPAddress("10.96.0.1"))
  let v6 = IPAddress("2001:db8::567:89ab")!
  #expect(
    v6.reverseName == "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.")
  #expect(IPAddress(reverseName: v6.reverseName) == v6)
  #expect(IPAddress(reverseName: "0.96.10.in-addr.arpa.") == nil)
  #expect(IPAddress("10.1.2.3")!.dashed == "10-1-2-3")
  #expect(IPAddress("fd00:1::5")!.dashed == "fd00-1--5")
  #expect(IPAddress("2001:db8::")!.dashed == "2001-db8--0")
}
