import NetAddr
import Testing

@testable import CoreDNS

/// CoreDNS's own `plugin/kubernetes` test tables, ported as facts: the objects of its
/// `APIConnServeTest` (handler_test.go) and the rows of `TestServeDNS`, `TestServeDNSApex`
/// and friends, each with its source (file, test or table). Records are compared as in
/// CoreDNS's `test.SortAndCheck`; two harness details differ and are noted where they matter:
/// - SOA serial: upstream's checker compares only an SOA's NS field (plugin/test/helpers.go),
///   so its literal serial 1499347823 is not a fact; here the serial is the fixture's clock.
/// - The `Upstub` upstream (rows marked `Upstream:` upstream) is a stand-in resolver of the
///   harness; such rows are not ported.
enum UpstreamFixture {
  static let handler = "plugin/kubernetes/handler_test.go"

  /// `svcIndex` of APIConnServeTest (services `kubedns.kube-system` … `svc-dual-stack.testns`).
  static let services: [DNSService] = [
    DNSService(
      namespace: "kube-system", name: "kubedns", clusterIPs: [ip("10.0.0.10")],
      ports: [DNSServicePort(name: "dns", protocol: "UDP", port: 53)]),
    DNSService(
      namespace: "testns", name: "svc1", clusterIPs: [ip("10.0.0.1")],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSService(
      namespace: "testns", name: "svcempty", clusterIPs: [ip("10.0.0.1")],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSService(
      namespace: "testns", name: "svc6", clusterIPs: [ip("1234:abcd::1")],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSService(namespace: "testns", name: "hdls1", kind: .headless),
    DNSService(
      namespace: "testns", name: "external", kind: .externalName,
      externalName: "ext.interwebs.test", ports: [DNSServicePort(name: "http", port: 80)]),
    DNSService(
      namespace: "testns", name: "external-to-service", kind: .externalName,
      externalName: "svc1.testns.svc.cluster.local.",
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSService(namespace: "testns", name: "hdlsprtls", kind: .headless),
    DNSService(
      namespace: "unexposedns", name: "svc1", clusterIPs: [ip("10.0.0.2")],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSService(
      namespace: "testns", name: "svc-dual-stack", clusterIPs: [ip("10.0.0.3"), ip("10::3")],
      ports: [DNSServicePort(name: "http", port: 80)]),
  ]

  /// `epsIndex` of APIConnServeTest, as EndpointSlices (one per address family). The headless
  /// `hdls1` endpoints carry ports `http/80` upstream; `hdlsprtls` has none (port -1).
  static let slices: [DNSEndpointSlice] = [
    DNSEndpointSlice(
      namespace: "kube-system", name: "kubedns", serviceName: "kubedns",
      endpoints: [DNSEndpoint(addresses: [ip("172.0.0.100")])],
      ports: [DNSServicePort(name: "dns", protocol: "UDP", port: 53)]),
    DNSEndpointSlice(
      namespace: "testns", name: "svc1-slice1", serviceName: "svc1",
      endpoints: [DNSEndpoint(addresses: [ip("172.0.0.1")], hostname: "ep1a")],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSEndpointSlice(
      namespace: "testns", name: "svcempty-slice1", serviceName: "svcempty", endpoints: [],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSEndpointSlice(
      namespace: "testns", name: "hdls1-slice1", serviceName: "hdls1",
      endpoints: [
        DNSEndpoint(addresses: [ip("172.0.0.2")]), DNSEndpoint(addresses: [ip("172.0.0.3")]),
        DNSEndpoint(addresses: [ip("172.0.0.4")], hostname: "dup-name"),
        DNSEndpoint(addresses: [ip("172.0.0.5")], hostname: "dup-name"),
      ],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSEndpointSlice(
      namespace: "testns", name: "hdls1-slice1-v6", serviceName: "hdls1", addressType: "IPv6",
      endpoints: [
        DNSEndpoint(addresses: [ip("5678:abcd::1")]), DNSEndpoint(addresses: [ip("5678:abcd::2")]),
      ],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSEndpointSlice(
      namespace: "testns", name: "hdlsprtls-slice1", serviceName: "hdlsprtls",
      endpoints: [DNSEndpoint(addresses: [ip("172.0.0.20")])]),
  ]

  /// `kubernetes cluster.local.` (TTL 5) with `k.Namespaces = {testns}` for TestServeDNS, none
  /// for the apex test; the server's own address is 127.0.0.1 (`k.localIPs`). The fixture's
  /// `external` world answers ext.interwebs.test (upstream: the `Upstub` resolver).
  static func server(namespaces: [String] = ["testns"]) -> DNSServer {
    var s = KubernetesPluginSettings.pluginDefaults
    s.zones = ["cluster.local."]
    s.namespaces = namespaces
    let server = DNSServer(
      settings: s, localAddresses: [ip("127.0.0.1")], external: Fixture.external)
    for ns in ["testns", "kube-system", "unexposedns"] {
      server.apply(.namespace(old: nil, new: DNSNamespace(name: ns)), at: fixtureTime)
    }
    for svc in services { server.apply(.service(old: nil, new: svc), at: fixtureTime) }
    for sl in slices { server.apply(.endpointSlice(old: nil, new: sl), at: fixtureTime) }
    return server
  }
}

/// A row of an upstream table, with its source written next to it.
struct UpstreamDNSRow: CustomTestStringConvertible, Sendable {
  let source: String
  let row: DNSCase
  init(_ source: String, _ row: DNSCase) {
    self.source = source
    self.row = row
  }
  var testDescription: String { "\(source): \(row.testDescription)" }
}

private let common = "\(UpstreamFixture.handler) commonDnsTestCases (TestServeDNS)"
private let specific = "\(UpstreamFixture.handler) dnsTestCases (TestServeDNS)"
private func nx(_ q: String, _ t: RRType, _ note: String) -> DNSCase {
  DNSCase(qname: q, qtype: t, rcode: .nxDomain, ns: [soa()], note: note)
}
private func nodata(_ q: String, _ t: RRType, _ note: String) -> DNSCase {
  DNSCase(qname: q, qtype: t, rcode: .noError, ns: [soa()], note: note)
}
private let hd = "hdls1.testns.svc.cluster.local."

let upstreamServeDNSRows: [UpstreamDNSRow] = [
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "svc1.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
      answer: ["svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"], note: "A Service")),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "svcempty.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
      answer: ["svcempty.testns.svc.cluster.local. 5 IN A 10.0.0.1"],
      note: "A Service without endpoints")),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "svc1.testns.svc.cluster.local.", qtype: .srv, rcode: .noError,
      answer: ["svc1.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc1.testns.svc.cluster.local."],
      extra: ["svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"], note: "SRV of a Service name")),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "svcempty.testns.svc.cluster.local.", qtype: .srv, rcode: .noError,
      answer: [
        "svcempty.testns.svc.cluster.local. 5 IN SRV 0 100 80 svcempty.testns.svc.cluster.local."
      ],
      extra: ["svcempty.testns.svc.cluster.local. 5 IN A 10.0.0.1"], note: "SRV of an empty Service"
    )),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "svc6.testns.svc.cluster.local.", qtype: .srv, rcode: .noError,
      answer: ["svc6.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc6.testns.svc.cluster.local."],
      extra: ["svc6.testns.svc.cluster.local. 5 IN AAAA 1234:abcd::1"],
      note: "SRV of an IPv6 Service")),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "_http._tcp.svc1.testns.svc.cluster.local.", qtype: .srv, rcode: .noError,
      answer: [
        "_http._tcp.svc1.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc1.testns.svc.cluster.local."
      ],
      extra: ["svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"], note: "SRV Service")),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "_http._tcp.svcempty.testns.svc.cluster.local.", qtype: .srv, rcode: .noError,
      answer: [
        "_http._tcp.svcempty.testns.svc.cluster.local. 5 IN SRV 0 "
          + "100 80 svcempty.testns.svc.cluster.local."
      ],
      extra: ["svcempty.testns.svc.cluster.local. 5 IN A 10.0.0.1"],
      note: "SRV Service, no endpoints")),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: hd, qtype: .a, rcode: .noError,
      answer: ["172.0.0.2", "172.0.0.3", "172.0.0.4", "172.0.0.5"].map { "\(hd) 5 IN A \($0)" },
      note: "A Service (Headless)")),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "hdlsprtls.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
      answer: ["hdlsprtls.testns.svc.cluster.local. 5 IN A 172.0.0.20"],
      note: "A Service (Headless and Portless)")),
  UpstreamDNSRow(
    common,
    nodata(
      "svc1.testns.svc.cluster.local.", .aaaa,
      "AAAA Service (with an existing A record, but no AAAA record)")),
  UpstreamDNSRow(
    common, nx("svc0.testns.svc.cluster.local.", .aaaa, "AAAA Service (non-existing service)")),
  UpstreamDNSRow(
    common, nx("svc0.testns.svc.cluster.local.", .a, "A Service (non-existing service)")),
  UpstreamDNSRow(
    common, nx("svc0.svc-nons.svc.cluster.local.", .a, "A Service (non-existing namespace)")),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "dns-version.cluster.local.", qtype: .txt, rcode: .noError,
      answer: ["dns-version.cluster.local. 28800 IN TXT \"1.1.0\""], note: "TXT Schema")),
  UpstreamDNSRow(
    common,
    nodata(
      "svc1.testns.svc.cluster.local.", .txt,
      "A TXT record does not exist but another record for the same FQDN does")),
  UpstreamDNSRow(
    common,
    nx(
      "svc0.svc-nons.svc.cluster.local.", .txt,
      "A TXT record does not exist and neither does another record for the same FQDN")),
  UpstreamDNSRow(
    common,
    nx("bogusendpoint.hdls1.testns.svc.cluster.local.", .a, "A Service (Headless) does not exist")),
  UpstreamDNSRow(
    common, nx("bogusendpoint.svc0.testns.svc.cluster.local.", .a, "A Service does not exist")),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "svc6.testns.svc.cluster.local.", qtype: .aaaa, rcode: .noError,
      answer: ["svc6.testns.svc.cluster.local. 5 IN AAAA 1234:abcd::1"], note: "AAAA Service")),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "_http._tcp.svc6.testns.svc.cluster.local.", qtype: .srv, rcode: .noError,
      answer: [
        "_http._tcp.svc6.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc6.testns.svc.cluster.local."
      ],
      extra: ["svc6.testns.svc.cluster.local. 5 IN AAAA 1234:abcd::1"], note: "SRV (IPv6)")),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: hd, qtype: .aaaa, rcode: .noError,
      answer: ["\(hd) 5 IN AAAA 5678:abcd::1", "\(hd) 5 IN AAAA 5678:abcd::2"],
      note: "AAAA Service (Headless)")),
  UpstreamDNSRow(
    common, nodata("svc.cluster.local.", .a, "svc.cluster.local. A: an empty non-terminal")),
  UpstreamDNSRow(
    common, nodata("pod.cluster.local.", .a, "pod.cluster.local. A: an empty non-terminal")),
  UpstreamDNSRow(
    common, nodata("testns.svc.cluster.local.", .a, "namespace name A: an empty non-terminal")),
  UpstreamDNSRow(
    common, nodata("svc.cluster.local.", .ns, "NS query for qname != zone (existing domain)")),
  UpstreamDNSRow(
    common,
    nodata("testns.svc.cluster.local.", .ns, "NS query for qname != zone (existing namespace)")),
  UpstreamDNSRow(
    common, nx("foo.cluster.local.", .ns, "NS query for qname != zone (non existing domain)")),
  UpstreamDNSRow(
    common, nx("foo.svc.cluster.local.", .ns, "NS query for qname != zone (non existing namespace)")
  ),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "svc-dual-stack.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
      answer: ["svc-dual-stack.testns.svc.cluster.local. 5 IN A 10.0.0.3"],
      note: "Dual Stack ClusterIP A")),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "svc-dual-stack.testns.svc.cluster.local.", qtype: .aaaa, rcode: .noError,
      answer: ["svc-dual-stack.testns.svc.cluster.local. 5 IN AAAA 10::3"],
      note: "Dual Stack ClusterIP AAAA")),
  UpstreamDNSRow(
    common,
    DNSCase(
      qname: "svc-dual-stack.testns.svc.cluster.local.", qtype: .srv, rcode: .noError,
      answer: [
        "svc-dual-stack.testns.svc.cluster.local. 5 IN SRV 0 50 "
          + "80 svc-dual-stack.testns.svc.cluster.local."
      ],
      extra: [
        "svc-dual-stack.testns.svc.cluster.local. 5 IN A 10.0.0.3",
        "svc-dual-stack.testns.svc.cluster.local. 5 IN AAAA 10::3",
      ], note: "Dual Stack ClusterIP SRV")),
  UpstreamDNSRow(common, nodata("svc1.testns.svc.cluster.local.", .soa, "SOA for a Service name")),
  UpstreamDNSRow(
    common,
    nx(
      "endpoint.external.testns.svc.cluster.local.", .cname,
      "A query for a subdomain of an external service should not resolve to the external service")),
  UpstreamDNSRow(
    common,
    nx(
      "subdomain.subdomain.external.testns.svc.cluster.local.", .cname,
      "A query for a subdomain of a subdomain of an external service")),
  UpstreamDNSRow(
    specific,
    DNSCase(
      qname: "_http._tcp.\(hd)", qtype: .srv, rcode: .noError,
      answer: ["172-0-0-2", "172-0-0-3", "5678-abcd--1", "5678-abcd--2", "dup-name"].map {
        "_http._tcp.\(hd) 5 IN SRV 0 16 80 \($0).\(hd)"
      },
      extra: [
        "172-0-0-2.\(hd) 5 IN A 172.0.0.2", "172-0-0-3.\(hd) 5 IN A 172.0.0.3",
        "5678-abcd--1.\(hd) 5 IN AAAA 5678:abcd::1", "5678-abcd--2.\(hd) 5 IN AAAA 5678:abcd::2",
        "dup-name.\(hd) 5 IN A 172.0.0.4", "dup-name.\(hd) 5 IN A 172.0.0.5",
      ], note: "SRV Service (Headless)")),
  UpstreamDNSRow(
    specific,
    DNSCase(
      qname: "5678-abcd--2.\(hd)", qtype: .aaaa, rcode: .noError,
      answer: ["5678-abcd--2.\(hd) 5 IN AAAA 5678:abcd::2"], note: "AAAA")),
  UpstreamDNSRow(
    specific,
    DNSCase(
      qname: "5678-abcd--1.\(hd)", qtype: .aaaa, rcode: .noError,
      answer: ["5678-abcd--1.\(hd) 5 IN AAAA 5678:abcd::1"], note: "AAAA Endpoint")),
  UpstreamDNSRow(
    specific,
    DNSCase(
      qname: "172-0-0-20.hdlsprtls.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
      answer: ["172-0-0-20.hdlsprtls.testns.svc.cluster.local. 5 IN A 172.0.0.20"],
      note: "An Endpoint with no port")),
  UpstreamDNSRow(
    specific,
    DNSCase(
      qname: "172-0-0-2.\(hd)", qtype: .a, rcode: .noError,
      answer: ["172-0-0-2.\(hd) 5 IN A 172.0.0.2"], note: "An Endpoint ip")),
  UpstreamDNSRow(
    specific,
    DNSCase(
      qname: "172-0-0-3.\(hd)", qtype: .a, rcode: .noError,
      answer: ["172-0-0-3.\(hd) 5 IN A 172.0.0.3"], note: "A Endpoint ip")),
  UpstreamDNSRow(
    specific,
    DNSCase(
      qname: "dup-name.\(hd)", qtype: .a, rcode: .noError,
      answer: ["dup-name.\(hd) 5 IN A 172.0.0.4", "dup-name.\(hd) 5 IN A 172.0.0.5"],
      note: "An Endpoint by name")),
  UpstreamDNSRow(
    specific,
    DNSCase(
      qname: "external.testns.svc.cluster.local.", qtype: .cname, rcode: .noError,
      answer: ["external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test."],
      note: "CNAME External")),
  // "CNAME External Truncated Lookup": answered by the harness's Upstub resolver (Truncated);
  // not ported.
  UpstreamDNSRow(
    specific,
    DNSCase(
      qname: "external-to-service.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
      answer: [
        "external-to-service.testns.svc.cluster.local. 5 IN CNAME svc1.testns.svc.cluster.local.",
        "svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1",
      ], note: "CNAME External To Internal Service")),
]

/// plugin/kubernetes/kubernetes_apex_test.go `kubeApexCases` (TestServeDNSApex): the zone
/// apex, with the server's address 127.0.0.1 as `ns.dns`.
let upstreamApexRows: [UpstreamDNSRow] = {
  let src = "plugin/kubernetes/kubernetes_apex_test.go kubeApexCases (TestServeDNSApex)"
  let z = "cluster.local."
  return [
    UpstreamDNSRow(
      src, DNSCase(qname: z, qtype: .soa, rcode: .noError, answer: [soa()], note: "SOA")),
    UpstreamDNSRow(src, nodata(z, .hinfo, "HINFO")),
    UpstreamDNSRow(
      src,
      DNSCase(
        qname: z, qtype: .ns, rcode: .noError,
        answer: ["cluster.local. 5 IN NS ns.dns.cluster.local."],
        extra: ["ns.dns.cluster.local. 5 IN A 127.0.0.1"], note: "NS")),
    UpstreamDNSRow(src, nodata(z, .a, "A")),
    UpstreamDNSRow(src, nodata(z, .aaaa, "AAAA")),
    UpstreamDNSRow(src, nodata(z, .srv, "SRV")),
  ]
}()

/// handler_test.go `nsTestCases` (TestServeNamespaceDNS): no `namespaces` option, so every
/// namespace is exposed. Harness detail: that test discards `SortAndCheck`'s result, so its
/// second row's SOA (TTL 300, minimum 30) was never compared; the rcode and answers are the
/// facts here, the SOA is the fixture's (TTL 5). `TestNotSyncedServeDNS` (SERVFAIL before the
/// informers sync) and the multicluster tables have no counterpart in svclab: its CoreDNS is
/// always in sync and serves no `clusterset` zone.
let upstreamNamespaceRows: [UpstreamDNSRow] = {
  let src = "\(UpstreamFixture.handler) nsTestCases (TestServeNamespaceDNS)"
  return [
    UpstreamDNSRow(
      src,
      DNSCase(
        qname: "svc1.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
        answer: ["svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"],
        note: "A Service for an exposed namespace that does exist")),
    UpstreamDNSRow(
      src,
      nx(
        "svc1.nsnoexist.svc.cluster.local.", .a,
        "A service for an exposed namespace that doesn't exist")),
  ]
}()

@Suite struct UpstreamHandlerTests {
  @Test(arguments: upstreamNamespaceRows)
  func serveNamespaceDNS(_ r: UpstreamDNSRow) {
    check(UpstreamFixture.server(namespaces: []).ask(r.row.qname, r.row.qtype), r.row)
  }

  @Test(arguments: upstreamServeDNSRows)
  func serveDNS(_ r: UpstreamDNSRow) {
    check(UpstreamFixture.server().ask(r.row.qname, r.row.qtype), r.row)
  }

  @Test(arguments: upstreamApexRows)
  func serveDNSApex(_ r: UpstreamDNSRow) {
    check(UpstreamFixture.server(namespaces: []).ask(r.row.qname, r.row.qtype), r.row)
  }
}

/// plugin/kubernetes/reverse_test.go (TestReverse): `APIConnReverseTest`'s objects and rows.
/// Harness detail: upstream's fake answers `EpIndexReverse` for svc2's endpoints without a
/// svc2 in `SvcIndex`; the lab keeps endpoints only for Services that exist, so svc2 is here a
/// headless Service (it has no ClusterIP in the rows' ranges either way).
enum UpstreamReverseFixture {
  static let zones = [
    "cluster.local.", "0.10.in-addr.arpa.", "168.192.in-addr.arpa.",
    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa.",
    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.7.7.0.0.0.0.d.f.ip6.arpa.",
  ]

  static func server() -> DNSServer {
    var s = KubernetesPluginSettings.pluginDefaults
    s.zones = zones
    let server = DNSServer(
      settings: s, localAddresses: [ip("127.0.0.1")], external: Fixture.external)
    server.apply(.namespace(old: nil, new: DNSNamespace(name: "testns")), at: fixtureTime)
    let http = [DNSServicePort(name: "http", port: 80)]
    server.apply(
      .service(
        old: nil,
        new: DNSService(
          namespace: "testns", name: "svc1", clusterIPs: [ip("192.168.1.100")], ports: http)),
      at: fixtureTime)
    server.apply(
      .service(
        old: nil,
        new: DNSService(
          namespace: "testns", name: "svc2", kind: .headless, ports: http)), at: fixtureTime)
    let slices = [
      DNSEndpointSlice(
        namespace: "testns", name: "svc1-slice1", serviceName: "svc1",
        endpoints: [
          DNSEndpoint(addresses: [ip("10.0.0.100")], hostname: "ep1a"),
          DNSEndpoint(addresses: [ip("10.0.0.99")], hostname: "double-ep"),
        ], ports: http),
      DNSEndpointSlice(
        namespace: "testns", name: "svc1-slice2", serviceName: "svc1", addressType: "IPv6",
        endpoints: [
          DNSEndpoint(addresses: [ip("1234:abcd::1")], hostname: "ep1b"),
          DNSEndpoint(addresses: [ip("fd00:77:30::a")], hostname: "ip6svc1ex"),
          DNSEndpoint(addresses: [ip("fd00:77:30::2:9ba6")], hostname: "ip6svc1in"),
        ], ports: http),
      DNSEndpointSlice(
        namespace: "testns", name: "svc1-ccccc", serviceName: "svc1",
        endpoints: [DNSEndpoint(addresses: [ip("10.0.0.100")], hostname: "ep1a")], ports: http),
      DNSEndpointSlice(
        namespace: "testns", name: "svc2-slice1", serviceName: "svc2",
        endpoints: [DNSEndpoint(addresses: [ip("10.0.0.99")], hostname: "double-ep")], ports: http),
    ]
    for sl in slices { server.apply(.endpointSlice(old: nil, new: sl), at: fixtureTime) }
    return server
  }
}

let upstreamReverseRows: [UpstreamDNSRow] = {
  let src = "plugin/kubernetes/reverse_test.go TestReverse"
  let v6a = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa."
  let v6b = "a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.7.7.0.0.0.0.d.f.ip6.arpa."
  let v6c = "6.a.b.9.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.7.7.0.0.0.0.d.f.ip6.arpa."
  return [
    UpstreamDNSRow(
      src,
      DNSCase(
        qname: "100.0.0.10.in-addr.arpa.", qtype: .ptr, rcode: .noError,
        answer: ["100.0.0.10.in-addr.arpa. 5 IN PTR ep1a.svc1.testns.svc.cluster.local."],
        note: "endpoint in two slices of one Service: one PTR")),
    UpstreamDNSRow(
      src,
      DNSCase(
        qname: "100.1.168.192.in-addr.arpa.", qtype: .ptr, rcode: .noError,
        answer: ["100.1.168.192.in-addr.arpa. 5 IN PTR svc1.testns.svc.cluster.local."],
        note: "ClusterIP PTR")),
    UpstreamDNSRow(
      src,
      DNSCase(
        qname: v6a, qtype: .ptr, rcode: .noError,
        answer: ["\(v6a) 5 IN PTR ep1b.svc1.testns.svc.cluster.local."],
        note: "IPv6 endpoint PTR")),
    UpstreamDNSRow(
      src,
      DNSCase(
        qname: v6b, qtype: .ptr, rcode: .noError,
        answer: ["\(v6b) 5 IN PTR ip6svc1ex.svc1.testns.svc.cluster.local."],
        note: "IPv6 endpoint PTR (fd00:77:30::a)")),
    UpstreamDNSRow(
      src,
      DNSCase(
        qname: v6c, qtype: .ptr, rcode: .noError,
        answer: ["\(v6c) 5 IN PTR ip6svc1in.svc1.testns.svc.cluster.local."],
        note: "IPv6 endpoint PTR (fd00:77:30::2:9ba6)")),
    UpstreamDNSRow(
      src,
      DNSCase(
        qname: "101.0.0.10.in-addr.arpa.", qtype: .ptr, rcode: .nxDomain,
        ns: [soa("0.10.in-addr.arpa.")],
        note: "unknown address in a reverse zone")),
    UpstreamDNSRow(
      src,
      DNSCase(
        qname: "example.org.cluster.local.", qtype: .ptr, rcode: .nxDomain, ns: [soa()],
        note: "PTR for a forward name that does not exist")),
    UpstreamDNSRow(
      src,
      DNSCase(
        qname: "svc1.testns.svc.cluster.local.", qtype: .ptr, rcode: .noError, ns: [soa()],
        note: "PTR for a Service name: NODATA")),
    UpstreamDNSRow(
      src,
      DNSCase(
        qname: "svc1.testns.svc.0.10.in-addr.arpa.", qtype: .a, rcode: .nxDomain,
        ns: [soa("0.10.in-addr.arpa.")],
        note: "A in a reverse zone")),
    UpstreamDNSRow(
      src,
      DNSCase(
        qname: "100.0.0.10.cluster.local.", qtype: .ptr, rcode: .nxDomain, ns: [soa()],
        note: "reverse-looking name in the forward zone")),
    UpstreamDNSRow(
      src,
      DNSCase(
        qname: "99.0.0.10.in-addr.arpa.", qtype: .ptr, rcode: .noError,
        answer: [
          "99.0.0.10.in-addr.arpa. 5 IN PTR double-ep.svc1.testns.svc.cluster.local.",
          "99.0.0.10.in-addr.arpa. 5 IN PTR double-ep.svc2.testns.svc.cluster.local.",
        ], note: "endpoint of two Services: two PTRs")),
  ]
}()

@Suite struct UpstreamReverseTests {
  @Test(arguments: upstreamReverseRows)
  func reverse(_ r: UpstreamDNSRow) {
    check(UpstreamReverseFixture.server().ask(r.row.qname, r.row.qtype), r.row)
  }
}

/// plugin/kubernetes/ns_test.go TestNsAddrs: the `ns.dns` addresses of zone inter.webs.test.
/// when CoreDNS's own address (10.244.0.20) is an endpoint of three kube-system Services: a
/// ClusterIP one, a headless one and an IPv6 one. Harness detail: upstream's list order is its
/// fake's `EpIndexReverse` order (an informer index has none), so the records are compared as a
/// set. The `TestNsAddrsExternal*` tests exercise the k8s_external plugin, which svclab does not
/// model; they are not ported.
@Suite struct UpstreamNsAddrsTests {
  @Test func nsAddrs() {
    var s = KubernetesPluginSettings.pluginDefaults
    s.zones = ["inter.webs.test."]
    let server = DNSServer(
      settings: s, localAddresses: [ip("10.244.0.20")], external: Fixture.external)
    server.apply(.namespace(old: nil, new: DNSNamespace(name: "kube-system")), at: fixtureTime)
    for svc in [
      DNSService(namespace: "kube-system", name: "dns-service", clusterIPs: [ip("10.0.0.111")]),
      DNSService(namespace: "kube-system", name: "hdls-dns-service", kind: .headless),
      DNSService(namespace: "kube-system", name: "dns6-service", clusterIPs: [ip("10::111")]),
    ] {
      server.apply(.service(old: nil, new: svc), at: fixtureTime)
      server.apply(
        .endpointSlice(
          old: nil,
          new: DNSEndpointSlice(
            namespace: "kube-system", name: "\(svc.name)-slice1", serviceName: svc.name,
            endpoints: [DNSEndpoint(addresses: [ip("10.244.0.20")])])), at: fixtureTime)
    }
    let got = Set(server.nsAddrs(zone: "inter.webs.test.").map { "\($0.name) \($0.ip)" })
    #expect(
      got == [
        "dns-service.kube-system.svc.inter.webs.test. 10.0.0.111",
        "10-244-0-20.hdls-dns-service.kube-system.svc.inter.webs.test. 10.244.0.20",
        "dns6-service.kube-system.svc.inter.webs.test. 10::111",
      ], "plugin/kubernetes/ns_test.go TestNsAddrs")
  }
}
