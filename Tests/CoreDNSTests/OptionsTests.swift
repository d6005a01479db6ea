import NetAddr
import Testing

@testable import CoreDNS

/// Pod records in the three `pods` modes (§8) and the plugin options (§9).
@Suite("pods modes and options")
struct OptionsTests {
  struct ModeCase: CustomTestStringConvertible, Sendable {
    let mode: PodMode
    let dns: DNSCase
    var testDescription: String { "pods \(mode.rawValue): \(dns.testDescription)" }
  }

  static let modeCases: [ModeCase] = [
    ModeCase(
      mode: .insecure,
      dns: DNSCase(
        qname: "1-2-3-4.testns.pod.cluster.local.", qtype: .a, rcode: .noError,
        answer: ["1-2-3-4.testns.pod.cluster.local. 5 IN A 1.2.3.4"],
        note: "any IP in an existing namespace")),
    ModeCase(
      mode: .insecure,
      dns: DNSCase(
        qname: "1-2-3-4.nons.pod.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
        note: "missing namespace")),
    ModeCase(
      mode: .insecure,
      dns: DNSCase(
        qname: "not-an-ip.testns.pod.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
        note: "not an IP")),
    ModeCase(
      mode: .insecure,
      dns: DNSCase(
        qname: "fd00--5.testns.pod.cluster.local.", qtype: .aaaa, rcode: .noError,
        answer: ["fd00--5.testns.pod.cluster.local. 5 IN AAAA fd00::5"], note: "IPv6 pod name")),
    ModeCase(
      mode: .insecure,
      dns: DNSCase(
        qname: "1-2-3-4.testns.pod.cluster.local.", qtype: .aaaa, rcode: .noError, ns: [soa()],
        note: "AAAA on IPv4 name")),
    ModeCase(
      mode: .insecure,
      dns: DNSCase(
        qname: "testns.pod.cluster.local.", qtype: .a, rcode: .noError, ns: [soa()],
        note: "namespace under pod")),
    ModeCase(
      mode: .disabled,
      dns: DNSCase(
        qname: "1-2-3-4.testns.pod.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
        note: "no pod records")),
    ModeCase(
      mode: .disabled,
      dns: DNSCase(
        qname: "testns.pod.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
        note: "namespace under pod")),
    ModeCase(
      mode: .disabled,
      dns: DNSCase(
        qname: "pod.cluster.local.", qtype: .a, rcode: .noError, ns: [soa()],
        note: "pod.<zone> stays NODATA")),
    ModeCase(
      mode: .verified,
      dns: DNSCase(
        qname: "10-244-1-5.testns.pod.cluster.local.", qtype: .a, rcode: .noError,
        answer: ["10-244-1-5.testns.pod.cluster.local. 5 IN A 10.244.1.5"],
        note: "pod exists in that namespace")),
    ModeCase(
      mode: .verified,
      dns: DNSCase(
        qname: "10-244-1-6.testns.pod.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
        note: "pod in another namespace")),
    ModeCase(
      mode: .verified,
      dns: DNSCase(
        qname: "10-244-1-7.testns.pod.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
        note: "terminating pod")),
    ModeCase(
      mode: .verified,
      dns: DNSCase(
        qname: "1-2-3-4.testns.pod.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
        note: "no such pod")),
  ]

  @Test(arguments: modeCases)
  func podModes(_ c: ModeCase) {
    let s = Fixture.server { $0.pods = c.mode }
    check(s.ask(c.dns.qname, c.dns.qtype), c.dns)
  }

  @Test func namespacesOption() {
    let s = Fixture.server { $0.namespaces = ["testns"] }
    check(
      s.ask(svc1, .a),
      DNSCase(
        qname: svc1, qtype: .a, rcode: .noError, answer: ["\(svc1) 5 IN A 10.0.0.1"],
        note: "exposed"))
    check(
      s.ask("kubernetes.default.svc.cluster.local.", .a),
      DNSCase(
        qname: "kubernetes.default.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
        note: "not exposed"))
    check(
      s.ask("default.svc.cluster.local.", .a),
      DNSCase(
        qname: "default.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
        note: "namespace not exposed"))
    // PTR of a hidden service is not answered by CoreDNS; it falls through to the upstream.
    let ptr = s.ask("1.0.96.10.in-addr.arpa.", .ptr)
    #expect(ptr.rcode == .nxDomain && !ptr.flags.aa)
  }

  @Test func ignoreEmptyService() {
    let s = Fixture.server { $0.ignoreEmptyService = true }
    check(
      s.ask("svcempty.testns.svc.cluster.local.", .a),
      DNSCase(
        qname: "svcempty.testns.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
        note: "empty"))
    check(
      s.ask(svc1, .a),
      DNSCase(
        qname: svc1, qtype: .a, rcode: .noError, answer: ["\(svc1) 5 IN A 10.0.0.1"], note: "ready")
    )
    check(
      s.ask("external.testns.svc.cluster.local.", .cname),
      DNSCase(
        qname: "external.testns.svc.cluster.local.", qtype: .cname, rcode: .noError,
        answer: ["external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test."],
        note: "ExternalName unaffected"))
  }

  @Test func noEndpoints() {
    let s = Fixture.server { $0.noEndpoints = true }
    check(
      s.ask("hdls1.testns.svc.cluster.local.", .a),
      DNSCase(
        qname: "hdls1.testns.svc.cluster.local.", qtype: .a, rcode: .nxDomain, ns: [soa()],
        note: "headless"))
    check(
      s.ask("ep1a.\(svc1)", .a),
      DNSCase(qname: "ep1a.\(svc1)", qtype: .a, rcode: .nxDomain, ns: [soa()], note: "endpoint"))
    check(
      s.ask(svc1, .a),
      DNSCase(
        qname: svc1, qtype: .a, rcode: .noError, answer: ["\(svc1) 5 IN A 10.0.0.1"],
        note: "ClusterIP"))
  }

  @Test func endpointPodNames() {
    let s = Fixture.server { $0.endpointPodNames = true }
    check(
      s.ask("pod-4.hdls1.testns.svc.cluster.local.", .a),
      DNSCase(
        qname: "pod-4.hdls1.testns.svc.cluster.local.", qtype: .a, rcode: .noError,
        answer: ["pod-4.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.4"],
        note: "pod name as label"))
    check(
      s.ask("dup-name.hdls1.testns.svc.cluster.local.", .aaaa),
      DNSCase(
        qname: "dup-name.hdls1.testns.svc.cluster.local.", qtype: .aaaa, rcode: .noError,
        ns: [soa()],
        note: "hostname still wins"))
  }

  @Test func ttlOption() {
    let s = Fixture.server { $0.ttl = 3600 }
    let r = s.ask("nosvc.testns.svc.cluster.local.", .a)
    #expect(r.authority.map(\.description) == [soa(ttl: 3600)])
    #expect(s.ask(svc1, .a).answer.first?.ttl == 3600)
  }

  @Test func fallthroughOffAnswersReverseNXDOMAIN() {
    let s = Fixture.server { $0.fallthroughZones = nil }
    check(
      s.ask("8.8.8.8.in-addr.arpa.", .ptr),
      DNSCase(
        qname: "8.8.8.8.in-addr.arpa.", qtype: .ptr, rcode: .nxDomain, ns: [soa("in-addr.arpa.")],
        note: "no fallthrough"))
  }

  @Test func cacheCapsTTLs() {
    let s = Fixture.server { $0.cache = CacheSettings(successTTL: 30, denialTTL: 30) }
    let ext = s.ask("example.com.", .a)
    #expect(ext.answer.map(\.ttl) == [30])
    let version = s.ask("dns-version.cluster.local.", .txt)
    #expect(version.answer.map(\.ttl) == [30])
    #expect(s.ask(svc1, .a).answer.map(\.ttl) == [5])
  }
}
