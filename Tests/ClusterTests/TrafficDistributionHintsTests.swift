import Testing

@testable import Cluster

/// The hints the EndpointSlice controller writes for `trafficDistribution`
/// (staging/src/k8s.io/endpointslice/trafficdist/trafficdist.go; rows after its
/// trafficdist_test.go `TestReconcileHints`, as facts about the resulting slices): pods `a`
/// on node-1 (zone-a) and `b` on node-2 (zone-b).
struct HintsRow: CustomTestStringConvertible, Sendable {
  var name: String
  var distribution: String?
  /// Pods set not ready.
  var unready: [String] = []
  /// pod → (forZones, forNodes); a pod absent has no hints.
  var want: [String: [String]]
  var testDescription: String { name }
}

let hintsRows: [HintsRow] = [
  HintsRow(
    name: "should set zone hints with PreferClose (TestReconcileHints)",
    distribution: "PreferClose",
    want: ["a": ["zone-a"], "b": ["zone-b"]]),
  HintsRow(
    name: "PreferSameZone sets the same zone hints", distribution: "PreferSameZone",
    want: ["a": ["zone-a"], "b": ["zone-b"]]),
  HintsRow(
    name: "PreferSameNode adds node hints (preferCloseHeuristic{generateNodeHints})",
    distribution: "PreferSameNode",
    want: ["a": ["zone-a", "node:node-1"], "b": ["zone-b", "node:node-2"]]),
  HintsRow(
    name: "unready endpoints get no hints (unready endpoints should not trigger updates)",
    distribution: "PreferClose", unready: ["b"], want: ["a": ["zone-a"]]),
  HintsRow(
    name: "should remove hints when trafficDistribution is unset", distribution: nil, want: [:]),
]

@Test(arguments: hintsRows)
func trafficDistributionHints(_ row: HintsRow) throws {
  let c = try bareCluster()
  var spec = webSpec()
  spec.trafficDistribution = row.distribution.map { TrafficDistribution(rawValue: $0) }
  _ = try c.createService("web", spec: spec)
  for (name, node) in [("a", "node-1"), ("b", "node-2")] {
    _ = try c.addPod(name, PodOptions(labels: ["app": "web"], node: node))
    if row.unready.contains(name) { _ = try c.setPodReady(key(name), false) }
  }
  var got: [String: [String]] = [:]
  for slice in c.endpointSlices(namespace: "default") {
    for ep in slice.endpoints {
      guard let pod = ep.targetRef?.name, let h = ep.hints else { continue }
      got[pod] = h.forZones + h.forNodes.map { "node:\($0)" }
    }
  }
  #expect(got == row.want, "\(row.name)")
}

/// Removing trafficDistribution removes the hints from existing slices.
@Test func hintsGoWhenTrafficDistributionIsUnset() throws {
  let c = try bareCluster()
  var spec = webSpec()
  spec.trafficDistribution = .preferSameZone
  _ = try c.createService("web", spec: spec)
  _ = try c.addPod("a", PodOptions(labels: ["app": "web"], node: "node-1"))
  #expect(
    c.endpointSlices(namespace: "default").flatMap(\.endpoints).allSatisfy { $0.hints != nil })
  spec = c.service(key("web"))!.spec
  spec.trafficDistribution = nil
  _ = try c.updateService(key("web"), spec: spec)
  #expect(
    c.endpointSlices(namespace: "default").flatMap(\.endpoints).allSatisfy { $0.hints == nil })
}
