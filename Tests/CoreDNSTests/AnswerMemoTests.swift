import NetAddr
import Testing

@testable import CoreDNS

/// One change after a first query: the second answer must be the one a server that never
/// answered before the change gives, so no remembered answer outlives what it depends on.
struct MemoCase: CustomStringConvertible, Sendable {
  let description: String
  let name: String
  let type: RRType
  var client: String? = nil
  let change: @Sendable (DNSServer) -> Void
}

@Suite("answers after changes")
struct AnswerMemoTests {
  static let cases: [MemoCase] = [
    MemoCase(description: "ttl setting", name: svc1, type: .a) { $0.settings.ttl = 17 },
    MemoCase(
      description: "noendpoints setting", name: "hdls1.testns.svc.cluster.local.", type: .a
    ) {
      $0.settings.noEndpoints = true
    },
    MemoCase(description: "external record", name: "new.example.org.", type: .a) {
      $0.external.add(name: "new.example.org", type: .a, data: "192.0.2.7")
    },
    MemoCase(description: "CoreDNS's own address", name: "ns.dns.cluster.local.", type: .a) {
      $0.localAddresses = [ip("10.244.0.9")]
    },
    MemoCase(description: "namespace removed", name: svc1, type: .a) {
      $0.apply(.namespace(old: DNSNamespace(name: "testns"), new: nil), at: fixtureTime + 5)
    },
    MemoCase(
      description: "SOA serial of a negative answer", name: "nothere.testns.svc.cluster.local.",
      type: .a
    ) {
      let late = DNSService(namespace: "testns", name: "late")
      $0.apply(.service(old: nil, new: late), at: fixtureTime + 9)
    },
    MemoCase(
      description: "pod change CoreDNS's pod object does not show, pods verified",
      name: "nothere.testns.svc.cluster.local.", type: .a
    ) {
      // Watched pods move the serial on any update, as CoreDNS's informer does.
      $0.settings.pods = .verified
      $0.apply(.pod(old: Fixture.pods[0], new: Fixture.pods[0]), at: fixtureTime + 11)
    },
    MemoCase(
      description: "autopath client's pod removed",
      name: "kubernetes.default.testns.svc.cluster.local.", type: .a, client: "10.244.1.5"
    ) {
      $0.settings.autopath = true
      $0.settings.pods = .verified
      $0.apply(.pod(old: Fixture.pods[0], new: nil), at: fixtureTime + 3)
    },
  ]

  @Test(arguments: cases) func secondAnswerIsFresh(_ c: MemoCase) {
    let asked = Fixture.server()
    let first = asked.ask(c.name, c.type, from: c.client)
    c.change(asked)
    let fresh = Fixture.server()
    c.change(fresh)
    let expected = fresh.ask(c.name, c.type, from: c.client)
    #expect(expected != first)
    #expect(asked.ask(c.name, c.type, from: c.client) == expected)
  }

  @Test func autopathAnswersDependOnTheClient() {
    let s = Fixture.server {
      $0.autopath = true
      $0.pods = .verified
    }
    let name = "kubernetes.default.testns.svc.cluster.local."
    #expect(s.ask(name, .a, from: "10.244.1.5").rcode == .noError)
    #expect(s.ask(name, .a, from: "10.244.1.6").rcode == .nxDomain)
    #expect(s.ask(name, .a, from: "10.244.1.5").rcode == .noError)
  }

  @Test func spellingsAreSeparateQuestions() {
    let s = Fixture.server()
    let upper = "SVC1.testns.svc.cluster.local."
    #expect(s.ask(upper, .a).questionName == upper)
    #expect(s.ask(svc1, .a).answer.map(\.name) == [svc1])
    // "é" precomposed and decomposed are equal Swift strings but different names on the wire.
    let composed = s.ask("caf\u{E9}.testns.svc.cluster.local.", .a)
    let decomposed = s.ask("cafe\u{301}.testns.svc.cluster.local.", .a)
    #expect(composed.questionName.utf8.count + 1 == decomposed.questionName.utf8.count)
  }

  /// The memo must be invisible: a server that memoizes and one that computes every answer,
  /// asked the same questions with the same random stream, through every change above in
  /// turn, give the same replies and leave the same random state.
  @Test func memoizedAnswersAreTheComputedOnes() {
    let memoized = Fixture.server {
      $0.loadbalance = true
      $0.autopath = true
      $0.pods = .verified
    }
    let computed = Fixture.server {
      $0.loadbalance = true
      $0.autopath = true
      $0.pods = .verified
    }
    computed.memo.enabled = false
    var a = SeededRNG(seed: 21)
    var b = SeededRNG(seed: 21)
    let questions =
      Self.cases.map { ($0.name, $0.type, $0.client) } + [
        ("hdls1.testns.svc.cluster.local.", .a, nil), ("HDLS1.testns.svc.cluster.local.", .a, nil),
        ("kubernetes.default.testns.svc.cluster.local.", .a, "10.244.1.5"),
        ("svc1.testns.svc.cluster.local.", .srv, nil),
        ("nothere.testns.svc.cluster.local.", .aaaa, nil),
      ] as [(String, RRType, String?)]
    for c in [nil] + Self.cases.map(Optional.some) {
      if let c {
        c.change(memoized)
        c.change(computed)
      }
      for _ in 0..<3 {
        for (name, type, client) in questions {
          let x = memoized.query(name: name, type: type, client: client.map(ip), using: &a)
          let y = computed.query(name: name, type: type, client: client.map(ip), using: &b)
          #expect(x == y, "\(name) \(type) after \(c?.description ?? "nothing")")
        }
      }
      #expect(a.next() == b.next(), "random stream after \(c?.description ?? "nothing")")
    }
  }
}
