import Testing

@testable import KubeProxy

/// One row of the endpoint-selection truth table (kube-proxy's `TestCategorizeEndpoints` and
/// `TestTerminatingEndpointsTrafficPolicy{Cluster,Local}`), from node `node-1` in `zone-a`.
struct CategorizeCase: CustomTestStringConvertible, Sendable {
  var name: String
  var port: ProxyServicePort
  var endpoints: [ProxyEndpoint]
  var nodeGate = true
  var cluster: [String]
  var local: [String]
  var allReachable: [String]
  var hasAny: Bool
  var testDescription: String { name }
}

private let lb = svcPort(type: .loadBalancer, nodePort: 30080, lbIPs: ["1.2.3.4"])
private let lbLocal = svcPort(
  type: .loadBalancer, nodePort: 30080, lbIPs: ["1.2.3.4"], eTPLocal: true,
  healthCheckNodePort: 30000)
private let plain = svcPort()
private let internalLocal = svcPort(iTPLocal: true)

let categorizeCases: [CategorizeCase] = [
  // Terminating endpoints, externalTrafficPolicy Cluster.
  CategorizeCase(
    name: "Cluster: ready on L and remote plus terminating ones -> all ready", port: lb,
    endpoints: [
      ep("10.0.1.1", node: "node-1"), ep("10.0.1.2", node: "node-1", "serving-terminating"),
      ep("10.0.2.1", node: "node-2"), ep("10.0.2.2", node: "node-2", "terminating"),
    ],
    cluster: ["10.0.1.1:80", "10.0.2.1:80"], local: [],
    allReachable: ["10.0.1.1:80", "10.0.2.1:80"], hasAny: true),
  CategorizeCase(
    name: "Cluster: none ready, serving-terminating on L and remote -> all of them", port: lb,
    endpoints: [
      ep("10.0.1.2", node: "node-1", "serving-terminating"),
      ep("10.0.2.2", node: "node-2", "serving-terminating"),
    ],
    cluster: ["10.0.1.2:80", "10.0.2.2:80"], local: [],
    allReachable: ["10.0.1.2:80", "10.0.2.2:80"], hasAny: true),
  CategorizeCase(
    name: "Cluster: one remote serving-terminating -> that one", port: lb,
    endpoints: [ep("10.0.2.2", node: "node-2", "serving-terminating")],
    cluster: ["10.0.2.2:80"], local: [], allReachable: ["10.0.2.2:80"], hasAny: true),
  CategorizeCase(
    name: "Cluster: only non-serving terminating -> none (REJECT)", port: lb,
    endpoints: [
      ep("10.0.1.2", node: "node-1", "terminating"), ep("10.0.2.2", node: "node-2", "terminating"),
    ],
    cluster: [], local: [], allReachable: [], hasAny: false),
  // Terminating endpoints, externalTrafficPolicy Local.
  CategorizeCase(
    name: "Local: ready on L and remote plus terminating on L -> local = ready on L",
    port: lbLocal,
    endpoints: [
      ep("10.0.1.1", node: "node-1"), ep("10.0.1.2", node: "node-1", "serving-terminating"),
      ep("10.0.2.1", node: "node-2"),
    ],
    cluster: ["10.0.1.1:80", "10.0.2.1:80"], local: ["10.0.1.1:80"],
    allReachable: ["10.0.1.1:80", "10.0.2.1:80"], hasAny: true),
  CategorizeCase(
    name: "Local: only serving-terminating on L, one ready remote -> split", port: lbLocal,
    endpoints: [
      ep("10.0.1.2", node: "node-1", "serving-terminating"), ep("10.0.2.1", node: "node-2"),
    ],
    cluster: ["10.0.2.1:80"], local: ["10.0.1.2:80"],
    allReachable: ["10.0.1.2:80", "10.0.2.1:80"], hasAny: true),
  CategorizeCase(
    name: "Local: one remote serving-terminating -> cluster has it, no local (DROP)",
    port: lbLocal, endpoints: [ep("10.0.2.2", node: "node-2", "serving-terminating")],
    cluster: ["10.0.2.2:80"], local: [], allReachable: ["10.0.2.2:80"], hasAny: true),
  CategorizeCase(
    name: "Local: only non-serving terminating -> nothing (REJECT)", port: lbLocal,
    endpoints: [ep("10.0.1.2", node: "node-1", "terminating")],
    cluster: [], local: [], allReachable: [], hasAny: false),
  // Plain cases.
  CategorizeCase(
    name: "no endpoints", port: plain, endpoints: [], cluster: [], local: [], allReachable: [],
    hasAny: false),
  CategorizeCase(
    name: "unready endpoint is skipped", port: plain,
    endpoints: [ep("10.0.1.1", node: "node-1"), ep("10.0.2.1", node: "node-2", "unready")],
    cluster: ["10.0.1.1:80"], local: [], allReachable: ["10.0.1.1:80"], hasAny: true),
  CategorizeCase(
    name: "internalTrafficPolicy Local uses only local endpoints", port: internalLocal,
    endpoints: [ep("10.0.1.1", node: "node-1"), ep("10.0.2.1", node: "node-2")],
    cluster: [], local: ["10.0.1.1:80"], allReachable: ["10.0.1.1:80"], hasAny: true),
  CategorizeCase(
    name: "internalTrafficPolicy Local, endpoints only elsewhere -> hasAny (DROP)",
    port: internalLocal, endpoints: [ep("10.0.2.1", node: "node-2")],
    cluster: [], local: [], allReachable: [], hasAny: true),
  CategorizeCase(
    name: "internalTrafficPolicy Local falls back to local serving-terminating",
    port: internalLocal,
    endpoints: [
      ep("10.0.1.2", node: "node-1", "serving-terminating"), ep("10.0.2.1", node: "node-2"),
    ],
    cluster: [], local: ["10.0.1.2:80"], allReachable: ["10.0.1.2:80"], hasAny: true),
  // Topology hints.
  CategorizeCase(
    name: "zone hints for this zone -> PreferSameZone", port: plain,
    endpoints: [
      ep("10.0.1.1", node: "node-1", zones: ["zone-a"]),
      ep("10.0.2.1", node: "node-2", zones: ["zone-b"]),
      ep("10.0.3.1", node: "node-3", zones: ["zone-a"]),
    ],
    cluster: ["10.0.1.1:80", "10.0.3.1:80"], local: [],
    allReachable: ["10.0.1.1:80", "10.0.3.1:80"], hasAny: true),
  CategorizeCase(
    name: "one ready endpoint without a zone hint -> hints ignored", port: plain,
    endpoints: [
      ep("10.0.1.1", node: "node-1", zones: ["zone-a"]), ep("10.0.2.1", node: "node-2"),
    ],
    cluster: ["10.0.1.1:80", "10.0.2.1:80"], local: [],
    allReachable: ["10.0.1.1:80", "10.0.2.1:80"], hasAny: true),
  CategorizeCase(
    name: "unready endpoint without hint does not disable hints", port: plain,
    endpoints: [
      ep("10.0.1.1", node: "node-1", zones: ["zone-a"]),
      ep("10.0.2.1", node: "node-2", zones: ["zone-b"]),
      ep("10.0.3.1", node: "node-3", "unready"),
    ],
    cluster: ["10.0.1.1:80"], local: [], allReachable: ["10.0.1.1:80"], hasAny: true),
  CategorizeCase(
    name: "zone hints but none for this zone -> all endpoints", port: plain,
    endpoints: [
      ep("10.0.2.1", node: "node-2", zones: ["zone-b"]),
      ep("10.0.3.1", node: "node-3", zones: ["zone-c"]),
    ],
    cluster: ["10.0.2.1:80", "10.0.3.1:80"], local: [],
    allReachable: ["10.0.2.1:80", "10.0.3.1:80"], hasAny: true),
  CategorizeCase(
    name: "node hints for this node -> PreferSameNode", port: plain,
    endpoints: [
      ep("10.0.1.1", node: "node-1", zones: ["zone-a"], nodes: ["node-1"]),
      ep("10.0.1.5", node: "node-9", zones: ["zone-a"], nodes: ["node-9"]),
      ep("10.0.2.1", node: "node-2", zones: ["zone-b"], nodes: ["node-2"]),
    ],
    cluster: ["10.0.1.1:80"], local: [], allReachable: ["10.0.1.1:80"], hasAny: true),
  CategorizeCase(
    name: "node hints with the gate off -> zone hints", port: plain,
    endpoints: [
      ep("10.0.1.1", node: "node-1", zones: ["zone-a"], nodes: ["node-1"]),
      ep("10.0.1.5", node: "node-9", zones: ["zone-a"], nodes: ["node-9"]),
      ep("10.0.2.1", node: "node-2", zones: ["zone-b"], nodes: ["node-2"]),
    ],
    nodeGate: false, cluster: ["10.0.1.1:80", "10.0.1.5:80"], local: [],
    allReachable: ["10.0.1.1:80", "10.0.1.5:80"], hasAny: true),
  CategorizeCase(
    name: "serving-terminating fallback ignores hints", port: plain,
    endpoints: [
      ep("10.0.2.1", node: "node-2", "serving-terminating", zones: ["zone-b"]),
      ep("10.0.3.1", node: "node-3", "serving-terminating", zones: ["zone-c"]),
    ],
    cluster: ["10.0.2.1:80", "10.0.3.1:80"], local: [],
    allReachable: ["10.0.2.1:80", "10.0.3.1:80"], hasAny: true),
  CategorizeCase(
    name: "eTP Local with zone hints: topology narrows cluster, never local", port: lbLocal,
    endpoints: [
      ep("10.0.1.1", node: "node-1", zones: ["zone-b"]),
      ep("10.0.2.1", node: "node-2", zones: ["zone-a"]),
    ],
    cluster: ["10.0.2.1:80"], local: ["10.0.1.1:80"],
    allReachable: ["10.0.1.1:80", "10.0.2.1:80"], hasAny: true),
]

@Test(arguments: categorizeCases)
func categorize(_ c: CategorizeCase) {
  let result = categorizeEndpoints(
    c.endpoints, servicePort: c.port, nodeName: "node-1", nodeZone: "zone-a",
    preferSameTrafficDistribution: c.nodeGate)
  #expect(strings(result.cluster) == c.cluster)
  #expect(strings(result.local) == c.local)
  #expect(strings(result.allReachable) == c.allReachable)
  #expect(result.hasAny == c.hasAny)
}
