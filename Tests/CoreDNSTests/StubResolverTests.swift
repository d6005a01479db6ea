import Testing

@testable import CoreDNS

/// The query counts of the reference's §15 table: a ClusterFirst pod in `default`, three
/// cluster search domains plus h = 1 node domain, A and AAAA per step.
@Suite("glibc and musl search walks")
struct StubResolverTests {
  static let config = ResolverConfig(
    nameservers: ["10.96.0.10"],
    search: [
      "default.svc.cluster.local", "svc.cluster.local", "cluster.local", "example.internal",
    ],
    options: ["ndots:5"])

  static func server() -> DNSServer {
    let s = Fixture.server()
    s.external.add(name: "a.b.c.d.example.com", type: .a, data: "192.0.2.9")
    return s
  }

  struct Case: CustomTestStringConvertible, Sendable {
    let name: String
    let glibc: Int
    let musl: Int
    let found: Bool
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "kubernetes", glibc: 2, musl: 2, found: true),
    Case(name: "kubernetes.default", glibc: 4, musl: 4, found: true),
    Case(name: "kubernetes.default.svc", glibc: 6, musl: 6, found: true),
    Case(name: "kubernetes.default.svc.cluster.local", glibc: 10, musl: 10, found: true),
    Case(name: "kubernetes.default.svc.cluster.local.", glibc: 2, musl: 2, found: true),
    Case(name: "example.com", glibc: 10, musl: 10, found: true),
    Case(name: "www.example.com", glibc: 10, musl: 10, found: true),
    Case(name: "a.b.c.d.example.com", glibc: 2, musl: 2, found: true),
    // Five dots, absent: glibc searches after the as-is miss, musl never searches.
    Case(name: "x.y.z.w.v.example.com", glibc: 10, musl: 2, found: false),
    // testns.svc.cluster.local is NODATA: glibc goes on, musl stops there.
    Case(name: "testns", glibc: 10, musl: 4, found: false),
  ]

  @Test(arguments: cases)
  func glibcCounts(_ c: Case) {
    let s = Self.server()
    let r = lookup(name: c.name, type: nil, config: Self.config, flavor: .glibc) { s.ask($0, $1) }
    #expect(r.queries.count == c.glibc)
    #expect(!r.addresses.isEmpty == c.found)
  }

  @Test(arguments: cases)
  func muslCounts(_ c: Case) {
    let s = Self.server()
    let r = lookup(name: c.name, type: nil, config: Self.config, flavor: .musl) { s.ask($0, $1) }
    #expect(r.queries.count == c.musl)
    #expect(!r.addresses.isEmpty == c.found)
  }

  @Test func walkRecordsEveryQuery() {
    let s = Self.server()
    let r = lookup(name: "kubernetes.default", type: nil, config: Self.config, flavor: .glibc) {
      s.ask($0, $1)
    }
    #expect(
      r.queries == [
        SentQuery(
          name: "kubernetes.default.default.svc.cluster.local.", type: .a, rcode: .nxDomain),
        SentQuery(
          name: "kubernetes.default.default.svc.cluster.local.", type: .aaaa, rcode: .nxDomain),
        SentQuery(name: "kubernetes.default.svc.cluster.local.", type: .a, rcode: .noError),
        SentQuery(name: "kubernetes.default.svc.cluster.local.", type: .aaaa, rcode: .noError),
      ])
    #expect(r.addresses == ["10.96.0.1"])
    #expect(r.response.rcode == .noError)
  }

  @Test func failedWalkEndsWithLastRcode() {
    let s = Self.server()
    let r = lookup(name: "nothing-here", type: nil, config: Self.config, flavor: .glibc) {
      s.ask($0, $1)
    }
    #expect(r.queries.last?.name == "nothing-here.")
    #expect(r.response.rcode == .nxDomain && r.response.answer.isEmpty && r.addresses.isEmpty)
  }

  @Test func typedLookups() {
    let s = Self.server()
    let g = lookup(
      name: "_https._tcp.kubernetes.default", type: .srv, config: Self.config, flavor: .glibc
    ) { s.ask($0, $1) }
    #expect(
      g.queries.map(\.name) == [
        "_https._tcp.kubernetes.default.default.svc.cluster.local.",
        "_https._tcp.kubernetes.default.svc.cluster.local.",
      ])
    #expect(g.response.answer.map(\.data) == ["0 100 443 kubernetes.default.svc.cluster.local."])
    let m = lookup(
      name: "_https._tcp.kubernetes.default", type: .srv, config: Self.config, flavor: .musl
    ) { s.ask($0, $1) }
    #expect(m.queries.map(\.name) == ["_https._tcp.kubernetes.default."])
  }

  @Test func musl_servfailStops() {
    let r = lookup(name: "svc", type: nil, config: Self.config, flavor: .musl) { name, type in
      DNSResponse(questionName: name, questionType: type, rcode: .servFail, flags: DNSFlags())
    }
    #expect(r.queries.count == 2 && r.response.rcode == .servFail)
  }
}
