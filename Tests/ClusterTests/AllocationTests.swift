import NetAddr
import Testing

@testable import Cluster

@Suite struct AllocationTests {
  struct BandCase: CustomTestStringConvertible, Sendable {
    let cidr: String
    let offset: UInt64
    let slots: UInt64
    var testDescription: String { "\(cidr) offset \(offset)" }
  }

  @Test(arguments: [
    BandCase(cidr: "10.96.0.0/12", offset: 256, slots: 1_048_574),
    BandCase(cidr: "10.0.0.0/24", offset: 16, slots: 254),
    BandCase(cidr: "10.0.0.0/28", offset: 0, slots: 14),
    BandCase(cidr: "fd00:10:96::/112", offset: 256, slots: 65535),
  ])
  func serviceRangeBands(_ c: BandCase) throws {
    let a = CIDRAllocator(cidr: try #require(CIDR(c.cidr)))
    #expect(a.band.offset == c.offset)
    #expect(a.band.size == c.slots)
  }

  @Test func nodePortBand() {
    let a = NodePortAllocator(first: 30000, last: 32767)
    #expect(a.band.offset == 86)
  }

  @Test func automaticIPsComeFromTheUpperBand() throws {
    let c = try bareCluster()
    for i in 0..<50 {
      let s = try c.createService("s\(i)", spec: webSpec())
      let ip = try #require(s.clusterIPAddresses.first)
      #expect(ip >= IPAddress(v4: 0x0A60_0101))  // 10.96.1.1
      #expect(ip <= IPAddress(v4: 0x0A6F_FFFE))  // 10.111.255.254
    }
    let explicit = try c.createService(
      "fixed",
      spec: ServiceSpec(
        selector: ["a": "b"], ports: [ServicePort(port: 80)], clusterIP: "10.96.0.20"))
    #expect(explicit.spec.clusterIPs == ["10.96.0.20"])
    #expect(c.checkInvariants() == [])
  }

  @Test func smallRangeFillsUpperBandThenLowerThenFails() throws {
    let c = try bareCluster(serviceCIDRs: ["10.0.0.0/27"])  // 30 slots, offset 16
    var ips: [UInt32] = []
    for i in 0..<30 {
      ips.append(
        try #require(c.createService("s\(i)", spec: webSpec()).clusterIPAddresses.first).v4Value)
    }
    let first14 = ips.prefix(14).map { $0 & 0xff }
    #expect(first14.allSatisfy { $0 >= 17 && $0 <= 30 })
    #expect(Set(ips.map { $0 & 0xff }) == Set(1...30))
    #expect(
      errorMessage { try c.createService("full", spec: webSpec()) }
        == "Internal error occurred: failed to allocate a serviceIP: range is full")
    try c.deleteService(key("s3"))
    let again = try c.createService("again", spec: webSpec())
    #expect(again.clusterIPAddresses.first?.v4Value == ips[3])
  }

  struct IPErrorCase: CustomTestStringConvertible, Sendable {
    let ip: String
    let message: String
    var testDescription: String { ip }
  }

  @Test(arguments: [
    IPErrorCase(
      ip: "10.96.0.10",
      message:
        #"Service "web" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.10"]: failed to "#
        + #"allocate IP 10.96.0.10: provided IP is already allocated"#
    ),
    IPErrorCase(
      ip: "10.0.0.5",
      message:
        #"Service "web" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.5"]: failed to "#
        + #"allocate IP 10.0.0.5: the provided network does not match the current range"#
    ),
    IPErrorCase(
      ip: "10.111.255.255",
      message:
        #"Service "web" is invalid: spec.clusterIPs: Invalid value: ["10.111.255.255"]: failed to "#
        + #"allocate IP 10.111.255.255: provided IP 10.111.255.255 is not in the valid range"#
    ),
    IPErrorCase(
      ip: "10.0.0.256",
      message:
        #"Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "10.0.0.256": must be a "#
        + #"valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"#
    ),
  ])
  func explicitClusterIPErrors(_ t: IPErrorCase) throws {
    let c = try Cluster()
    var spec = webSpec()
    spec.clusterIP = t.ip
    #expect(errorMessage { try c.createService("web", spec: spec) } == t.message)
  }

  @Test func failedCreateLeavesNothingAllocated() throws {
    let c = try bareCluster()
    var changes = 0
    c.subscribe { _ in changes += 1 }
    // Valid allocations (IP, node port) followed by a validation failure (port name).
    let bad = ServiceSpec(
      type: .nodePort, selector: ["app": "web"],
      ports: [ServicePort(name: "Bad_Name", port: 80, nodePort: 30080)], clusterIP: "10.96.5.5")
    #expect(errorMessage { try c.createService("web", spec: bad) } != nil)
    #expect(changes == 0)
    #expect(c.checkInvariants() == [])
    #expect(!c.serviceIPs.isAllocated(IPAddress(v4: 0x0A60_0505)))
    #expect(!c.nodePorts.isAllocated(30080))
    // The same IP and port are free for the next call.
    let good = ServiceSpec(
      type: .nodePort, selector: ["app": "web"],
      ports: [ServicePort(name: "http", port: 80, nodePort: 30080)], clusterIP: "10.96.5.5")
    let s = try c.createService("web", spec: good)
    #expect(s.spec.clusterIPs == ["10.96.5.5"])
    #expect(s.spec.ports[0].nodePort == 30080)
    // A second port taking the same node port fails and keeps the first untouched.
    var clash = good
    clash.clusterIP = ""
    #expect(
      errorMessage { try c.createService("web2", spec: clash) }
        == #"Service "web2" is invalid: spec.ports[0].nodePort: Invalid value: "#
        + #"30080: provided port is already allocated"#
    )
    #expect(c.checkInvariants() == [])
  }

  @Test func tcpAndUDPShareOneNodePort() throws {
    let c = try bareCluster()
    let s = try c.createService(
      "dns",
      spec: ServiceSpec(
        type: .nodePort, selector: ["a": "b"],
        ports: [
          ServicePort(name: "dns", protocol: .udp, port: 53),
          ServicePort(name: "dns-tcp", protocol: .tcp, port: 53),
          ServicePort(name: "metrics", protocol: .tcp, port: 9153),
        ]))
    let nps = s.spec.ports.compactMap(\.nodePort)
    #expect(nps.count == 3)
    #expect(nps[0] == nps[1])
    #expect(nps[2] != nps[0])
    #expect(nps.allSatisfy { (30086...32767).contains($0) })
    #expect(c.nodePorts.allocated.count == 2)
  }

  @Test func nodePortOutOfRange() throws {
    let c = try bareCluster()
    let spec = ServiceSpec(
      type: .nodePort, selector: ["a": "b"], ports: [ServicePort(port: 80, nodePort: 80)])
    #expect(
      errorMessage { try c.createService("web", spec: spec) }
        == #"Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port "#
        + #"is not in the valid range. The range of valid ports is 30000-32767"#
    )
  }

  @Test func loadBalancerLocalGetsHealthCheckPortAndIngress() throws {
    let c = try bareCluster()
    let s = try c.createService(
      "lb",
      spec: ServiceSpec(
        type: .loadBalancer, selector: ["a": "b"], ports: [ServicePort(port: 80)],
        externalTrafficPolicy: .local))
    let hc = try #require(s.spec.healthCheckNodePort)
    #expect((30000...32767).contains(hc))
    #expect(s.spec.ports[0].nodePort != hc)
    #expect(s.status.loadBalancerIngress.map(\.description) == ["198.51.100.1"])
    #expect(s.spec.allocateLoadBalancerNodePorts == true)
    let pinned = try c.createService(
      "lb2",
      spec: ServiceSpec(
        type: .loadBalancer, selector: ["a": "b"], ports: [ServicePort(port: 80)],
        loadBalancerIP: "198.51.100.77"))
    #expect(pinned.status.loadBalancerIngress.map(\.description) == ["198.51.100.77"])
    #expect(pinned.spec.healthCheckNodePort == nil)
    #expect(pinned.spec.externalTrafficPolicy == .cluster)
    // Turning the first into a ClusterIP Service frees its node ports and ingress address.
    var spec = s.spec
    spec.type = .clusterIP
    let back = try c.updateService(key("lb"), spec: spec)
    #expect(back.spec.ports[0].nodePort == nil)
    #expect(back.spec.healthCheckNodePort == nil)
    #expect(back.spec.externalTrafficPolicy == nil)
    #expect(back.status.loadBalancerIngress.isEmpty)
    #expect(c.nodePorts.allocated == Set(pinned.spec.ports.compactMap(\.nodePort)))
    #expect(c.checkInvariants() == [])
  }

  @Test func podIPsStartAtOneAndReuseFreedLast() throws {
    let c = try bareCluster(nodes: 1)
    var ips: [String] = []
    for i in 0..<3 { ips.append(try c.addPod("p\(i)").podIP?.description ?? "") }
    #expect(ips == ["10.244.0.1", "10.244.0.2", "10.244.0.3"])
    try c.deletePod(key("p1"), grace: 0)
    #expect(try c.addPod("p3").podIP?.description == "10.244.0.4")
    let hostNet = try c.addPod("h", PodOptions(hostNetwork: true))
    #expect(hostNet.podIPs.map(\.description) == ["172.18.0.2"])
    #expect(
      errorMessage { try c.addPod("dup", PodOptions(ip: "10.244.0.3")) }
        == #"Pod "dup" is invalid: status.podIPs[0].ip: Invalid value: "#
        + #""10.244.0.3": provided IP is already allocated"#
    )
    #expect(c.checkInvariants() == [])
  }

  /// A full node block refuses the pod and takes nothing; a freed address is handed out
  /// again, and an explicit address from another node's block goes back to that block.
  @Test func fullPodBlockRefusesAndFreedAddressesReturn() throws {
    let c = try bareCluster(nodes: 0)
    try c.addNode("small", NodeOptions(podCIDR: "10.250.0.0/30"))
    try c.addNode("other", NodeOptions(podCIDR: "10.251.0.0/24"))
    let on = { (node: String) in PodOptions(node: node) }
    #expect(try c.addPod("a", on("small")).podIP?.description == "10.250.0.1")
    #expect(try c.addPod("b", on("small")).podIP?.description == "10.250.0.2")
    #expect(
      errorMessage { try c.addPod("full", on("small")) }
        == "Internal error occurred: failed to allocate for range 0: no IP addresses available"
        + " in range set: 10.250.0.1-10.250.0.2")
    #expect(c.pod(key("full")) == nil)
    try c.deletePod(key("a"), grace: 0)
    #expect(try c.addPod("c", on("small")).podIP?.description == "10.250.0.1")
    var explicit = on("small")
    explicit.ip = "10.251.0.9"
    try c.addPod("x", explicit)
    #expect(c.podBlocks["other"]?.first?.isUsed(try #require(IPAddress("10.251.0.9"))) == true)
    try c.deletePod(key("x"), grace: 0)
    #expect(c.podBlocks["other"]?.first?.isUsed(try #require(IPAddress("10.251.0.9"))) == false)
    #expect(c.checkInvariants() == [])
  }

  @Test func blockNeverHandsOutNetworkOrBroadcast() throws {
    var b = BlockAllocator(cidr: try #require(CIDR("10.244.7.0/24")))
    var got: [String] = []
    while let ip = b.allocateNext() { got.append(ip.description) }
    #expect(got.count == 254)
    #expect(got.first == "10.244.7.1")
    #expect(got.last == "10.244.7.254")
  }
}
