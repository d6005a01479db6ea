import NetAddr
import Testing

@testable import Cluster

@Suite struct BootstrapTests {
  @Test func defaultClusterHasKubeadmObjects() throws {
    let c = try Cluster()
    #expect(
      c.namespaces().map(\.name) == ["default", "kube-node-lease", "kube-public", "kube-system"])
    #expect(c.nodes().map(\.name) == ["node-1", "node-2", "node-3"])
    #expect(c.nodes().map(\.internalIP.description) == ["172.18.0.2", "172.18.0.3", "172.18.0.4"])
    #expect(
      c.nodes().map { $0.podCIDR?.description } == [
        "10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24",
      ])
    #expect(c.nodes().map { $0.zone } == ["zone-a", "zone-b", "zone-c"])
    #expect(
      c.nodes().allSatisfy {
        $0.region == "region-1" && $0.metadata.labels["kubernetes.io/hostname"] == $0.name
      })

    let k = try #require(c.service(key("kubernetes")))
    #expect(k.spec.clusterIPs == ["10.96.0.1"])
    #expect(
      k.spec.ports == [
        ServicePort(name: "https", protocol: .tcp, port: 443, targetPort: .int(6443))
      ])
    let ks = try #require(c.endpointSlice(key("kubernetes")))
    #expect(ks.metadata.labels == ["kubernetes.io/service-name": "kubernetes"])
    #expect(ks.endpoints.map(\.addresses) == [["172.18.0.2"]])
    #expect(ks.ports == [EndpointPort(name: "https", port: 6443, protocol: .tcp)])

    let dns = try #require(c.service(key("kube-dns", "kube-system")))
    #expect(dns.spec.clusterIP == "10.96.0.10")
    #expect(dns.spec.ports.map(\.name) == ["dns", "dns-tcp", "metrics"])
    let eps = c.endpoints(of: key("kube-dns", "kube-system"))
    #expect(eps.count == 6)
    #expect(Set(eps.compactMap(\.pod)).count == 2)
    #expect(eps.allSatisfy { $0.ready && $0.serving && !$0.terminating })
    let pods = c.pods(namespace: "kube-system")
    #expect(pods.count == 2)
    #expect(
      pods.allSatisfy { $0.name.hasPrefix("coredns-") && $0.dnsPolicy == .default && $0.ready })
    #expect(Set(pods.map(\.nodeName)) == ["node-1", "node-2"])
    #expect(c.checkInvariants() == [])
  }

  @Test func systemFalseIsEmpty() throws {
    let c = try Cluster(config: ClusterConfig(system: false))
    #expect(c.namespaces().map(\.name) == ["default"])
    #expect(c.nodes().isEmpty)
    #expect(c.services().isEmpty)
  }

  struct BadConfig: CustomTestStringConvertible, Sendable {
    let config: ClusterConfig
    let message: String
    var testDescription: String { message }
  }

  @Test(arguments: [
    BadConfig(
      config: ClusterConfig(serviceCIDRs: ["10.96.0.0/11"]),
      message:
        "specified service CIDR 10.96.0.0/11 is too large; "
        + "for 32-bit addresses, the mask must be >= 12"
    ),
    BadConfig(
      config: ClusterConfig(serviceCIDRs: ["10.96.0.0/33"]),
      message: "service CIDR 10.96.0.0/33 is not a valid CIDR"),
    BadConfig(
      config: ClusterConfig(serviceCIDRs: ["fd00::/48"]),
      message:
        "specified service CIDR fd00::/48 is too large; for "
        + "128-bit addresses, the mask must be >= 64"
    ),
    BadConfig(
      config: ClusterConfig(podCIDR: "banana"), message: "pod CIDR banana is not a valid CIDR"),
    BadConfig(
      config: ClusterConfig(nodePortRange: "32767-30000"),
      message: "invalid port range 32767-30000: expected first-last within 1-65535"),
  ])
  func invalidConfigThrows(_ c: BadConfig) {
    #expect(errorMessage { _ = try Cluster(config: c.config) } == c.message)
  }

  @Test func namedNodesAndDualStackCIDRs() throws {
    let c = try Cluster(
      config: ClusterConfig(
        serviceCIDRs: ["10.96.0.0/16", "fd00:10:96::/112"],
        podCIDR: "10.244.0.0/16,fd00:10:244::/56",
        nodeNames: ["a", "b"]))
    #expect(c.nodes().map(\.name) == ["a", "b"])
    let pod = try c.addPod("p", PodOptions(node: "b"))
    // The coredns pod on node b took .1 of each block.
    #expect(pod.podIPs.map(\.description) == ["10.244.1.2", "fd00:10:244:1::2"])
    let svc = try c.createService(
      "d",
      spec: ServiceSpec(
        selector: ["x": "y"], ports: [ServicePort(port: 80)], ipFamilyPolicy: .preferDualStack))
    #expect(svc.spec.ipFamilies == [.v4, .v6])
    #expect(svc.clusterIPAddresses.map(\.family) == [.v4, .v6])
    #expect(c.checkInvariants() == [])
  }
}
