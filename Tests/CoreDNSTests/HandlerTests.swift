import NetAddr
import Testing

@testable import CoreDNS

/// One row of a handler table: a question and the reply expected, records as zone lines.
struct DNSCase: CustomTestStringConvertible, Sendable {
  let qname: String
  let qtype: RRType
  let rcode: Rcode
  var answer: [String] = []
  var ns: [String] = []
  var extra: [String] = []
  /// Whether the reply comes from CoreDNS itself (AA) rather than the upstream.
  var authoritative = true
  let note: String

  var testDescription: String { "\(note): \(qname) \(qtype.rawValue)" }
}

/// Compares a reply with a case, sections sorted as CoreDNS's `test.SortAndCheck` does.
func check(_ reply: DNSResponse, _ c: DNSCase, sourceLocation: SourceLocation = #_sourceLocation) {
  #expect(reply.rcode == c.rcode, "rcode", sourceLocation: sourceLocation)
  #expect(
    reply.answer.map(\.description).sorted() == c.answer.sorted(), "answer",
    sourceLocation: sourceLocation)
  #expect(
    reply.authority.map(\.description).sorted() == c.ns.sorted(), "authority",
    sourceLocation: sourceLocation)
  #expect(
    reply.additional.map(\.description).sorted() == c.extra.sorted(), "additional",
    sourceLocation: sourceLocation)
  if c.rcode == .noError || c.rcode == .nxDomain {
    #expect(reply.flags.aa == c.authoritative, "AA bit", sourceLocation: sourceLocation)
    #expect(reply.flags.ra == !c.authoritative, "RA bit", sourceLocation: sourceLocation)
  }
  #expect(reply.flags.rd && !reply.flags.tc, sourceLocation: sourceLocation)
}

let svc1 = "svc1.testns.svc.cluster.local."

/// Service, endpoint and headless records (spec §2.3, §2.4).
let serviceCases: [DNSCase] = [
  DNSCase(
    qname: svc1, qtype: .a, rcode: .noError, answer: ["\(svc1) 5 IN A 10.0.0.1"],
    note: "ClusterIP A"),
  DNSCase(
    qname: svc1, qtype: .aaaa, rcode: .noError, ns: [soa()],
    note: "AAAA on an IPv4-only service is NODATA"),
  DNSCase(
    qname: "svc6.testns.svc.cluster.local.", qtype: .aaaa, rcode: .noError,
    answer: ["svc6.testns.svc.cluster.local. 5 IN AAAA 1234:abcd::1"], note: "IPv6 ClusterIP AAAA"),
  DNSCase(
    qname: "svc6.testns.svc.cluster.local.", qtype: .a, rcode: .noError, ns: [soa()],
    note: "A on an IPv6-only service is NODATA"),
  DNSCase(
    qname: "dual.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
    answer: ["dual.testns.svc.cluster.local. 5 IN A 10.0.0.4"], note: "dual-stack A"),
  DNSCase(
    qname: "dual.testns.svc.cluster.local.", qtype: .aaaa, rcode: .noError,
    answer: ["dual.testns.svc.cluster.local. 5 IN AAAA fd00::4"], note: "dual-stack AAAA"),
  DNSCase(
    qname: "svcempty.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
    answer: ["svcempty.testns.svc.cluster.local. 5 IN A 10.0.0.2"],
    note: "ClusterIP without endpoints still answers"),
  DNSCase(
    qname: "noports.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
    answer: ["noports.testns.svc.cluster.local. 5 IN A 10.0.0.5"],
    note: "service without ports answers A"),
  DNSCase(
    qname: "SVC1.TestNS.svc.cluster.local.", qtype: .a, rcode: .noError,
    answer: ["SVC1.TestNS.svc.cluster.local. 5 IN A 10.0.0.1"], note: "owner keeps the query's case"
  ),
  DNSCase(
    qname: "svc1.testns.svc.CLUSTER.Local.", qtype: .aaaa, rcode: .noError,
    ns: [soa("CLUSTER.Local.")],
    note: "SOA uses the zone in the query's case"),
  DNSCase(
    qname: "hdls1.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
    answer: [
      "hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.2",
      "hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.3",
      "hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.4",
    ], note: "headless A: ready and unknown-readiness endpoints, not unready"),
  DNSCase(
    qname: "hdls1.testns.svc.cluster.local.", qtype: .aaaa, rcode: .noError,
    answer: ["hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::1"],
    note: "headless AAAA from the IPv6 slice"),
  DNSCase(
    qname: "dup-name.hdls1.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
    answer: [
      "dup-name.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.2",
      "dup-name.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.3",
    ], note: "shared hostname gives several records"),
  DNSCase(
    qname: "172-0-0-4.hdls1.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
    answer: ["172-0-0-4.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.4"],
    note: "dashed-IP endpoint name"),
  DNSCase(
    qname: "5678-abcd--1.hdls1.testns.svc.cluster.local.", qtype: .aaaa, rcode: .noError,
    answer: ["5678-abcd--1.hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::1"],
    note: "dashed IPv6 endpoint name"),
  DNSCase(
    qname: "pod-4.hdls1.testns.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "pod names are not labels without endpoint_pod_names"),
  DNSCase(
    qname: "hdlsempty.testns.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "headless with no ready endpoint is NXDOMAIN"),
  DNSCase(
    qname: "nope.hdls1.testns.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "unknown endpoint label"),
  DNSCase(
    qname: "ep1a.svc1.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
    answer: ["ep1a.svc1.testns.svc.cluster.local. 5 IN A 172.0.0.1"],
    note: "endpoint name under a ClusterIP service"),
  DNSCase(
    qname: "_http._tcp.svc1.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
    answer: ["_http._tcp.svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"],
    note: "port selector also answers A"),
]

/// Every NXDOMAIN / NODATA row of §3.
let negativeCases: [DNSCase] = [
  DNSCase(
    qname: "nosvc.testns.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "unknown service"),
  DNSCase(
    qname: "svc1.nons.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "unknown namespace"),
  DNSCase(
    qname: "testns.svc.cluster.local.", qtype: .a, rcode: .noError, ns: [soa()],
    note: "existing namespace is NODATA"),
  DNSCase(
    qname: "nons.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "missing namespace is NXDOMAIN"),
  DNSCase(
    qname: "svc.cluster.local.", qtype: .a, rcode: .noError, ns: [soa()],
    note: "svc.<zone> is NODATA"),
  DNSCase(
    qname: "pod.cluster.local.", qtype: .a, rcode: .noError, ns: [soa()],
    note: "pod.<zone> is NODATA"),
  DNSCase(
    qname: "cluster.local.", qtype: .a, rcode: .noError, ns: [soa()], note: "apex A is NODATA"),
  DNSCase(
    qname: "cluster.local.", qtype: .srv, rcode: .noError, ns: [soa()], note: "apex SRV is NODATA"),
  DNSCase(
    qname: "cluster.local.", qtype: .hinfo, rcode: .noError, ns: [soa()],
    note: "apex HINFO is NODATA"),
  DNSCase(
    qname: "foo.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "third label not svc/pod"),
  DNSCase(
    qname: "dns-version.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "dns-version for A"),
  DNSCase(
    qname: "x.y.z.svc1.testns.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "too many labels"),
  DNSCase(
    qname: "a.b.svc1.testns.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "two labels not a port"),
  DNSCase(
    qname: "*.testns.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "wildcards are literal"),
  DNSCase(
    qname: "any.testns.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "'any' is literal"),
  DNSCase(
    qname: svc1, qtype: .txt, rcode: .noError, ns: [soa()], note: "TXT on a service is NODATA"),
  DNSCase(
    qname: "cluster.local.", qtype: .txt, rcode: .nxDomain, ns: [soa()],
    note: "TXT at the apex is NXDOMAIN"),
  DNSCase(
    qname: "testns.svc.cluster.local.", qtype: .txt, rcode: .nxDomain, ns: [soa()],
    note: "TXT on a namespace is NXDOMAIN"),
  DNSCase(qname: svc1, qtype: .mx, rcode: .noError, ns: [soa()], note: "MX on a service is NODATA"),
  DNSCase(
    qname: svc1, qtype: .hinfo, rcode: .noError, ns: [soa()], note: "HINFO on a service is NODATA"),
  DNSCase(
    qname: "nosvc.testns.svc.cluster.local.", qtype: .mx, rcode: .nxDomain, ns: [soa()],
    note: "MX on a missing name"),
  DNSCase(
    qname: svc1, qtype: .cname, rcode: .noError, ns: [soa()],
    note: "CNAME on a ClusterIP service is NODATA"),
  DNSCase(
    qname: svc1, qtype: .soa, rcode: .noError, ns: [soa()], note: "SOA below the apex is NODATA"),
  DNSCase(
    qname: "nosvc.testns.svc.cluster.local.", qtype: .soa, rcode: .noError, ns: [soa()],
    note: "SOA is never NXDOMAIN"),
  DNSCase(
    qname: svc1, qtype: .ptr, rcode: .noError, ns: [soa()],
    note: "PTR on a forward name is NODATA"),
  DNSCase(
    qname: "svc1.testns.svc.in-addr.arpa.", qtype: .a, rcode: .nxDomain, ns: [],
    authoritative: false,
    note: "forward-style name in a reverse zone falls through to the upstream"),
  DNSCase(
    qname: "ext-ip.testns.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "ExternalName IP literal"),
  DNSCase(
    qname: "foo.external.testns.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
    note: "endpoint under ExternalName"),
  DNSCase(
    qname: "_http._tcp.external.testns.svc.cluster.local.", qtype: .srv, rcode: .nxDomain,
    ns: [soa()], note: "port under ExternalName"),
  DNSCase(
    qname: "external.testns.svc.cluster.local.", qtype: .srv, rcode: .noError, ns: [soa()],
    note: "SRV on ExternalName is NODATA"),
  DNSCase(
    qname: "noports.testns.svc.cluster.local.", qtype: .srv, rcode: .noError, ns: [soa()],
    note: "SRV without ports is NODATA"),
]

/// SRV answers with CoreDNS's weights (§4) and Additional records.
let srvCases: [DNSCase] = [
  DNSCase(
    qname: "_http._tcp.\(svc1)", qtype: .srv, rcode: .noError,
    answer: ["_http._tcp.\(svc1) 5 IN SRV 0 100 80 \(svc1)"], extra: ["\(svc1) 5 IN A 10.0.0.1"],
    note: "named port"),
  DNSCase(
    qname: svc1, qtype: .srv, rcode: .noError,
    answer: ["\(svc1) 5 IN SRV 0 100 80 \(svc1)"], extra: ["\(svc1) 5 IN A 10.0.0.1"],
    note: "bare service name"),
  DNSCase(
    qname: "http.tcp.\(svc1)", qtype: .srv, rcode: .noError,
    answer: ["http.tcp.\(svc1) 5 IN SRV 0 100 80 \(svc1)"], extra: ["\(svc1) 5 IN A 10.0.0.1"],
    note: "underscores optional"),
  DNSCase(
    qname: "_https._tcp.\(svc1)", qtype: .srv, rcode: .nxDomain, ns: [soa()],
    note: "unknown port name"),
  DNSCase(
    qname: "_http._udp.\(svc1)", qtype: .srv, rcode: .nxDomain, ns: [soa()],
    note: "wrong protocol"),
  DNSCase(
    qname: "_http._tcp.dual.testns.svc.cluster.local.", qtype: .srv, rcode: .noError,
    answer: [
      "_http._tcp.dual.testns.svc.cluster.local. 5 IN SRV 0 50 80 dual.testns.svc.cluster.local."
    ],
    extra: [
      "dual.testns.svc.cluster.local. 5 IN A 10.0.0.4",
      "dual.testns.svc.cluster.local. 5 IN AAAA fd00::4",
    ],
    note: "dual-stack: N=2 gives weight 50"),
  DNSCase(
    qname: "dual.testns.svc.cluster.local.", qtype: .srv, rcode: .noError,
    answer: [
      "dual.testns.svc.cluster.local. 5 IN SRV 0 25 80 dual.testns.svc.cluster.local.",
      "dual.testns.svc.cluster.local. 5 IN SRV 0 25 53 dual.testns.svc.cluster.local.",
    ],
    extra: [
      "dual.testns.svc.cluster.local. 5 IN A 10.0.0.4",
      "dual.testns.svc.cluster.local. 5 IN AAAA fd00::4",
    ],
    note: "bare name: all ports, unnamed included, N=4"),
  DNSCase(
    qname: "_http._tcp.hdls1.testns.svc.cluster.local.", qtype: .srv, rcode: .noError,
    answer: [
      "_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 25 80 "
        + "dup-name.hdls1.testns.svc.cluster.local.",
      "_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 25 80 "
        + "172-0-0-4.hdls1.testns.svc.cluster.local.",
      "_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 25 80 "
        + "5678-abcd--1.hdls1.testns.svc.cluster.local.",
    ],
    extra: [
      "dup-name.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.2",
      "dup-name.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.3",
      "172-0-0-4.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.4",
      "5678-abcd--1.hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::1",
    ], note: "headless: weight counts entries before de-duplication"),
  DNSCase(
    qname: "_http._tcp.SVC1.testns.svc.Cluster.Local.", qtype: .srv, rcode: .noError,
    answer: [
      "_http._tcp.SVC1.testns.svc.Cluster.Local. 5 IN SRV 0 100 80 svc1.testns.svc.Cluster.Local."
    ],
    extra: ["svc1.testns.svc.Cluster.Local. 5 IN A 10.0.0.1"],
    note: "SRV target: object name lower case, zone as asked"),
  DNSCase(
    qname: "_dns._udp.kube-dns.kube-system.svc.cluster.local.", qtype: .srv, rcode: .noError,
    answer: [
      "_dns._udp.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 "
        + "53 kube-dns.kube-system.svc.cluster.local."
    ],
    extra: ["kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10"], note: "ndots example name"
  ),
]

/// ExternalName CNAMEs and chasing (§6), forwarding, PTR (§7), TXT, SOA, NS.
let otherCases: [DNSCase] = [
  DNSCase(
    qname: "external.testns.svc.cluster.local.", qtype: .cname, rcode: .noError,
    answer: ["external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test."],
    note: "ExternalName CNAME"),
  DNSCase(
    qname: "external.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
    answer: [
      "external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test.",
      "ext.interwebs.test. 300 IN A 1.2.3.4",
    ],
    note: "out-of-zone target resolved upstream keeps its TTL"),
  DNSCase(
    qname: "external.testns.svc.cluster.local.", qtype: .aaaa, rcode: .noError,
    answer: ["external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test."],
    note: "upstream NODATA keeps the CNAME"),
  DNSCase(
    qname: "external-to-service.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
    answer: [
      "external-to-service.testns.svc.cluster.local. 5 IN CNAME \(svc1)", "\(svc1) 5 IN A 10.0.0.1",
    ],
    note: "in-zone target resolved in CoreDNS"),
  DNSCase(
    qname: "external-to-service.testns.svc.cluster.local.", qtype: .aaaa, rcode: .noError,
    ns: [soa()],
    note: "in-zone target without records drops the CNAME"),
  DNSCase(
    qname: "extloop.testns.svc.cluster.local.", qtype: .a, rcode: .noError, ns: [soa()],
    note: "x CNAME x is skipped"),
  DNSCase(
    qname: "dns-version.cluster.local.", qtype: .txt, rcode: .noError,
    answer: ["dns-version.cluster.local. 28800 IN TXT \"1.1.0\""], note: "schema version"),
  DNSCase(
    qname: "cluster.local.", qtype: .soa, rcode: .noError, answer: [soa()],
    note: "SOA at the apex"),
  DNSCase(
    qname: "cluster.local.", qtype: .ns, rcode: .noError,
    answer: ["cluster.local. 5 IN NS kube-dns.kube-system.svc.cluster.local."],
    extra: ["kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10"],
    note: "NS names the Service whose endpoint CoreDNS is"),
  DNSCase(
    qname: "ns.dns.cluster.local.", qtype: .a, rcode: .noError,
    answer: ["ns.dns.cluster.local. 5 IN A 10.96.0.10"],
    note: "ns.dns.<zone> gives the NS addresses"),
  DNSCase(
    qname: "ns.dns.cluster.local.", qtype: .aaaa, rcode: .noError, ns: [soa()],
    note: "ns.dns.<zone> AAAA NODATA"),
  DNSCase(
    qname: "1.0.0.10.in-addr.arpa.", qtype: .ptr, rcode: .noError,
    answer: ["1.0.0.10.in-addr.arpa. 5 IN PTR \(svc1)"], note: "PTR of a ClusterIP"),
  DNSCase(
    qname: "1.0.0.172.in-addr.arpa.", qtype: .ptr, rcode: .noError,
    answer: ["1.0.0.172.in-addr.arpa. 5 IN PTR ep1a.\(svc1)"],
    note: "PTR of an endpoint with hostname"),
  DNSCase(
    qname: "4.0.0.172.in-addr.arpa.", qtype: .ptr, rcode: .noError,
    answer: ["4.0.0.172.in-addr.arpa. 5 IN PTR 172-0-0-4.hdls1.testns.svc.cluster.local."],
    note: "PTR of a dashed endpoint"),
  DNSCase(
    qname: ip("1234:abcd::1").reverseName, qtype: .ptr, rcode: .noError,
    answer: ["\(ip("1234:abcd::1").reverseName) 5 IN PTR svc6.testns.svc.cluster.local."],
    note: "IPv6 ClusterIP PTR"),
  DNSCase(
    qname: ip("5678:abcd::1").reverseName, qtype: .ptr, rcode: .noError,
    answer: [
      "\(ip("5678:abcd::1").reverseName) 5 IN PTR 5678-abcd--1.hdls1.testns.svc.cluster.local."
    ],
    note: "IPv6 endpoint PTR"),
  DNSCase(
    qname: "9.0.0.172.in-addr.arpa.", qtype: .ptr, rcode: .nxDomain, authoritative: false,
    note: "unready endpoint has no PTR; falls through to the upstream"),
  DNSCase(
    qname: "8.8.8.8.in-addr.arpa.", qtype: .ptr, rcode: .noError,
    answer: ["8.8.8.8.in-addr.arpa. 600 IN PTR dns.google."], authoritative: false,
    note: "fallthrough PTR to forward"),
  DNSCase(
    qname: "example.com.", qtype: .a, rcode: .noError,
    answer: ["example.com. 300 IN A 93.184.216.34"], authoritative: false, note: "forwarded name"),
  DNSCase(
    qname: "WWW.example.com.", qtype: .a, rcode: .noError,
    answer: ["WWW.example.com. 120 IN CNAME example.com.", "example.com. 300 IN A 93.184.216.34"],
    authoritative: false, note: "forwarded CNAME chain"),
  DNSCase(
    qname: "nothere.example.com.", qtype: .a, rcode: .nxDomain, authoritative: false,
    note: "forwarded NXDOMAIN"),
  DNSCase(
    qname: "example.com.", qtype: .aaaa, rcode: .noError, authoritative: false,
    note: "forwarded NODATA"),
]

@Suite("kubernetes plugin answers")
struct HandlerTests {

  @Test(arguments: serviceCases)
  func services(_ c: DNSCase) { check(Fixture.server().ask(c.qname, c.qtype), c) }

  @Test(arguments: negativeCases)
  func negatives(_ c: DNSCase) { check(Fixture.server().ask(c.qname, c.qtype), c) }

  @Test(arguments: srvCases)
  func srv(_ c: DNSCase) { check(Fixture.server().ask(c.qname, c.qtype), c) }

  @Test(arguments: otherCases)
  func others(_ c: DNSCase) { check(Fixture.server().ask(c.qname, c.qtype), c) }

  @Test func zoneTransferIsRefused() {
    let r = Fixture.server().ask("cluster.local.", .axfr)
    #expect(r.rcode == .refused && r.answer.isEmpty && !r.flags.aa)
  }

  @Test(arguments: [
    String(repeating: "a", count: 64) + ".example.com", "a..b.cluster.local",
    (1...64).map { _ in "abc" }.joined(separator: "."),
  ])
  func unencodableNamesGetFormErr(_ name: String) {
    let r = Fixture.server().ask(name, .a)
    #expect(r.rcode == .formErr && r.answer.isEmpty && r.authority.isEmpty)
  }

  @Test func withoutForwardOutsideNamesFail() {
    let s = Fixture.server { $0.forward = nil }
    let r = s.ask("example.com.", .a)
    #expect(r.rcode == .servFail && !r.flags.aa && !r.flags.ra)
  }

  @Test func nsFallsBackToOwnAddress() {
    let s = Fixture.server()
    s.localAddresses = [ip("10.244.9.9")]
    check(
      s.ask("cluster.local.", .ns),
      DNSCase(
        qname: "cluster.local.", qtype: .ns, rcode: .noError,
        answer: ["cluster.local. 5 IN NS ns.dns.cluster.local."],
        extra: ["ns.dns.cluster.local. 5 IN A 10.244.9.9"],
        note: "no endpoint: ns.dns.<zone>"))
  }
}
