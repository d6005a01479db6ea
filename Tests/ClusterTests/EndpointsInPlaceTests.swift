import NetAddr
import Testing

@testable import Cluster

/// The endpoints controller's in-place update (one pod's address moved within the one
/// subset) against its full sync: two clusters take the same calls, one with the in-place
/// path and one syncing every Service in full, and must hold the same Endpoints and report
/// the same changes after every call.
@Suite struct EndpointsInPlaceTests {
  struct Row: CustomTestStringConvertible, Sendable {
    let name: String
    let spec: ServiceSpec
    var testDescription: String { name }
  }

  static let web = ["app": "web"]

  static let rows: [Row] = [
    Row(
      name: "one port",
      spec: ServiceSpec(
        selector: web, ports: [ServicePort(name: "http", port: 80, targetPort: .int(8080))])),
    Row(
      name: "two ports",
      spec: ServiceSpec(
        selector: web,
        ports: [
          ServicePort(name: "http", port: 80, targetPort: .int(8080)),
          ServicePort(name: "admin", port: 9000, targetPort: .int(9000)),
        ])),
    Row(
      name: "named targetPort some pods lack (several subsets)",
      spec: ServiceSpec(
        selector: web,
        ports: [
          ServicePort(name: "http", port: 80, targetPort: .int(8080)),
          ServicePort(name: "metrics", port: 9100, targetPort: .string("metrics")),
        ])),
    Row(name: "headless without ports", spec: ServiceSpec(selector: web, clusterIP: "None")),
    Row(
      name: "publishNotReadyAddresses",
      spec: ServiceSpec(
        selector: web, ports: [ServicePort(name: "http", port: 80)],
        publishNotReadyAddresses: true)),
    Row(
      name: "selector shared by two Deployments",
      spec: ServiceSpec(selector: ["tier": "front"], ports: [ServicePort(name: "", port: 80)])),
  ]

  /// One lab built the same way in both clusters: two Deployments (the second's pods also
  /// offer a named "metrics" port) and the row's Service.
  static func build(_ spec: ServiceSpec, inPlace: Bool) throws -> Cluster {
    let c = try bareCluster(nodes: 3)
    c.endpointsInPlace = inPlace
    try c.createDeployment(
      "web",
      DeploymentOptions(
        replicas: 6, labels: ["app": "web", "tier": "front"],
        ports: [ContainerPort(containerPort: 8080)]))
    try c.createDeployment(
      "web-canary",
      DeploymentOptions(
        replicas: 2, labels: ["app": "web", "tier": "front", "track": "canary"],
        selector: ["track": "canary"],
        ports: [
          ContainerPort(containerPort: 8080), ContainerPort(name: "metrics", containerPort: 9100),
        ]
      ))
    try c.createService("svc", spec: spec)
    return c
  }

  /// The next call, drawn from `rng`: readiness flips, scaling, deletions (at once and
  /// graceful), label changes, a failed pod, a lone pod, the clock.
  static func step(_ c: Cluster, _ rng: inout SeededGenerator) throws {
    let pods = c.pods(namespace: "default").map(\.key)
    let pick = pods.isEmpty ? nil : pods[Int(rng.next() % UInt64(pods.count))]
    let deployments = ["web", "web-canary"]
    let d = key(deployments[Int(rng.next() % 2)])
    switch rng.next() % 9 {
    case 0, 1:
      if let pick { try c.setPodReady(pick, rng.next() % 2 == 0) }
    case 2:
      let n = c.deployment(d)?.replicas ?? 1
      try c.scale(d, replicas: n + 1 + Int(rng.next() % 2))
    case 3:
      let n = c.deployment(d)?.replicas ?? 1
      try c.scale(d, replicas: max(0, n - 1 - Int(rng.next() % 2)))
    case 4:
      if let pick { try c.deletePod(pick, grace: rng.next() % 2 == 0 ? 0 : nil) }
    case 5:
      if let pick, let p = c.pod(pick) {
        var labels = p.labels
        labels["app"] = labels["app"] == "web" ? "other" : "web"
        try c.updatePodLabels(pick, labels)
      }
    case 6:
      if let pick { try c.setPodPhase(pick, .failed) }
    case 7:
      let name = "lone-\(rng.next() % 1000)"
      if c.pod(key(name)) == nil {
        try c.addPod(
          name,
          PodOptions(
            labels: ["app": "web", "tier": "front"], ready: rng.next() % 2 == 0,
            ports: [ContainerPort(name: "metrics", containerPort: 9100)]))
      }
    default:
      _ = try c.advance(Double(rng.next() % 40))
    }
  }

  @Test(arguments: rows)
  func inPlaceMatchesFullSync(_ row: Row) throws {
    let fast = try Self.build(row.spec, inPlace: true)
    let full = try Self.build(row.spec, inPlace: false)
    var fastChanges: [ClusterChange] = []
    var fullChanges: [ClusterChange] = []
    fast.subscribe { fastChanges.append($0) }
    full.subscribe { fullChanges.append($0) }
    var rngFast = SeededGenerator(seed: 7)
    var rngFull = SeededGenerator(seed: 7)
    for i in 0..<300 {
      try Self.step(fast, &rngFast)
      try Self.step(full, &rngFull)
      #expect(fast.v1Endpoints(key("svc")) == full.v1Endpoints(key("svc")), "step \(i)")
      #expect(fastChanges == fullChanges, "step \(i)")
      fastChanges = []
      fullChanges = []
    }
    #expect(fast.checkInvariants() == [])
    #expect(fast.endpointsUpdatedInPlace > 0)
  }

  /// Endpoints read only every `interval` calls: the controller catches up with the changes
  /// of all the calls since (in place while there are few, in full past
  /// `endpointsInPlaceMaxChanges`), and its output equals that of a cluster synced in full
  /// after every call.
  @Test(arguments: [3, 8, 40])
  func catchingUpMatchesSyncingEveryCall(_ interval: Int) throws {
    let spec = Self.rows[0].spec
    let lazy = try Self.build(spec, inPlace: true)
    let full = try Self.build(spec, inPlace: false)
    var rngLazy = SeededGenerator(seed: 11)
    var rngFull = SeededGenerator(seed: 11)
    var lazyChanges = 0
    lazy.subscribe { if case .endpoints = $0 { lazyChanges += 1 } }
    let inPlaceBefore = lazy.endpointsUpdatedInPlace
    for i in 1...300 {
      try Self.step(lazy, &rngLazy)
      try Self.step(full, &rngFull)
      let fullEndpoints = full.v1Endpoints(key("svc"))
      guard i % interval == 0 else { continue }
      #expect(lazy.endpointsDirty.count <= 1, "step \(i)")
      #expect(
        lazy.endpointsDirty.values.allSatisfy {
          $0.count <= Cluster.endpointsInPlaceMaxChanges + 1
        }, "step \(i)")
      let changesBefore = lazyChanges
      #expect(lazy.v1Endpoints(key("svc")) == fullEndpoints, "step \(i)")
      #expect(lazy.endpointsDirty.isEmpty, "step \(i)")
      // A change the controller made while catching up is reported then, at most once.
      #expect(lazyChanges - changesBefore <= 1, "step \(i)")
    }
    #expect(lazy.checkInvariants() == [])
    #expect(lazy.endpointsUpdatedInPlace > inPlaceBefore)
  }
}
