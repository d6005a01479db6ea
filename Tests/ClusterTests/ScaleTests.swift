import Testing

@testable import Cluster

@Suite struct ScaleTests {
  /// Thousands of pods behind one Service: each pod change touches one slice.
  @Test func manyPodsBehindOneService() throws {
    let c = try bareCluster(nodes: 25)
    try c.createService("web", spec: webSpec())
    try c.createDeployment("web", DeploymentOptions(replicas: 5000))
    for i in 0..<200 { try c.addPod("extra-\(i)", PodOptions(labels: ["app": "web"])) }
    let slices = c.endpointSlices(namespace: "default", service: "web")
    #expect(slices.map(\.endpoints.count).reduce(0, +) == 5200)
    #expect(slices.count == 52)
  }
}
