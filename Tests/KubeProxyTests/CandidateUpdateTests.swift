import NetAddr
import Testing

@testable import KubeProxy

private let web = NamespacedName(namespace: "ns1", name: "web")

/// One endpoint of a test slice: address, readiness and node.
private struct E: Sendable {
  var address: String
  var ready = true
  var node = "node-1"
}

private func slice(
  _ name: String, _ endpoints: [E], port: Int = 8080, family: IPFamily = .v4
)
  -> ProxyEndpointSlice
{
  ProxyEndpointSlice(
    namespace: "ns1", name: name, serviceName: "web", addressType: family,
    endpoints: endpoints.map {
      ProxyEndpointSlice.Endpoint(
        addresses: [ip($0.address)], ready: $0.ready, serving: $0.ready, terminating: false,
        nodeName: $0.node, podName: "ns1/pod-\($0.address)")
    },
    ports: [ProxyEndpointSlice.Port(name: "p80", port: port, proto: .tcp)])
}

/// Slices applied one sync after another; after each, the candidates kept up to date must be
/// those a fresh merge of the applied slices gives.
struct CandidateCase: CustomTestStringConvertible, Sendable {
  var name: String
  var family: IPFamily = .v4
  var steps: [[ProxyEndpointSlice]]
  /// Whether the last step is applied one endpoint at a time (the merged list is kept).
  var keptIncrementally: Bool
  var testDescription: String { name }
}

private let a3 = [E(address: "10.0.0.1"), E(address: "10.0.0.2"), E(address: "10.0.0.3")]

/// `endpoints` with those at `positions` not ready.
private func notReady(_ endpoints: [E], at positions: [Int]) -> [E] {
  with(endpoints) { for i in positions { $0[i].ready = false } }
}

let candidateCases: [CandidateCase] = [
  CandidateCase(
    name: "readiness flip",
    steps: [[slice("a", a3)], [slice("a", with(a3) { $0[1].ready = false })]],
    keptIncrementally: true),
  CandidateCase(
    name: "two readiness flips in place",
    steps: [
      [slice("a", a3)],
      [slice("a", notReady(a3, at: [0, 2]))],
    ],
    keptIncrementally: true),
  CandidateCase(
    name: "endpoint moved to another node in place",
    steps: [[slice("a", a3)], [slice("a", with(a3) { $0[1].node = "node-2" })]],
    keptIncrementally: true),
  CandidateCase(
    name: "address replaced at the same place sorts by text",
    steps: [[slice("a", a3)], [slice("a", with(a3) { $0[0].address = "10.0.0.25" })]],
    keptIncrementally: true),
  CandidateCase(
    name: "flip beside an endpoint of the other family",
    steps: [
      [slice("a", a3 + [E(address: "fd00::1")])],
      [slice("a", notReady(a3 + [E(address: "fd00::1")], at: [1, 3]))],
    ],
    keptIncrementally: true),
  CandidateCase(
    name: "flip of a duplicated ip:port re-merges",
    steps: [
      [slice("a", a3), slice("b", [E(address: "10.0.0.2")])],
      [slice("a", with(a3) { $0[1].ready = false }), slice("b", [E(address: "10.0.0.2")])],
    ], keptIncrementally: false),
  CandidateCase(
    name: "endpoint appended sorts by text",
    steps: [[slice("a", a3)], [slice("a", a3 + [E(address: "10.0.0.10")])]],
    keptIncrementally: true),
  CandidateCase(
    name: "endpoint removed from the middle",
    steps: [[slice("a", a3)], [slice("a", [a3[0], a3[2]])]], keptIncrementally: true),
  CandidateCase(
    name: "new slice added, another emptied",
    steps: [[slice("a", a3)], [slice("a", []), slice("b", [E(address: "10.0.1.1")])]],
    keptIncrementally: true),
  CandidateCase(
    name: "duplicate ip:port in two slices re-merges",
    steps: [
      [slice("a", a3), slice("b", [E(address: "10.0.0.9")])],
      [slice("a", a3), slice("b", [E(address: "10.0.0.2", node: "node-2")])],
    ], keptIncrementally: false),
  CandidateCase(
    name: "duplicate removed again",
    steps: [
      [slice("a", a3), slice("b", [E(address: "10.0.0.2", node: "node-2")])],
      [slice("a", a3), slice("b", [E(address: "10.0.0.2", ready: false, node: "node-2")])],
    ], keptIncrementally: false),
  CandidateCase(
    name: "port number changed re-merges",
    steps: [[slice("a", a3)], [slice("a", a3, port: 9090)]], keptIncrementally: false),
  CandidateCase(
    name: "IPv6 re-merges", family: .v6,
    steps: [
      [slice("a", [E(address: "fd00::1"), E(address: "fd00::2")], family: .v6)],
      [slice("a", [E(address: "fd00::1", ready: false), E(address: "fd00::2")], family: .v6)],
    ], keptIncrementally: false),
]

@Test(arguments: candidateCases)
func candidatesFollowSliceChanges(_ c: CandidateCase) {
  let cluster = ProxyCluster(namer: TestChainNamer())
  let clusterIP = c.family == .v4 ? "172.30.0.41" : "fd01::41"
  cluster.updateService(web, previous: nil, current: [svcPort(clusterIP: clusterIP)])
  let key = svcPort(clusterIP: clusterIP).key
  var applied: [String: ProxyEndpointSlice] = [:]
  var kept = false
  for step in c.steps {
    for s in step {
      cluster.updateEndpointSlice(previous: applied[s.name], current: s)
      applied[s.name] = s
    }
    cluster.sync()
    kept = cluster.endpointCache[web] != nil
    #expect(cluster.candidates(for: key) == freshCandidates(cluster, c.family))
  }
  #expect(kept == c.keptIncrementally)
}

/// What merging the applied slices from scratch gives for the test port.
private func freshCandidates(_ cluster: ProxyCluster, _ family: IPFamily) -> [ProxyEndpoint] {
  mergeSliceEndpoints(cluster.sliceChanges.slices(of: web), family: family)[
    EndpointPortKey(name: "p80", proto: .tcp)] ?? []
}

/// Random flips, additions, removals and moves between three slices (duplicates included):
/// after every sync the kept candidates equal a fresh merge.
@Test(arguments: [1, 2, 3] as [UInt64])
func randomSliceChangesKeepCandidates(seed: UInt64) {
  var rng = SeededGenerator(seed: seed)
  let cluster = ProxyCluster(namer: TestChainNamer())
  cluster.updateService(web, previous: nil, current: [svcPort()])
  let key = svcPort().key
  var contents: [String: [E]] = ["a": [], "b": [], "c": []]
  var applied: [String: ProxyEndpointSlice] = [:]
  for _ in 0..<300 {
    let name = ["a", "b", "c"].randomElement(using: &rng) ?? "a"
    var eps = contents[name] ?? []
    switch Int.random(in: 0..<4, using: &rng) {
    case 0 where !eps.isEmpty:
      eps[Int.random(in: 0..<eps.count, using: &rng)].ready.toggle()
    case 1 where !eps.isEmpty:
      eps.remove(at: Int.random(in: 0..<eps.count, using: &rng))
    default:
      let address = "10.0.0.\(Int.random(in: 1...40, using: &rng))"
      eps.insert(
        E(address: address, node: "node-\(Int.random(in: 1...2, using: &rng))"),
        at: Int.random(in: 0...eps.count, using: &rng))
    }
    contents[name] = eps
    let s = slice(name, eps)
    cluster.updateEndpointSlice(previous: applied[name], current: s)
    applied[name] = s
    cluster.sync()
    #expect(cluster.candidates(for: key) == freshCandidates(cluster, .v4))
  }
}
