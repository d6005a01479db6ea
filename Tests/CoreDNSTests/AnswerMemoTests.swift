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

  /// A question looked up by its bytes finds the memoized answer only once it was asked, only
  /// for the same bytes, and is shuffled by loadbalance exactly as `query` would shuffle it.
  @Test func answersLookedUpByBytesAreThoseOfQuery() {
    let s = Fixture.server { $0.loadbalance = true }
    let name = "hdls1.testns.svc.cluster.local."
    func known(_ n: String, _ rng: inout SeededRNG) -> DNSResponse? {
      var n = n
      return n.withUTF8 { s.knownAnswer(name: UnsafeRawBufferPointer($0), type: .a, using: &rng) }
    }
    var rng = SeededRNG(seed: 3)
    #expect(known(name, &rng) == nil)
    _ = s.ask(name, .a)
    #expect(known("HDLS1.testns.svc.cluster.local.", &rng) == nil)
    #expect(known(name, &rng) != nil)
    var byBytes = SeededRNG(seed: 5)
    var byString = SeededRNG(seed: 5)
    let a = known(name, &byBytes)
    let b = s.query(name: name, type: .a, using: &byString)
    #expect(a == b)
    #expect(b.answer.count > 1)
    #expect(byBytes.next() == byString.next())
  }

  /// Steady answers: served as memoized, drawing nothing; shuffled ones are not steady.
  struct SteadyCase: CustomStringConvertible, Sendable {
    let description: String
    let name: String
    let type: RRType
    let loadbalance: Bool
    let steady: Bool
  }

  static let steadyCases: [SteadyCase] = [
    SteadyCase(description: "one A record", name: svc1, type: .a, loadbalance: true, steady: true),
    SteadyCase(description: "NXDOMAIN with its SOA", name: "none.testns.svc.cluster.local.",
      type: .a, loadbalance: true, steady: true),
    SteadyCase(description: "headless: several A records, loadbalance on",
      name: "hdls1.testns.svc.cluster.local.", type: .a, loadbalance: true, steady: false),
    SteadyCase(description: "headless: several A records, loadbalance off",
      name: "hdls1.testns.svc.cluster.local.", type: .a, loadbalance: false, steady: true),
  ]

  @Test(arguments: steadyCases)
  func steadyAnswersAreTheMemosOwn(_ c: SteadyCase) {
    let s = Fixture.server { $0.loadbalance = c.loadbalance }
    func steady() -> KnownAnswer? {
      var n = c.name
      return n.withUTF8 { s.knownSteadyAnswer(name: UnsafeRawBufferPointer($0), type: c.type) }
    }
    #expect(steady() == nil, "nothing is memoized before the first query")
    var rng = SeededRNG(seed: 9)
    let first = s.query(name: c.name, type: c.type, using: &rng)
    let known = steady()
    #expect((known != nil) == c.steady)
    if let known {
      var again = SeededRNG(seed: 9)
      var untouched = SeededRNG(seed: 9)
      #expect(known.reply == s.query(name: c.name, type: c.type, using: &again))
      #expect(known.reply == first)
      #expect(again.next() == untouched.next(), "a steady answer draws nothing")
    }
    s.settings.ttl = 11
    #expect(steady() == nil, "a change forgets the memo")
  }
}
