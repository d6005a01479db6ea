import NetAddr
import Testing

@testable import CoreDNS

@Suite("incremental updates")
struct IncrementalTests {
  @Test func serviceUpdateChangesOnlyItsNames() {
    let s = Fixture.server()
    let old = Fixture.services[0]
    var new = old
    new.clusterIPs = [ip("10.0.0.99")]
    let before = s.ask("svc6.testns.svc.cluster.local.", .aaaa)
    s.apply(.service(old: old, new: new), at: fixtureTime + 10)
    #expect(s.ask(svc1, .a).answer.map(\.data) == ["10.0.0.99"])
    #expect(s.ask("99.0.0.10.in-addr.arpa.", .ptr).answer.map(\.data) == [svc1])
    // The old ClusterIP no longer has a PTR in the cluster: it falls through to the upstream.
    #expect(!s.ask("1.0.0.10.in-addr.arpa.", .ptr).flags.aa)
    #expect(s.ask("svc6.testns.svc.cluster.local.", .aaaa).answer == before.answer)
    #expect(s.serial == UInt32(fixtureTime + 10))
  }

  @Test func removalRemovesNames() {
    let s = Fixture.server()
    s.apply(.service(old: Fixture.services[0], new: nil), at: fixtureTime + 20)
    let r = s.ask(svc1, .a)
    #expect(r.rcode == .nxDomain)
    #expect(r.authority.map(\.description) == [soa(serial: fixtureTime + 20)])
    #expect(s.ask("svcempty.testns.svc.cluster.local.", .a).rcode == .noError)
  }

  @Test func sliceChangesMoveHeadlessAnswers() {
    let s = Fixture.server()
    let old = Fixture.slices[2]
    var new = old
    new.endpoints = [DNSEndpoint(addresses: [ip("172.0.0.50")], hostname: "web-0")]
    s.apply(.endpointSlice(old: old, new: new), at: fixtureTime + 30)
    #expect(s.ask("hdls1.testns.svc.cluster.local.", .a).answer.map(\.data) == ["172.0.0.50"])
    #expect(s.ask("web-0.hdls1.testns.svc.cluster.local.", .a).answer.map(\.data) == ["172.0.0.50"])
    #expect(s.ask("dup-name.hdls1.testns.svc.cluster.local.", .a).rcode == .nxDomain)
    #expect(
      s.ask("50.0.0.172.in-addr.arpa.", .ptr).answer.map(\.data) == [
        "web-0.hdls1.testns.svc.cluster.local."
      ])
    #expect(s.ask("2.0.0.172.in-addr.arpa.", .ptr).flags.aa == false)
    #expect(s.ask("hdls1.testns.svc.cluster.local.", .aaaa).answer.map(\.data) == ["5678:abcd::1"])
  }

  @Test func namespaceDeletionHidesServices() {
    let s = Fixture.server()
    s.apply(.namespace(old: DNSNamespace(name: "testns"), new: nil), at: fixtureTime + 40)
    #expect(s.ask(svc1, .a).rcode == .nxDomain)
    #expect(s.serial == UInt32(fixtureTime))
  }

  /// A large zone answers every name from its index; how fast is measured by
  /// Scripts/bench-users.sh, not here.
  @Test func manyServicesAnswerFromTheIndex() {
    let s = DNSServer(settings: Fixture.settings)
    s.apply(.namespace(old: nil, new: DNSNamespace(name: "ns")), at: 1)
    for i in 0..<10_000 {
      let svc = DNSService(
        namespace: "ns", name: "svc-\(i)", clusterIPs: [IPAddress(v4: 0x0A00_0000 + UInt32(i))],
        ports: [DNSServicePort(name: "http", port: 80)])
      s.apply(.service(old: nil, new: svc), at: 1)
    }
    for i in [0, 4_321, 9_999] {
      let want = IPAddress(v4: 0x0A00_0000 + UInt32(i)).description
      #expect(s.ask("svc-\(i).ns.svc.cluster.local.", .a).answer.map(\.data) == [want])
    }
    #expect(s.ask("svc-10000.ns.svc.cluster.local.", .a).rcode == .nxDomain)
  }
}
