import NetAddr
import Testing

@testable import Cluster

/// `importObjects`: objects go in with their own addresses, nothing is allocated or
/// reconciled, the allocators learn what is taken, and disagreements show in the invariants.
@Suite struct ImportTests {
  static func dump() -> ClusterImport {
    var d = ClusterImport()
    d.namespaces = [Namespace(metadata: ObjectMeta(name: "shop"))]
    d.nodes = [
      Node(
        metadata: ObjectMeta(name: "n1", labels: [WellKnownLabel.zone: "z1"]),
        podCIDR: CIDR("10.244.1.0/24"),
        internalIP: IPAddress("172.18.0.3")!)
    ]
    d.pods = [
      Pod(
        metadata: ObjectMeta(name: "web-1", namespace: "shop", labels: ["app": "web"]),
        nodeName: "n1",
        podIPs: [IPAddress("10.244.1.77")!], phase: .running, ready: true),
      Pod(
        metadata: ObjectMeta(name: "web-2", namespace: "shop", labels: ["app": "web"]),
        phase: .pending),
    ]
    d.services = [
      Service(
        metadata: ObjectMeta(name: "web", namespace: "shop"),
        spec: ServiceSpec(
          type: .nodePort, selector: ["app": "web"],
          ports: [ServicePort(name: "http", port: 80, nodePort: 30080)],
          clusterIP: "10.96.40.4", clusterIPs: ["10.96.40.4"], ipFamilies: [.v4]))
    ]
    d.endpointSlices = [
      EndpointSlice(
        metadata: ObjectMeta(
          name: "web-abcde", namespace: "shop",
          labels: [
            WellKnownLabel.serviceName: "web", WellKnownLabel.managedBy: Cluster.controllerName,
          ]),
        addressType: .ipv4,
        endpoints: [
          Endpoint(
            addresses: ["10.244.1.77"],
            conditions: EndpointConditions(ready: true, serving: true, terminating: false),
            nodeName: "n1", zone: "z1", targetRef: ObjectReference(namespace: "shop", name: "web-1")
          )
        ],
        ports: [EndpointPort(name: "http", port: 80, protocol: .tcp)])
    ]
    return d
  }

  @Test func objectsKeepTheirAddressesAndTheAllocatorsKnowThem() throws {
    let c = try Cluster(config: ClusterConfig(nodeCount: 0, system: false))
    let notes = try c.importObjects(Self.dump())
    #expect(notes.isEmpty)
    #expect(c.pod(key("web-1", "shop"))?.podIP == IPAddress("10.244.1.77"))
    #expect(c.pod(key("web-2", "shop"))?.podIPs.isEmpty == true)
    #expect(c.pod(key("web-2", "shop"))?.phase == .pending)
    #expect(c.service(key("web", "shop"))?.spec.ports.first?.nodePort == 30080)
    #expect(c.checkInvariants() == [])
    // A new Service cannot take the imported ClusterIP or node port.
    #expect(
      errorMessage {
        try c.createService(
          "other", namespace: "shop",
          spec: ServiceSpec(
            type: .nodePort, ports: [ServicePort(port: 80, nodePort: 30080)],
            clusterIP: "10.96.40.4"))
      } != nil)
  }

  @Test func aStaleSliceAndOutOfRangeAddressesAreReported() throws {
    var d = Self.dump()
    d.endpointSlices[0].endpoints[0].addresses = ["10.244.1.99"]
    d.services[0].spec.clusterIP = "192.168.0.10"
    d.services[0].spec.clusterIPs = ["192.168.0.10"]
    let c = try Cluster(config: ClusterConfig(nodeCount: 0, system: false))
    let notes = try c.importObjects(d)
    #expect(
      notes == [
        "service shop/web has ClusterIP 192.168.0.10: the "
          + "provided network does not match the current range"
      ])
    let found = c.checkInvariants()
    #expect(found.contains("slices of shop/web (IPv4) differ from its pods"))
    #expect(found.contains("ClusterIP 192.168.0.10 of shop/web not marked allocated"))
  }
}
