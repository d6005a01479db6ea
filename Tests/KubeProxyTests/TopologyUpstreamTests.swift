import Testing

@testable import KubeProxy

/// Rows of kube-proxy's `TestCategorizeEndpoints` (pkg/proxy/topology_test.go), ported as
/// facts: the node is `node-1`; an endpoint upstream marks `IsLocal` is on `node-1`, the others
/// on `node-2`. Each row keeps upstream's name; `source` is the file and test.
///
/// Rows upstream keyed on the `service.kubernetes.io/topology-aware-hints` annotation value
/// ("disabled", "aUto", empty) are not ported: since 1.31 kube-proxy reads only the hints
/// (`topologyModeFromHints`), never the annotation, so those rows test removed behaviour.
struct UpstreamTopologyRow: CustomTestStringConvertible, Sendable {
  var name: String
  var source = "pkg/proxy/topology_test.go TestCategorizeEndpoints"
  var zone: String?
  var port: ProxyServicePort = svcPort()
  var endpoints: [ProxyEndpoint]
  var cluster: [String]
  var local: [String] = []
  var all: [String]? = nil
  var testDescription: String { name }
}

/// An endpoint of the upstream rows: `10.1.2.x:80` with zone hints, ready unless told.
private func hinted(
  _ address: String, _ zones: [String]?, ready: Bool = true, local: Bool = false
)
  -> ProxyEndpoint
{
  ep(address, node: local ? "node-1" : "node-2", ready ? "ready" : "unready", zones: zones)
}

private let fourZoned = [
  hinted("10.1.2.3", ["zone-a"]), hinted("10.1.2.4", ["zone-b"]),
  hinted("10.1.2.5", ["zone-c"]), hinted("10.1.2.6", ["zone-a"]),
]

/// The same four, the first two on the proxy's own node.
private let fourZonedTwoLocal = [
  hinted("10.1.2.3", ["zone-a"], local: true), hinted("10.1.2.4", ["zone-b"], local: true),
  hinted("10.1.2.5", ["zone-c"]), hinted("10.1.2.6", ["zone-a"]),
]

let upstreamTopologyRows: [UpstreamTopologyRow] = [
  UpstreamTopologyRow(
    name: "normal endpoint filtering, auto annotation", zone: "zone-a", endpoints: fourZoned,
    cluster: ["10.1.2.3:80", "10.1.2.6:80"]),
  UpstreamTopologyRow(
    name: "externalTrafficPolicy: Local, topology ignored for Local endpoints", zone: "zone-a",
    port: svcPort(type: .nodePort, nodePort: 8080, eTPLocal: true),
    endpoints: fourZonedTwoLocal,
    cluster: ["10.1.2.3:80", "10.1.2.6:80"], local: ["10.1.2.3:80", "10.1.2.4:80"],
    all: ["10.1.2.3:80", "10.1.2.4:80", "10.1.2.6:80"]),
  UpstreamTopologyRow(
    name: "internalTrafficPolicy: Local, topology ignored for Local endpoints", zone: "zone-a",
    port: svcPort(type: .nodePort, nodePort: 8080, iTPLocal: true),
    endpoints: fourZonedTwoLocal,
    cluster: ["10.1.2.3:80", "10.1.2.6:80"], local: ["10.1.2.3:80", "10.1.2.4:80"],
    all: ["10.1.2.3:80", "10.1.2.4:80", "10.1.2.6:80"]),
  UpstreamTopologyRow(
    name: "empty node labels", zone: nil, endpoints: [hinted("10.1.2.3", ["zone-a"])],
    cluster: ["10.1.2.3:80"]),
  UpstreamTopologyRow(
    name: "empty zone label", zone: "", endpoints: [hinted("10.1.2.3", ["zone-a"])],
    cluster: ["10.1.2.3:80"]),
  UpstreamTopologyRow(
    name: "node in different zone, no endpoint filtering", zone: "zone-b",
    endpoints: [hinted("10.1.2.3", ["zone-a"])], cluster: ["10.1.2.3:80"]),
  UpstreamTopologyRow(
    name: "unready endpoint", zone: "zone-a",
    endpoints: [
      hinted("10.1.2.3", ["zone-a"]), hinted("10.1.2.4", ["zone-b"]),
      hinted("10.1.2.5", ["zone-c"]), hinted("10.1.2.6", ["zone-a"], ready: false),
    ],
    cluster: ["10.1.2.3:80"]),
  UpstreamTopologyRow(
    name: "only unready endpoints in same zone (should not filter)", zone: "zone-a",
    endpoints: [
      hinted("10.1.2.3", ["zone-a"], ready: false), hinted("10.1.2.4", ["zone-b"]),
      hinted("10.1.2.5", ["zone-c"]), hinted("10.1.2.6", ["zone-a"], ready: false),
    ],
    cluster: ["10.1.2.4:80", "10.1.2.5:80"]),
  UpstreamTopologyRow(
    name: "missing hints, no filtering applied", zone: "zone-a",
    endpoints: [
      hinted("10.1.2.3", ["zone-a"]), hinted("10.1.2.4", ["zone-b"]),
      hinted("10.1.2.5", nil), hinted("10.1.2.6", ["zone-a"]),
    ],
    cluster: ["10.1.2.3:80", "10.1.2.4:80", "10.1.2.5:80", "10.1.2.6:80"]),
  UpstreamTopologyRow(
    name: "multiple hints per endpoint, filtering includes any endpoint with zone included",
    zone: "zone-c",
    endpoints: [
      hinted("10.1.2.3", ["zone-a", "zone-b", "zone-c"]), hinted("10.1.2.4", ["zone-b", "zone-c"]),
      hinted("10.1.2.5", ["zone-b", "zone-d"]), hinted("10.1.2.6", ["zone-c"]),
    ],
    cluster: ["10.1.2.3:80", "10.1.2.4:80", "10.1.2.6:80"]),
  UpstreamTopologyRow(
    name: "conflicting topology and localness require merging allEndpoints", zone: "zone-a",
    port: svcPort(type: .nodePort, nodePort: 8080, eTPLocal: true),
    endpoints: [
      ep("10.0.0.0", node: "node-1", zones: ["zone-a"]),
      ep("10.0.0.1", node: "node-1", zones: ["zone-b"]),
      ep("10.0.0.2", node: "node-2", zones: ["zone-a"]),
      ep("10.0.0.3", node: "node-2", zones: ["zone-b"]),
    ],
    cluster: ["10.0.0.0:80", "10.0.0.2:80"], local: ["10.0.0.0:80", "10.0.0.1:80"],
    all: ["10.0.0.0:80", "10.0.0.1:80", "10.0.0.2:80"]),
  UpstreamTopologyRow(
    name: "internalTrafficPolicy: Local, but all endpoints are remote", zone: "zone-a",
    port: svcPort(iTPLocal: true),
    endpoints: [ep("10.0.0.0", node: "node-2"), ep("10.0.0.1", node: "node-2")],
    cluster: [], local: [], all: []),
]

@Test(arguments: upstreamTopologyRows)
func upstreamCategorizeEndpoints(_ row: UpstreamTopologyRow) {
  let result = categorizeEndpoints(
    row.endpoints, servicePort: row.port, nodeName: "node-1", nodeZone: row.zone)
  #expect(strings(result.cluster) == row.cluster, "\(row.source): \(row.name)")
  #expect(strings(result.local) == row.local, "\(row.source): \(row.name)")
  #expect(
    strings(result.allReachable) == (row.all ?? row.cluster + row.local),
    "\(row.source): \(row.name)")
}
