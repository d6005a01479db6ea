import Testing

@testable import Cluster

/// Snapshot and restore give back the whole state: objects, allocators and random stream.
@Test func restoreUndoesEveryChange() throws {
  let c = try bareCluster()
  try c.createDeployment("web", DeploymentOptions(replicas: 2, labels: ["app": "web"]))
  let saved = c.snapshot()
  let servicesBefore = c.services()
  let podsBefore = c.pods()
  try c.createService("web", spec: webSpec())
  try c.scale(key("web"), replicas: 4)
  c.restore(saved)
  #expect(c.services() == servicesBefore)
  #expect(c.pods() == podsBefore)
  // The same call after restore allocates exactly what it allocated the first time.
  let first = try c.createService("web", spec: webSpec())
  c.restore(saved)
  let second = try c.createService("web", spec: webSpec())
  #expect(first.spec.clusterIPs == second.spec.clusterIPs)
}

/// A scratch copy changes independently, and adopting its state announces its changes.
@Test func scratchCopyAndAdopt() throws {
  let c = try bareCluster()
  var seen: [ClusterChange] = []
  c.subscribe { seen.append($0) }
  let scratch = try c.scratchCopy()
  var changes: [ClusterChange] = []
  scratch.subscribe { changes.append($0) }
  try scratch.createService("web", spec: webSpec())
  #expect(c.service(key("web")) == nil)
  c.restore(scratch.snapshot(), announcing: changes)
  #expect(c.service(key("web")) == scratch.service(key("web")))
  #expect(seen == changes)
}

/// A Deployment's selector is immutable; its template change rolls pods to a new hash.
@Test func updateDeploymentRules() throws {
  let c = try bareCluster()
  let d = try c.createDeployment("web", DeploymentOptions(replicas: 2, labels: ["app": "web"]))
  #expect(throws: ClusterError.self) {
    try c.updateDeployment(key("web"), DeploymentOptions(replicas: 2, labels: ["app": "api"]))
  }
  let updated = try c.updateDeployment(
    key("web"),
    DeploymentOptions(
      replicas: 2, labels: ["app": "web"], ports: [ContainerPort(containerPort: 80)]))
  #expect(updated.podTemplateHash != d.podTemplateHash)
  let active = c.pods().filter { !$0.isTerminating }
  #expect(active.count == 2)
  #expect(
    active.allSatisfy { $0.labels[WellKnownLabel.podTemplateHash] == updated.podTemplateHash })
}
