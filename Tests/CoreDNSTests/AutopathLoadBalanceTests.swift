import NetAddr
import Testing

@testable import CoreDNS

@Suite("autopath and loadbalance")
struct AutopathLoadBalanceTests {
  static func autopathServer(pods: PodMode = .verified) -> DNSServer {
    Fixture.server {
      $0.autopath = true
      $0.pods = pods
    }
  }

  @Test func searchHitGetsCNAME() {
    let r = Self.autopathServer().ask(
      "kubernetes.default.testns.svc.cluster.local.", .a, from: "10.244.1.5")
    #expect(r.rcode == .noError)
    #expect(r.questionName == "kubernetes.default.testns.svc.cluster.local.")
    #expect(
      r.answer.map(\.description) == [
        "kubernetes.default.testns.svc.cluster.local. 5 IN "
          + "CNAME kubernetes.default.svc.cluster.local.",
        "kubernetes.default.svc.cluster.local. 5 IN A 10.96.0.1",
      ])
  }

  @Test func externalNameWalksToBareName() {
    let r = Self.autopathServer().ask(
      "example.com.testns.svc.cluster.local.", .a, from: "10.244.1.5")
    #expect(
      r.answer.map(\.description) == [
        "example.com.testns.svc.cluster.local. 300 IN CNAME example.com.",
        "example.com. 300 IN A 93.184.216.34",
      ])
  }

  @Test func firstDomainHitHasNoCNAME() {
    let r = Self.autopathServer().ask(svc1, .a, from: "10.244.1.5")
    #expect(r.answer.map(\.description) == ["\(svc1) 5 IN A 10.0.0.1"])
  }

  @Test func allNXDOMAINReturnsFirstReply() {
    let r = Self.autopathServer().ask("nothere.testns.svc.cluster.local.", .a, from: "10.244.1.5")
    #expect(r.rcode == .nxDomain && r.authority.map(\.description) == [soa()])
  }

  @Test func unknownClientOrOtherPodModeDoesNothing() {
    let a = Self.autopathServer().ask(
      "kubernetes.default.testns.svc.cluster.local.", .a, from: "10.99.0.1")
    #expect(a.rcode == .nxDomain)
    let b = Self.autopathServer(pods: .insecure).ask(
      "kubernetes.default.testns.svc.cluster.local.", .a, from: "10.244.1.5")
    #expect(b.rcode == .nxDomain)
  }

  @Test func otherNamespaceClientDoesNotMatch() {
    // 10.244.1.6 lives in "default": its first search domain is default.svc.cluster.local.
    let r = Self.autopathServer().ask(
      "kubernetes.default.testns.svc.cluster.local.", .a, from: "10.244.1.6")
    #expect(r.rcode == .nxDomain)
  }

  @Test func shuffleIsSeededAndKeepsRecords() {
    let s = Fixture.server { $0.loadbalance = true }
    var orders: Set<[String]> = []
    for seed in 1...20 {
      var rng = SeededRNG(seed: UInt64(seed))
      let r = s.query(name: "hdls1.testns.svc.cluster.local.", type: .a, using: &rng)
      #expect(Set(r.answer.map(\.data)) == ["172.0.0.2", "172.0.0.3", "172.0.0.4"])
      orders.insert(r.answer.map(\.data))
      var again = SeededRNG(seed: UInt64(seed))
      #expect(
        s.query(name: "hdls1.testns.svc.cluster.local.", type: .a, using: &again).answer == r.answer
      )
    }
    #expect(orders.count > 1)
  }

  @Test func mixedSectionPutsCNAMEFirst() {
    var rng = SeededRNG(seed: 7)
    let records = [
      DNSRecord(name: "b.", type: .a, ttl: 5, data: "10.0.0.1"),
      DNSRecord(name: "a.", type: .cname, ttl: 5, data: "b."),
      DNSRecord(name: "b.", type: .a, ttl: 5, data: "10.0.0.2"),
    ]
    let out = LoadBalance.roundRobin(records, using: &rng)
    #expect(out.first?.type == .cname && out.count == 3)
  }
}
