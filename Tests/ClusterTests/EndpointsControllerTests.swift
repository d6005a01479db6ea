import NetAddr
import Testing

@testable import Cluster

/// The endpoints controller and the EndpointSlice mirroring controller, checked against rows
/// of kube-controller-manager's own tests. Each row names its source: file and test name
/// (`endpoints_controller_test.go` is pkg/controller/endpoint/endpoints_controller_test.go,
/// `reconciler_test.go` is pkg/controller/endpointslicemirroring/reconciler_test.go).
@Suite struct EndpointsControllerTests {
  // MARK: - truncateEndpoints

  struct TruncateRow: CustomTestStringConvertible, Sendable {
    let desc: String
    let ready: [Int]
    let notReady: [Int]
    let expectedReady: [Int]
    let expectedNotReady: [Int]
    var testDescription: String { desc }
  }

  /// endpoints_controller_test.go, TestTruncateEndpoints (all rows).
  static let truncateRows: [TruncateRow] = [
    TruncateRow(desc: "empty", ready: [], notReady: [], expectedReady: [], expectedNotReady: []),
    TruncateRow(
      desc: "total endpoints < max capacity", ready: [50, 100, 100, 100, 100],
      notReady: [50, 100, 100, 100, 100],
      expectedReady: [50, 100, 100, 100, 100], expectedNotReady: [50, 100, 100, 100, 100]),
    TruncateRow(
      desc: "total endpoints = max capacity", ready: [100, 100, 100, 100, 100],
      notReady: [100, 100, 100, 100, 100],
      expectedReady: [100, 100, 100, 100, 100], expectedNotReady: [100, 100, 100, 100, 100]),
    TruncateRow(
      desc: "total ready endpoints < max capacity, but total endpoints > max capacity",
      ready: [90, 110, 50, 10, 20], notReady: [101, 200, 200, 201, 298],
      expectedReady: [90, 110, 50, 10, 20], expectedNotReady: [73, 144, 144, 145, 214]),
    TruncateRow(
      desc: "total ready endpoints > max capacity", ready: [205, 400, 402, 400, 693],
      notReady: [100, 200, 200, 200, 300],
      expectedReady: [98, 191, 192, 191, 328], expectedNotReady: [0, 0, 0, 0, 0]),
  ]

  @Test(arguments: truncateRows)
  func truncateEndpoints(_ row: TruncateRow) {
    var n = 0
    func addrs(_ k: Int) -> [EndpointAddress] {
      (0..<k).map { _ in
        n += 1
        return EndpointAddress(ip: "10.\(n / 65536).\(n / 256 % 256).\(n % 256)")
      }
    }
    let subsets = zip(row.ready, row.notReady).map {
      EndpointSubset(addresses: addrs($0), notReadyAddresses: addrs($1))
    }
    let (out, truncated) = EndpointsSubsets.truncate(subsets)
    #expect(out.map(\.addresses.count) == row.expectedReady)
    #expect(out.map(\.notReadyAddresses.count) == row.expectedNotReady)
    #expect(truncated == (row.ready.reduce(0, +) + row.notReady.reduce(0, +) > 1000))
  }

  // MARK: - Which pods are addresses (TestSyncServiceAddresses)

  struct AddressRow: CustomTestStringConvertible, Sendable {
    let name: String
    let phase: PodPhase
    let ready: Bool
    let terminating: Bool
    let tolerateUnready: Bool
    let expectedReady: Int
    let expectedUnready: Int
    var testDescription: String { name }
  }

  /// endpoints_controller_test.go, TestSyncServiceAddresses (all rows).
  static let addressRows: [AddressRow] = [
    AddressRow(
      name: "pod running phase", phase: .running, ready: true, terminating: false,
      tolerateUnready: false, expectedReady: 1, expectedUnready: 0),
    AddressRow(
      name: "pod running phase being deleted", phase: .running, ready: true, terminating: true,
      tolerateUnready: false, expectedReady: 0, expectedUnready: 0),
    AddressRow(
      name: "pod unknown phase container ready", phase: .unknown, ready: true, terminating: false,
      tolerateUnready: false, expectedReady: 1, expectedUnready: 0),
    AddressRow(
      name: "pod unknown phase container ready being deleted", phase: .unknown, ready: true,
      terminating: true, tolerateUnready: false, expectedReady: 0, expectedUnready: 0),
    AddressRow(
      name: "pod pending phase container ready", phase: .pending, ready: true, terminating: false,
      tolerateUnready: false, expectedReady: 1, expectedUnready: 0),
    AddressRow(
      name: "pod pending phase container ready being deleted", phase: .pending, ready: true,
      terminating: true, tolerateUnready: false, expectedReady: 0, expectedUnready: 0),
    AddressRow(
      name: "pod unknown phase container not ready", phase: .unknown, ready: false,
      terminating: false, tolerateUnready: false, expectedReady: 0, expectedUnready: 1),
    AddressRow(
      name: "pod pending phase container not ready", phase: .pending, ready: false,
      terminating: false, tolerateUnready: false, expectedReady: 0, expectedUnready: 1),
    AddressRow(
      name: "pod failed phase", phase: .failed, ready: false, terminating: false,
      tolerateUnready: false, expectedReady: 0, expectedUnready: 0),
    AddressRow(
      name: "pod succeeded phase", phase: .succeeded, ready: false, terminating: false,
      tolerateUnready: false, expectedReady: 0, expectedUnready: 0),
    AddressRow(
      name: "pod running phase and tolerate unready", phase: .running, ready: false,
      terminating: false, tolerateUnready: true, expectedReady: 1, expectedUnready: 0),
    AddressRow(
      name: "pod running phase and tolerate unready being deleted", phase: .running, ready: false,
      terminating: true, tolerateUnready: true, expectedReady: 1, expectedUnready: 0),
    AddressRow(
      name: "pod unknown phase and tolerate unready", phase: .unknown, ready: false,
      terminating: false, tolerateUnready: true, expectedReady: 1, expectedUnready: 0),
    AddressRow(
      name: "pod unknown phase and tolerate unready being deleted", phase: .unknown, ready: false,
      terminating: true, tolerateUnready: true, expectedReady: 1, expectedUnready: 0),
    AddressRow(
      name: "pod pending phase and tolerate unready", phase: .pending, ready: false,
      terminating: false, tolerateUnready: true, expectedReady: 1, expectedUnready: 0),
    AddressRow(
      name: "pod pending phase and tolerate unready being deleted", phase: .pending, ready: false,
      terminating: true, tolerateUnready: true, expectedReady: 1, expectedUnready: 0),
    AddressRow(
      name: "pod failed phase and tolerate unready", phase: .failed, ready: false,
      terminating: false, tolerateUnready: true, expectedReady: 0, expectedUnready: 0),
    AddressRow(
      name: "pod succeeded phase and tolerate unready endpoints", phase: .succeeded, ready: false,
      terminating: false, tolerateUnready: true, expectedReady: 0, expectedUnready: 0),
  ]

  @Test(arguments: addressRows)
  func syncServiceAddresses(_ row: AddressRow) throws {
    let svc = Service(
      metadata: ObjectMeta(name: "foo", namespace: "ns"),
      spec: ServiceSpec(
        selector: ["foo": "bar"], ports: [ServicePort(name: "", port: 80)], clusterIP: "1.1.1.1",
        ipFamilies: [.v4], publishNotReadyAddresses: row.tolerateUnready))
    var meta = ObjectMeta(name: "fakepod", namespace: "ns", labels: ["foo": "bar"])
    if row.terminating { meta.deletionTimestamp = 30 }
    let pod = Pod(
      metadata: meta, ports: [ContainerPort(name: "port1", containerPort: 8080)],
      podIPs: [try #require(IPAddress("10.1.1.1"))], phase: row.phase, ready: row.ready)
    let subsets = EndpointsSubsets.repack(EndpointsSubsets.perPod(svc, [pod]))
    #expect(subsets.reduce(0) { $0 + $1.addresses.count } == row.expectedReady)
    #expect(subsets.reduce(0) { $0 + $1.notReadyAddresses.count } == row.expectedUnready)
  }

  // MARK: - Whole syncs through the cluster

  /// endpoints_controller_test.go, TestSyncEndpointsItems: three pods with ports 8080 and
  /// 8088, a Service with two ports, gives one subset holding every address and both ports.
  @Test func syncEndpointsItemsGroupsPortsIntoOneSubset() throws {
    let c = try bareCluster()
    for i in 0..<3 {
      try c.addPod(
        "pod\(i)", PodOptions(labels: ["foo": "bar"], ip: "10.244.\(i % 3 + 1).\(10 + i)"))
    }
    try c.createService(
      "foo",
      spec: ServiceSpec(
        selector: ["foo": "bar"],
        ports: [
          ServicePort(name: "port0", port: 80, targetPort: .int(8080)),
          ServicePort(name: "port1", port: 88, targetPort: .int(8088)),
        ]))
    let ep = try #require(c.v1Endpoints(key("foo")))
    #expect(ep.subsets.count == 1)
    #expect(ep.subsets[0].addresses.map(\.ip) == ["10.244.1.10", "10.244.2.11", "10.244.3.12"])
    #expect(ep.subsets[0].addresses.map { $0.targetRef?.name } == ["pod0", "pod1", "pod2"])
    #expect(ep.subsets[0].addresses.allSatisfy { $0.nodeName != nil })
    #expect(
      ep.subsets[0].ports == [
        EndpointPort(name: "port0", port: 8080), EndpointPort(name: "port1", port: 8088),
      ])
    #expect(ep.metadata.annotations[EndpointsAnnotation.overCapacity] == nil)
  }

  /// endpoints_controller_test.go, TestSyncEndpointsItemsPreserveNoSelector and
  /// TestSyncEndpointsServiceNotFound: a Service without a selector keeps the Endpoints the
  /// user wrote; deleting the Service deletes them.
  @Test func noSelectorPreservesUserEndpointsAndServiceDeletionRemovesThem() throws {
    let c = try bareCluster()
    try c.createService("foo", spec: ServiceSpec(ports: [ServicePort(name: "", port: 80)]))
    #expect(c.v1Endpoints(key("foo")) == nil)
    try c.createEndpoints(
      V1Endpoints(
        metadata: ObjectMeta(name: "foo", namespace: "default"),
        subsets: [
          EndpointSubset(
            addresses: [EndpointAddress(ip: "6.7.8.9", nodeName: "node-1")],
            ports: [EndpointPort(name: "", port: 1000)])
        ]))
    try c.addPod("pod0", PodOptions(labels: ["foo": "bar"]))
    #expect(c.v1Endpoints(key("foo"))?.subsets[0].addresses.map(\.ip) == ["6.7.8.9"])
    try c.deleteService(key("foo"))
    #expect(c.v1Endpoints(key("foo")) == nil)
  }

  /// endpoints_controller_test.go, TestSyncEndpointsHeadlessService and
  /// TestSyncEndpointsHeadlessWithoutPort: a headless Service's Endpoints carry the
  /// `service.kubernetes.io/headless` label; without ports its addresses have no ports.
  @Test func headlessServiceLabelAndPortless() throws {
    let c = try bareCluster()
    try c.addPod("pod0", PodOptions(labels: ["foo": "bar"], ip: "10.244.1.5"))
    try c.createService("foo", spec: ServiceSpec(selector: ["foo": "bar"], clusterIP: "None"))
    let ep = try #require(c.v1Endpoints(key("foo")))
    #expect(ep.metadata.labels[WellKnownLabel.headless] == "")
    #expect(
      ep.subsets == [
        EndpointSubset(addresses: [
          EndpointAddress(
            ip: "10.244.1.5", nodeName: c.pod(key("pod0"))?.nodeName,
            targetRef: ObjectReference(namespace: "default", name: "pod0"))
        ])
      ])
  }

  /// endpoints_controller_test.go, TestSyncEndpointsItemsWithLabels: the Endpoints carry the
  /// Service's labels (and follow them).
  @Test func labelsFollowService() throws {
    let c = try bareCluster()
    try c.createService(
      "foo", spec: webSpec(selector: ["foo": "bar"]), labels: ["foo": "bar", "baz": "blah"])
    #expect(c.v1Endpoints(key("foo"))?.metadata.labels == ["foo": "bar", "baz": "blah"])
  }

  /// endpoints_controller_test.go, TestSyncServiceOverCapacity ("annotation added past
  /// capacity, > than maxCapacity of Ready Addresses"): 1001 ready pods give 1000 addresses
  /// and the over-capacity annotation; dropping below the cap removes it.
  @Test func overCapacityAnnotation() throws {
    let c = try bareCluster(nodes: 5)
    try c.createService("foo", spec: webSpec(selector: ["foo": "bar"]))
    for i in 0..<1001 { try c.addPod("pod\(i)", PodOptions(labels: ["foo": "bar"])) }
    let ep = try #require(c.v1Endpoints(key("foo")))
    #expect(ep.addressCount == 1000)
    #expect(ep.metadata.annotations[EndpointsAnnotation.overCapacity] == "truncated")
    // The slices are not capped: 1001 endpoints over 11 slices of at most 100.
    #expect(c.endpoints(of: key("foo")).count == 1001)
    try c.deletePod(key("pod0"), grace: 0)
    let after = try #require(c.v1Endpoints(key("foo")))
    #expect(after.addressCount == 1000)
    #expect(after.metadata.annotations[EndpointsAnnotation.overCapacity] == nil)
  }

  struct FamilyRow: CustomTestStringConvertible, Sendable {
    let name: String
    let families: [IPFamily]
    let podIPs: [String]
    let expected: String?
    var testDescription: String { name }
  }

  /// endpoints_controller_test.go, TestPodToEndpointAddressForService: the address is the pod
  /// IP of the Service's primary family; a pod without one is left out.
  static let familyRows: [FamilyRow] = [
    FamilyRow(
      name: "v4 service, in a single stack cluster", families: [.v4], podIPs: ["1.2.3.4"],
      expected: "1.2.3.4"),
    FamilyRow(
      name: "v4 service, in a dual stack cluster", families: [.v4], podIPs: ["1.2.3.4", "2000::0"],
      expected: "1.2.3.4"),
    FamilyRow(
      name: "v4 service, in a dual stack ipv6-primary cluster", families: [.v4],
      podIPs: ["2000::0", "1.2.3.4"], expected: "1.2.3.4"),
    FamilyRow(
      name: "v6 service, in a dual stack cluster", families: [.v6], podIPs: ["1.2.3.4", "2000::0"],
      expected: "2000::"),
    FamilyRow(
      name: "v6 service, in a v4 only "
        + "cluster", families: [.v6], podIPs: ["1.2.3.4"], expected: nil),
  ]

  @Test(arguments: familyRows)
  func podToEndpointAddressForService(_ row: FamilyRow) throws {
    let svc = Service(
      metadata: ObjectMeta(name: "foo", namespace: "default"),
      spec: ServiceSpec(
        selector: ["foo": "bar"], ports: [ServicePort(name: "", port: 80)], ipFamilies: row.families
      ))
    let pod = Pod(
      metadata: ObjectMeta(name: "p", namespace: "default", labels: ["foo": "bar"]),
      nodeName: "node-1",
      podIPs: row.podIPs.compactMap { IPAddress($0) }, phase: .running, ready: true)
    let subsets = EndpointsSubsets.perPod(svc, [pod])
    #expect(subsets.first?.addresses.first?.ip == row.expected)
  }

  /// endpoints_controller_test.go, TestSyncEndpointsItemsPreexisting: the hostname is set
  /// only when the pod's subdomain names the Service (ShouldSetHostname).
  @Test func hostnameOnlyForMatchingSubdomain() throws {
    let c = try bareCluster()
    try c.addPod("a", PodOptions(labels: ["foo": "bar"], hostname: "a", subdomain: "foo"))
    try c.addPod("b", PodOptions(labels: ["foo": "bar"], hostname: "b", subdomain: "other"))
    try c.createService("foo", spec: webSpec(selector: ["foo": "bar"]))
    let addrs = c.v1Endpoints(key("foo"))?.subsets.flatMap(\.addresses) ?? []
    #expect(
      Dictionary(uniqueKeysWithValues: addrs.map { ($0.targetRef?.name ?? "", $0.hostname ?? "-") })
        == ["a": "a", "b": "-"])
  }

  /// `RepackSubsets` (pkg/api/v1/endpoints/util_test.go, TestPackSubsets rows "one set,
  /// one ip, one port", "two sets, dup ip, two ports", "one set, one ready ip, one not ready
  /// ip", "two sets, two ips, two dup ports, one not ready").
  @Test func repackSubsetsRows() {
    let p1 = EndpointPort(name: "", port: 111)
    let p2 = EndpointPort(name: "", port: 222)
    let a = EndpointAddress(ip: "1.2.3.4")
    let b = EndpointAddress(ip: "5.6.7.8")
    #expect(
      EndpointsSubsets.repack([EndpointSubset(addresses: [a], ports: [p1])]) == [
        EndpointSubset(addresses: [a], ports: [p1])
      ])
    #expect(
      EndpointsSubsets.repack([
        EndpointSubset(addresses: [a], ports: [p1]), EndpointSubset(addresses: [a], ports: [p2]),
      ])
        == [EndpointSubset(addresses: [a], ports: [p1, p2])])
    #expect(
      EndpointsSubsets.repack([EndpointSubset(addresses: [a], notReadyAddresses: [b], ports: [p1])])
        == [EndpointSubset(addresses: [a], notReadyAddresses: [b], ports: [p1])])
    #expect(
      EndpointsSubsets.repack([
        EndpointSubset(addresses: [a], ports: [p1]),
        EndpointSubset(notReadyAddresses: [b], ports: [p1]),
      ]) == [EndpointSubset(addresses: [a], notReadyAddresses: [b], ports: [p1])])
    // An address ready for a port in one subset and not ready in another counts as ready.
    #expect(
      EndpointsSubsets.repack([
        EndpointSubset(addresses: [a], ports: [p1]),
        EndpointSubset(notReadyAddresses: [a], ports: [p1]),
      ]) == [EndpointSubset(addresses: [a], ports: [p1])])
  }

  // MARK: - Mirroring

  struct MirrorRow: CustomTestStringConvertible, Sendable {
    let desc: String
    let selector: [String: String]?
    let labels: [String: String]
    let subsets: [EndpointSubset]
    /// Slices expected: endpoints count per slice.
    let expected: [Int]
    var testDescription: String { desc }
  }

  static let a1 = EndpointAddress(ip: "10.0.0.1", hostname: "pod-1")
  static let a2 = EndpointAddress(ip: "10.0.0.2")
  static let v6 = EndpointAddress(ip: "fd00::1")

  /// reconciler_test.go, TestReconcile rows ("no Endpoints subsets", "Endpoints with 1
  /// subset, port, and address", "Endpoints with 2 subset, different port and address",
  /// "Endpoints with IPv6 and IPv4 addresses in the same subset"), and
  /// endpointslicemirroring_controller_test.go, TestSyncEndpoints ("Service with selector"
  /// mirrors nothing; "Endpoints with skip-mirror label" mirrors nothing).
  static let mirrorRows: [MirrorRow] = [
    MirrorRow(desc: "no Endpoints subsets", selector: nil, labels: [:], subsets: [], expected: []),
    MirrorRow(
      desc: "Endpoints with 1 subset, port, and address", selector: nil, labels: [:],
      subsets: [EndpointSubset(addresses: [a1], ports: [EndpointPort(name: "http", port: 80)])],
      expected: [1]),
    MirrorRow(
      desc: "Endpoints with 2 subset, different port and address", selector: nil, labels: [:],
      subsets: [
        EndpointSubset(addresses: [a1], ports: [EndpointPort(name: "http", port: 80)]),
        EndpointSubset(addresses: [a2], ports: [EndpointPort(name: "https", port: 443)]),
      ], expected: [1, 1]),
    MirrorRow(
      desc: "Endpoints with IPv6 and IPv4 addresses in the same subset", selector: nil, labels: [:],
      subsets: [
        EndpointSubset(addresses: [a1, v6], ports: [EndpointPort(name: "http", port: 80)])
      ], expected: [1, 1]),
    MirrorRow(
      desc: "Service with selector", selector: ["foo": "bar"], labels: [:],
      subsets: [EndpointSubset(addresses: [a1], ports: [EndpointPort(name: "http", port: 80)])],
      expected: []),
    MirrorRow(
      desc: "Endpoints with skip-mirror label", selector: nil,
      labels: [EndpointsAnnotation.skipMirror: "true"],
      subsets: [EndpointSubset(addresses: [a1], ports: [EndpointPort(name: "http", port: 80)])],
      expected: []),
  ]

  @Test(arguments: mirrorRows)
  func mirroring(_ row: MirrorRow) throws {
    let c = try bareCluster()
    try c.createService(
      "svc", spec: ServiceSpec(selector: row.selector, ports: [ServicePort(name: "http", port: 80)])
    )
    if row.selector == nil {
      try c.createEndpoints(
        V1Endpoints(
          metadata: ObjectMeta(name: "svc", namespace: "default", labels: row.labels),
          subsets: row.subsets))
    }
    let mirrored = c.endpointSlices(namespace: "default", service: "svc").filter {
      $0.managedBy == Cluster.mirroringControllerName
    }
    #expect(mirrored.map(\.endpoints.count).sorted() == row.expected.sorted())
    for s in mirrored {
      #expect(
        s.metadata.ownerReferences == [
          OwnerReference(apiVersion: "v1", kind: "Endpoints", name: "svc")
        ])
      #expect(s.name.hasPrefix("svc-") && s.name.count == "svc-".count + 5)
      #expect(s.metadata.labels[WellKnownLabel.serviceName] == "svc")
    }
  }

  /// reconciler_test.go, TestReconcile "Endpoints with 1 subset, port, and address, pending
  /// deletion" / ready conditions: not-ready addresses mirror with ready=false; hostname and
  /// nodeName carry over; updating the Endpoints updates the same slice; deleting them
  /// deletes it.
  @Test func mirroredSliceFollowsEndpoints() throws {
    let c = try bareCluster()
    try c.createService("ext", spec: ServiceSpec(ports: [ServicePort(name: "http", port: 80)]))
    try c.createEndpoints(
      V1Endpoints(
        metadata: ObjectMeta(name: "ext", namespace: "default"),
        subsets: [
          EndpointSubset(
            addresses: [EndpointAddress(ip: "10.0.0.1", hostname: "one", nodeName: "node-1")],
            notReadyAddresses: [EndpointAddress(ip: "10.0.0.2")],
            ports: [EndpointPort(name: "http", port: 8080)])
        ]))
    let slice = try #require(c.endpointSlices(namespace: "default", service: "ext").first)
    #expect(slice.endpoints.map(\.conditions.ready) == [true, false])
    #expect(slice.endpoints[0].hostname == "one" && slice.endpoints[0].nodeName == "node-1")
    #expect(slice.ports == [EndpointPort(name: "http", port: 8080)])
    #expect(c.endpoints(of: key("ext")).map(\.ip) == ["10.0.0.1", "10.0.0.2"])
    try c.updateEndpoints(
      V1Endpoints(
        metadata: ObjectMeta(name: "ext", namespace: "default"),
        subsets: [
          EndpointSubset(
            addresses: [EndpointAddress(ip: "10.0.0.3")],
            ports: [EndpointPort(name: "http", port: 8080)])
        ]))
    let after = c.endpointSlices(namespace: "default", service: "ext")
    #expect(after.map(\.name) == [slice.name])
    #expect(after[0].endpoints.map(\.addresses) == [["10.0.0.3"]])
    try c.deleteEndpoints(key("ext"))
    #expect(c.endpointSlices(namespace: "default", service: "ext").isEmpty)
  }

  /// endpointslicemirroring reconciler: at most 1000 addresses of a subset are mirrored.
  @Test func mirroringCapsEachSubsetAt1000() throws {
    let c = try bareCluster()
    try c.createService("big", spec: ServiceSpec(ports: [ServicePort(name: "http", port: 80)]))
    let addrs = (0..<1005).map { EndpointAddress(ip: "10.1.\($0 / 256).\($0 % 256)") }
    try c.createEndpoints(
      V1Endpoints(
        metadata: ObjectMeta(name: "big", namespace: "default"),
        subsets: [EndpointSubset(addresses: addrs, ports: [EndpointPort(name: "http", port: 80)])]))
    #expect(c.endpointSlices(namespace: "default", service: "big").map(\.endpoints.count) == [1000])
    #expect(c.v1Endpoints(key("big"))?.addressCount == 1005)
  }

  /// ValidateEndpoints: bad addresses and ports are refused in the API server's words, and
  /// nothing changes.
  @Test func validation() throws {
    let c = try bareCluster()
    let bad = V1Endpoints(
      metadata: ObjectMeta(name: "x", namespace: "default"),
      subsets: [
        EndpointSubset(
          addresses: [EndpointAddress(ip: "127.0.0.1"), EndpointAddress(ip: "nope")],
          ports: [EndpointPort(name: "", port: 70000)])
      ])
    let msg = errorMessage { try c.createEndpoints(bad) }
    #expect(
      msg
        == "Endpoints \"x\" is invalid: [subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": "
        + "may not be in the loopback range (127.0.0.0/8, ::1/128), subsets[0].addresses[1].ip: "
        + "Invalid value: \"nope\": must be a valid IP address, subsets[0].ports[0].port: Invalid "
        + "value: 70000: must be between 1 and 65535, inclusive]"
    )
    #expect(c.v1Endpoints(key("x")) == nil)
  }
}
