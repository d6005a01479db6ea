import Testing

@testable import Cluster

@Suite struct EndpointSliceControllerTests {
  @Test func deploymentBehindServiceThenDeleted() throws {
    let c = try bareCluster()
    try c.createDeployment(
      "web",
      DeploymentOptions(replicas: 3, ports: [ContainerPort(name: "http", containerPort: 8080)]))
    try c.createService("web", spec: webSpec(target: .string("http")))
    let eps = c.endpoints(of: key("web"))
    #expect(eps.count == 3)
    #expect(
      eps.allSatisfy {
        $0.port == 8080 && $0.portName == "http" && $0.ready && $0.serving && !$0.terminating
      })
    #expect(Set(eps.compactMap(\.node)) == ["node-1", "node-2", "node-3"])
    #expect(Set(eps.compactMap(\.zone)) == ["zone-a", "zone-b", "zone-c"])
    let pods = c.pods(namespace: "default")
    let hash = try #require(c.deployment(key("web"))?.podTemplateHash)
    #expect(
      pods.allSatisfy {
        $0.name.hasPrefix("web-\(hash)-") && $0.name.count == "web-\(hash)-".count + 5
      })
    #expect(pods.allSatisfy { $0.labels["pod-template-hash"] == hash })

    try c.deleteDeployment(key("web"))
    // The garbage collector deletes the pods gracefully: they serve while terminating.
    let draining = c.endpoints(of: key("web"))
    #expect(draining.count == 3)
    #expect(draining.allSatisfy { !$0.ready && $0.serving && $0.terminating })
    try c.advance(30)
    #expect(c.endpoints(of: key("web")).isEmpty)
    #expect(c.service(key("web")) != nil)
    let slices = c.endpointSlices(namespace: "default", service: "web")
    #expect(slices.count == 1)
    #expect(slices[0].endpoints.isEmpty && slices[0].ports.isEmpty)
    #expect(c.checkInvariants() == [])
  }

  @Test func sameServiceNameInTwoNamespaces() throws {
    let c = try bareCluster()
    try c.createNamespace("prod")
    try c.addPod("a", PodOptions(labels: ["app": "web"]))
    try c.addPod("b", PodOptions(namespace: "prod", labels: ["app": "web"]))
    try c.createService("web", spec: webSpec())
    try c.createService("web", namespace: "prod", spec: webSpec())
    #expect(c.endpoints(of: key("web")).compactMap(\.pod) == ["a"])
    #expect(c.endpoints(of: key("web", "prod")).compactMap(\.pod) == ["b"])
    #expect(c.service(key("web"))?.spec.clusterIP != c.service(key("web", "prod"))?.spec.clusterIP)
    try c.deleteNamespace("prod")
    #expect(c.endpointSlices(namespace: "prod").isEmpty)
    #expect(c.endpoints(of: key("web")).compactMap(\.pod) == ["a"])
    #expect(c.checkInvariants() == [])
  }

  struct ReadinessCase: CustomTestStringConvertible, Sendable {
    let publishNotReady: Bool
    let ready: Bool
    var testDescription: String { "publishNotReadyAddresses=\(publishNotReady)" }
  }

  @Test(arguments: [
    ReadinessCase(publishNotReady: false, ready: false),
    ReadinessCase(publishNotReady: true, ready: true),
  ])
  func unreadyPodStaysListed(_ t: ReadinessCase) throws {
    let c = try bareCluster()
    try c.addPod("a", PodOptions(labels: ["app": "web"]))
    var spec = webSpec()
    spec.publishNotReadyAddresses = t.publishNotReady
    try c.createService("web", spec: spec)
    try c.setPodReady(key("a"), false)
    let eps = c.endpoints(of: key("web"))
    #expect(eps.count == 1)
    #expect(eps.first?.ready == t.ready)
    #expect(eps.first?.serving == false)
    try c.setPodReady(key("a"), true)
    #expect(c.endpoints(of: key("web")).first?.ready == true)
  }

  @Test func terminatingPodServesUntilGracePasses() throws {
    let c = try bareCluster()
    try c.addPod("a", PodOptions(labels: ["app": "web"]))
    try c.addPod("b", PodOptions(labels: ["app": "web"]))
    try c.createService("web", spec: webSpec())
    try c.deletePod(key("a"), grace: 20)
    let a = try #require(c.endpoints(of: key("web")).first { $0.pod == "a" })
    #expect(!a.ready && a.serving && a.terminating)
    try c.advance(19)
    #expect(c.endpoints(of: key("web")).count == 2)
    try c.advance(1)
    #expect(c.endpoints(of: key("web")).compactMap(\.pod) == ["b"])
    #expect(c.pod(key("a")) == nil)
    try c.deletePod(key("b"), grace: 0)
    #expect(c.endpoints(of: key("web")).isEmpty)
    #expect(c.checkInvariants() == [])
  }

  /// deletionTimestamp is the end of the grace period, as the API server writes it; deleting
  /// again may shorten it, never lengthen it.
  @Test func deletionTimestampIsTheEndOfTheGracePeriod() throws {
    let c = try bareCluster()
    try c.addPod("a", PodOptions(labels: ["app": "web"]))
    try c.advance(5)
    try c.deletePod(key("a"), grace: 20)
    #expect(c.pod(key("a"))?.metadata.deletionTimestamp == 25)
    #expect(c.pod(key("a"))?.metadata.deletionGracePeriodSeconds == 20)
    try c.deletePod(key("a"), grace: 60)
    #expect(c.pod(key("a"))?.metadata.deletionTimestamp == 25)
    try c.deletePod(key("a"), grace: 10)
    #expect(c.pod(key("a"))?.metadata.deletionTimestamp == 15)
    try c.advance(9)
    #expect(c.pod(key("a")) != nil)
    try c.advance(1)
    #expect(c.pod(key("a")) == nil)
  }

  @Test func namedTargetPortResolvesPerPod() throws {
    let c = try bareCluster()
    try c.addPod(
      "a",
      PodOptions(labels: ["app": "web"], ports: [ContainerPort(name: "http", containerPort: 8080)]))
    try c.addPod(
      "b",
      PodOptions(labels: ["app": "web"], ports: [ContainerPort(name: "http", containerPort: 9090)]))
    try c.addPod(
      "c",
      PodOptions(labels: ["app": "web"], ports: [ContainerPort(name: "other", containerPort: 7070)])
    )
    try c.createService("web", spec: webSpec(target: .string("http")))
    let rows = c.endpoints(of: key("web")).filter { $0.port != nil }
    #expect(rows.map { "\($0.pod ?? ""):\($0.port ?? 0)" }.sorted() == ["a:8080", "b:9090"])
    // Each port set has its own slice; the pod lacking the name sits in one without ports.
    let slices = c.endpointSlices(namespace: "default", service: "web")
    #expect(slices.count == 3)
    #expect(slices.contains { $0.ports.isEmpty && $0.endpoints.map(\.targetRef?.name) == ["c"] })
  }

  @Test func twoHundredFiftyPodsMakeThreeSlices() throws {
    let c = try bareCluster()
    try c.createDeployment("web", DeploymentOptions(replicas: 250))
    try c.createService("web", spec: webSpec())
    let sizes = c.endpointSlices(namespace: "default", service: "web").map(\.endpoints.count)
      .sorted()
    #expect(sizes == [50, 100, 100])
    let names = c.endpointSlices(namespace: "default", service: "web").map(\.name)
    #expect(names.allSatisfy { $0.hasPrefix("web-") && $0.count == 9 })
    // Scaling keeps the existing slices (names are stable).
    try c.scale(key("web"), replicas: 260)
    let after = c.endpointSlices(namespace: "default", service: "web")
    #expect(Set(names).isSubset(of: Set(after.map(\.name))))
    #expect(after.map(\.endpoints.count).reduce(0, +) == 260)
    #expect(after.allSatisfy { $0.endpoints.count <= 100 })
    #expect(c.checkInvariants() == [])
  }

  @Test func hostnameOnlyWithMatchingSubdomain() throws {
    let c = try bareCluster()
    try c.addPod("a", PodOptions(labels: ["app": "db"], hostname: "db-0", subdomain: "db"))
    try c.addPod("b", PodOptions(labels: ["app": "db"], hostname: "db-1", subdomain: "other"))
    try c.createService(
      "db",
      spec: ServiceSpec(
        selector: ["app": "db"], ports: [ServicePort(port: 5432)], clusterIP: "None"))
    let rows = c.endpoints(of: key("db"))
    #expect(rows.first { $0.pod == "a" }?.hostname == "db-0")
    #expect(rows.first { $0.pod == "b" }?.hostname == nil)
    let slice = try #require(c.endpointSlices(namespace: "default", service: "db").first)
    #expect(slice.metadata.labels["service.kubernetes.io/headless"] == "")
    #expect(
      slice.metadata.labels["endpointslice.kubernetes.io/managed-by"]
        == "endpointslice-controller.k8s.io")
  }

  @Test func noSlicesForExternalNameOrSelectorless() throws {
    let c = try bareCluster()
    try c.addPod("a", PodOptions(labels: ["app": "web"]))
    try c.createService(
      "ext",
      spec: ServiceSpec(type: .externalName, selector: ["app": "web"], externalName: "example.com"))
    try c.createService("manual", spec: ServiceSpec(ports: [ServicePort(port: 80)]))
    #expect(c.endpointSlices(namespace: "default").isEmpty)
    let slice = EndpointSlice(
      metadata: ObjectMeta(name: "manual-1", namespace: "default"), addressType: .ipv4,
      endpoints: [Endpoint(addresses: ["192.0.2.10"])], ports: [EndpointPort(port: 8080)])
    try c.createEndpointSlice(slice, service: "manual")
    let rows = c.endpoints(of: key("manual"))
    #expect(rows.map(\.ip) == ["192.0.2.10"])
    #expect(
      rows.first?.ready == true && rows.first?.serving == true && rows.first?.terminating == false)
    let bad = EndpointSlice(
      metadata: ObjectMeta(name: "bad", namespace: "default"), addressType: .ipv4,
      endpoints: [Endpoint(addresses: ["fd00::1"])])
    #expect(
      errorMessage { try c.createEndpointSlice(bad, service: "manual") }
        == #"EndpointSlice.discovery.k8s.io "bad" is invalid: endpoints[0].addresses[0]: Invalid "#
        + #"value: "fd00::1": must be a valid IPv4 address"#
    )
  }

  @Test func removeNodeRecreatesDeploymentPods() throws {
    let c = try bareCluster()
    try c.createDeployment("web", DeploymentOptions(replicas: 3))
    try c.createService("web", spec: webSpec())
    try c.removeNode("node-2")
    let pods = c.pods(namespace: "default")
    #expect(pods.count == 3)
    #expect(pods.allSatisfy { $0.nodeName != "node-2" && $0.ready })
    #expect(c.endpoints(of: key("web")).count == 3)
    #expect(c.checkInvariants() == [])
  }

  @Test func scaleDownRemovesNewestOnCrowdedNode() throws {
    let c = try bareCluster(nodes: 2)
    try c.createDeployment("web", DeploymentOptions(replicas: 3))
    let newest = try #require(
      c.pods(namespace: "default").max { $0.metadata.uid < $1.metadata.uid })
    try c.scale(key("web"), replicas: 2)
    let terminating = c.pods(namespace: "default").filter(\.isTerminating)
    #expect(terminating.map(\.name) == [newest.name])
  }
}
