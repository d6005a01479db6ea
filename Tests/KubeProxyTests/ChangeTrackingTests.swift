import NetAddr
import Testing

@testable import KubeProxy

private let web = NamespacedName(namespace: "ns1", name: "web")
private let db = NamespacedName(namespace: "ns1", name: "db")

private func slice(
  _ name: String, service: String = "web", _ addresses: [String], port: Int = 8080,
  portName: String = "p80", node: String = "node-1", ready: Bool? = nil
) -> ProxyEndpointSlice {
  ProxyEndpointSlice(
    namespace: "ns1", name: name, serviceName: service, addressType: .v4,
    endpoints: addresses.map {
      ProxyEndpointSlice.Endpoint(addresses: [ip($0)], ready: ready, nodeName: node)
    },
    ports: [ProxyEndpointSlice.Port(name: portName, port: port, proto: .tcp)])
}

/// One sequence of notifications and the Services the next sync must report.
struct TrackingCase: CustomTestStringConvertible, Sendable {
  var name: String
  var steps: @Sendable (ProxyCluster) -> Void
  var updated: Set<NamespacedName>
  var testDescription: String { name }
}

let trackingCases: [TrackingCase] = [
  TrackingCase(
    name: "added Service is updated",
    steps: { $0.updateService(web, previous: nil, current: [svcPort()]) },
    updated: [web]),
  TrackingCase(
    name: "add then delete before sync cancels out",
    steps: {
      $0.updateService(web, previous: nil, current: [svcPort()])
      $0.updateService(web, previous: [svcPort()], current: nil)
    }, updated: []),
  TrackingCase(
    name: "update and revert before sync cancels out",
    steps: {
      $0.updateService(db, previous: [svcPort("db")], current: [svcPort("db", number: 81)])
      $0.updateService(db, previous: [svcPort("db", number: 81)], current: [svcPort("db")])
    }, updated: []),
  TrackingCase(
    name: "slice added and removed before sync cancels out",
    steps: {
      $0.updateEndpointSlice(previous: nil, current: slice("web-a", ["10.0.1.1"]))
      $0.updateEndpointSlice(previous: slice("web-a", ["10.0.1.1"]), current: nil)
    }, updated: []),
  TrackingCase(
    name: "one slice change updates only its Service",
    steps: {
      $0.updateEndpointSlice(previous: nil, current: slice("web-a", ["10.0.1.1"]))
      $0.updateService(db, previous: [svcPort("db")], current: [svcPort("db")])
    }, updated: [web]),
  TrackingCase(
    name: "slice moved between Services updates both",
    steps: {
      $0.updateEndpointSlice(previous: nil, current: slice("web-a", ["10.0.1.1"]))
      _ = $0.sync()
      $0.updateEndpointSlice(
        previous: slice("web-a", ["10.0.1.1"]), current: slice("web-a", service: "db", ["10.0.1.1"])
      )
    }, updated: [web, db]),
]

@Test(arguments: trackingCases)
func updatedServices(_ c: TrackingCase) {
  let cluster = ProxyCluster(namer: TestChainNamer())
  // A baseline: db exists and is synced.
  cluster.updateService(db, previous: nil, current: [svcPort("db")])
  _ = cluster.sync()
  c.steps(cluster)
  #expect(cluster.sync() == c.updated)
  #expect(cluster.sync().isEmpty)
}

@Test func endpointChangeRedecidesOnlyThatService() {
  let cluster = ProxyCluster(namer: TestChainNamer())
  cluster.upsertNode(ProxyNode(name: "node-1", ips: [ip("10.1.0.1")], podCIDR: cidr("10.0.1.0/24")))
  cluster.updateService(web, previous: nil, current: [svcPort()])
  cluster.updateService(db, previous: nil, current: [svcPort("db", clusterIP: "172.30.0.42")])
  cluster.updateEndpointSlice(previous: nil, current: slice("web-a", ["10.0.1.1"]))
  cluster.updateEndpointSlice(previous: nil, current: slice("db-a", service: "db", ["10.0.1.9"]))
  #expect(cluster.sync() == [web, db])
  let webKey = svcPort().key
  let dbKey = svcPort("db", clusterIP: "172.30.0.42").key
  #expect(
    strings(cluster.decision(node: "node-1", servicePort: webKey)?.clusterEndpoints ?? []) == [
      "10.0.1.1:8080"
    ])
  _ = cluster.decision(node: "node-1", servicePort: dbKey)

  cluster.updateEndpointSlice(
    previous: slice("web-a", ["10.0.1.1"]), current: slice("web-a", ["10.0.1.1", "10.0.1.2"]))
  #expect(cluster.sync() == [web])
  #expect(
    cluster.decisions(node: "node-1", services: [web]).map { strings($0.clusterEndpoints) }
      == [["10.0.1.1:8080", "10.0.1.2:8080"]])
  // db's cached decision survives: same generation.
  #expect(
    cluster.decisionCache["node-1"]?[dbKey]?.serviceGeneration == cluster.serviceGeneration[db])
}

/// Slice → endpoints conversion as endpointslicecache.go does it.
struct SliceCase: CustomTestStringConvertible, Sendable {
  var name: String
  var slices: [ProxyEndpointSlice]
  var nodeName: String?
  var key = EndpointPortKey(name: "p80", proto: .tcp)
  var expected: [String]
  var expectedNodes: [String?] = []
  var testDescription: String { name }
}

let sliceCases: [SliceCase] = [
  SliceCase(
    name: "sorted by ip:port string, not numerically",
    slices: [slice("a", ["10.1.1.1", "10.1.1.11", "10.1.1.2"], port: 11)],
    expected: ["10.1.1.11:11", "10.1.1.1:11", "10.1.1.2:11"]),
  SliceCase(
    name: "only addresses[0], wrong family skipped",
    slices: [
      ProxyEndpointSlice(
        namespace: "ns1", name: "a", serviceName: "web", addressType: .v4,
        endpoints: [
          .init(addresses: [ip("10.0.0.1"), ip("10.0.0.2")]), .init(addresses: [ip("fd00::1")]),
          .init(addresses: []),
        ], ports: [.init(name: "p80", port: 80, proto: .tcp)])
    ], expected: ["10.0.0.1:80"]),
  SliceCase(
    name: "port matched by name and protocol",
    slices: [
      ProxyEndpointSlice(
        namespace: "ns1", name: "a", serviceName: "web", addressType: .v4,
        endpoints: [.init(addresses: [ip("10.0.0.1")])],
        ports: [
          .init(name: "p80", port: 80, proto: .udp), .init(name: "other", port: 81, proto: .tcp),
          .init(name: "p80", port: 82, proto: .tcp), .init(name: "p80", port: nil, proto: .tcp),
        ])
    ], expected: ["10.0.0.1:82"]),
  SliceCase(
    name: "duplicate ip:port across slices kept once, local wins",
    slices: [slice("a", ["10.0.0.1"], node: "node-2"), slice("b", ["10.0.0.1"], node: "node-1")],
    nodeName: "node-1", expected: ["10.0.0.1:8080"], expectedNodes: ["node-1"]),
  SliceCase(
    name: "duplicate ip:port, none local: first slice's",
    slices: [slice("a", ["10.0.0.1"], node: "node-2"), slice("b", ["10.0.0.1"], node: "node-3")],
    nodeName: "node-1", expected: ["10.0.0.1:8080"], expectedNodes: ["node-2"]),
]

@Test(arguments: sliceCases)
func sliceConversion(_ c: SliceCase) {
  let map = endpointsFromSlices(c.slices, family: .v4, nodeName: c.nodeName)
  let endpoints = map[c.key] ?? []
  #expect(strings(endpoints) == c.expected)
  if !c.expectedNodes.isEmpty { #expect(endpoints.map(\.nodeName) == c.expectedNodes) }
}
