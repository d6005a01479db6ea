import Testing

@testable import Cluster

@Suite struct NotificationTests {
  /// A compact line per change: kind, key, and whether it was added, updated or deleted.
  static func describe(_ ch: ClusterChange) -> String {
    func verb<T>(_ p: T?, _ c: T?) -> String { p == nil ? "+" : (c == nil ? "-" : "~") }
    switch ch {
    case .namespace(let p, let c): return "\(verb(p, c))ns/\((c ?? p)?.name ?? "")"
    case .node(let p, let c): return "\(verb(p, c))node/\((c ?? p)?.name ?? "")"
    case .pod(let p, let c): return "\(verb(p, c))pod/\((c ?? p)?.name ?? "")"
    case .service(let p, let c): return "\(verb(p, c))svc/\((c ?? p)?.name ?? "")"
    case .endpointSlice(let p, let c): return "\(verb(p, c))eps/\((c ?? p)?.serviceName ?? "")"
    case .deployment(let p, let c): return "\(verb(p, c))deploy/\((c ?? p)?.name ?? "")"
    case .endpoints(let p, let c): return "\(verb(p, c))ep/\((c ?? p)?.name ?? "")"
    }
  }

  @Test func eachCallReportsExactlyItsChanges() throws {
    let c = try bareCluster()
    var log: [String] = []
    c.subscribe { log.append(Self.describe($0)) }
    try c.addPod("a", PodOptions(labels: ["app": "web"]))
    #expect(log == ["+pod/a"])
    log = []
    try c.createService("web", spec: webSpec())
    #expect(log == ["+svc/web", "+eps/web", "+ep/web"])
    log = []
    try c.setPodReady(key("a"), false)
    // The endpoints controller catches up when its output is next read: its change is
    // reported then.
    #expect(log == ["~pod/a", "~eps/web"])
    #expect(c.v1Endpoints(key("web"))?.subsets.first?.notReadyAddresses.count == 1)
    #expect(log == ["~pod/a", "~eps/web", "~ep/web"])
    log = []
    try c.setPodReady(key("a"), false)
    #expect(log == [])
    // Changes that cancel out before the Endpoints are read leave them as they were.
    try c.setPodReady(key("a"), true)
    try c.setPodReady(key("a"), false)
    _ = c.v1EndpointsList()
    #expect(log == ["~pod/a", "~eps/web", "~pod/a", "~eps/web"])
    log = []
    _ = errorMessage { try c.createService("web", spec: webSpec()) }
    #expect(log == [])
    try c.addPod("other", PodOptions(labels: ["app": "api"]))
    #expect(log == ["+pod/other"])
    log = []
    try c.deletePod(key("a"), grace: 0)
    // The last endpoint left: its slice goes and a placeholder takes its place; the
    // Endpoints object loses its subset.
    #expect(log == ["-pod/a", "-eps/web", "+eps/web"])
    #expect(c.checkInvariants() == [])
    #expect(log == ["-pod/a", "-eps/web", "+eps/web", "~ep/web"])
    log = []
    try c.deleteService(key("web"))
    #expect(log == ["-svc/web", "-eps/web", "-ep/web"])
  }

  @Test func aFailedEndpointsCallLeavesTheCatchUpDone() throws {
    let c = try bareCluster()
    try c.addPod("a", PodOptions(labels: ["app": "web"]))
    try c.createService("web", spec: webSpec())
    var log: [String] = []
    c.subscribe { log.append(Self.describe($0)) }
    try c.setPodReady(key("a"), false)
    // The controller catches up before the call, which then fails and writes nothing.
    let message = errorMessage {
      try c.createEndpoints(V1Endpoints(metadata: ObjectMeta(name: "web", namespace: "default")))
    }
    #expect(message?.contains("already exists") == true)
    #expect(log == ["~pod/a", "~eps/web", "~ep/web"])
    #expect(c.endpointsDirty.isEmpty)
    #expect(c.checkInvariants() == [])
  }

  @Test func previousAndCurrentAreTheObjectStates() throws {
    let c = try bareCluster()
    try c.addPod("a", PodOptions(labels: ["app": "web"]))
    var pods: [(Pod?, Pod?)] = []
    c.subscribe { if case .pod(let p, let n) = $0 { pods.append((p, n)) } }
    try c.setPodReady(key("a"), false)
    #expect(pods.count == 1)
    #expect(pods.first?.0?.ready == true)
    #expect(pods.first?.1?.ready == false)
  }
}

@Suite struct RandomOperationTests {
  @Test(arguments: [UInt64(1), 2, 3, 4])
  func invariantsHoldAfterRandomOperations(seed: UInt64) throws {
    let c = try Cluster(
      config: ClusterConfig(
        serviceCIDRs: ["10.96.0.0/24"], nodePortRange: "30000-30040", seed: seed))
    var rng = SeededGenerator(seed: seed &* 7919)
    let labels = ["a", "b", "c"]
    for step in 0..<400 {
      let pick = { (n: Int) -> Int in Int(rng.next() % UInt64(n)) }
      let app = labels[pick(3)]
      do {
        switch pick(12) {
        case 0, 1:
          try c.addPod(
            "p\(step)",
            PodOptions(
              labels: ["app": app], ready: pick(2) == 0,
              ports: [ContainerPort(name: "http", containerPort: 8000 + pick(3))]))
        case 2:
          if let p = c.pods(namespace: "default").randomElement(using: &rng) {
            try c.deletePod(p.key, grace: [0, 10, 30][pick(3)])
          }
        case 3:
          if let p = c.pods(namespace: "default").randomElement(using: &rng) {
            try c.setPodReady(p.key, pick(2) == 0)
          }
        case 4:
          try c.createService(
            "s\(pick(8))",
            spec: ServiceSpec(
              type: [.clusterIP, .nodePort, .loadBalancer][pick(3)], selector: ["app": app],
              ports: [ServicePort(name: "http", port: 80, targetPort: .string("http"))],
              publishNotReadyAddresses: pick(4) == 0))
        case 5:
          if let s = c.services(namespace: "default").randomElement(using: &rng) {
            try c.deleteService(s.key)
          }
        case 6:
          try c.createDeployment(
            "d\(pick(4))",
            DeploymentOptions(
              replicas: pick(5), labels: ["app": app],
              ports: [ContainerPort(name: "http", containerPort: 8080)]))
        case 7:
          if let d = c.deployments(namespace: "default").randomElement(using: &rng) {
            try c.scale(d.key, replicas: pick(6))
          }
        case 8:
          if let d = c.deployments(namespace: "default").randomElement(using: &rng) {
            try c.deleteDeployment(d.key)
          }
        case 9: try c.advance(Double(pick(20)))
        case 10:
          if let s = c.services(namespace: "default").randomElement(using: &rng) {
            var spec = s.spec
            spec.type = [.clusterIP, .nodePort, .loadBalancer][pick(3)]
            spec.externalTrafficPolicy =
              spec.type == .clusterIP ? nil : [.cluster, .local][pick(2)]
            try c.updateService(s.key, spec: spec)
          }
        default:
          if pick(3) == 0, c.nodes().count > 1, let n = c.nodes().randomElement(using: &rng) {
            try c.removeNode(n.name)
          } else {
            try c.addNode("n\(step)")
          }
        }
      } catch {
        // Refused calls (duplicates, full ranges) must leave the model consistent too.
      }
      let problems = c.checkInvariants()
      #expect(problems == [], "step \(step)")
      if !problems.isEmpty { return }
    }
  }
}
