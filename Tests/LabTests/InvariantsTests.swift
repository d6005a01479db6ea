import Cluster
import CoreDNS
import KubeProxy
import LuaKit
import NetAddr
import Testing

@testable import Lab

/// `checkInvariants()` over a lab whose engines were made to disagree with the cluster: every
/// violation is listed, in one error.
@Suite struct InvariantsTests {
  /// A lab with the DNS and traffic primitives and `checkInvariants` installed.
  static func lab() throws -> (LabSession, LuaState) {
    let lab = try LabSession()
    let state = try LuaState()
    try DNSAPI.register(lab, in: state)
    try TrafficAPI.register(lab, in: state)
    try InvariantsAPI.register(lab, in: state)
    return (lab, state)
  }

  @Test func defaultClusterHasNoViolations() throws {
    let (lab, state) = try Self.lab()
    #expect(InvariantsAPI.violations(lab) == [])
    #expect(try state.run(chunk: "return checkInvariants()", name: "t") == [.boolean(true)])
  }

  @Test func everyDisagreementIsListed() throws {
    let (lab, state) = try Self.lab()
    let cluster = lab.cluster
    let kubernetes = try #require(cluster.services().first { $0.name == "kubernetes" })
    let dnsSlice = try #require(cluster.endpointSlices(namespace: "kube-system").first)
    // CoreDNS forgets the kubernetes Service; kube-proxy forgets kube-dns's endpoints and
    // keeps an endpoint no slice has.
    let dns = try #require(lab.follower(DNSFollower.self))
    dns.server.apply(.service(old: DNSFollower.service(kubernetes), new: nil), at: 0)
    let proxy = try #require(lab.follower(ProxyFollower.self)).proxy
    proxy.updateEndpointSlice(previous: ProxyFollower.slice(dnsSlice), current: nil)
    proxy.updateEndpointSlice(
      previous: nil,
      current: ProxyEndpointSlice(
        namespace: "default", name: "kubernetes-stale", serviceName: "kubernetes",
        addressType: .v4, endpoints: [.init(addresses: [IPAddress("192.0.2.99")!])],
        ports: [.init(name: "https", port: 6443, proto: .tcp)]))

    let found = InvariantsAPI.violations(lab)
    #expect(
      found.contains {
        $0.hasPrefix("DNS A kubernetes.default.svc.cluster.local. answers [] (NXDOMAIN)")
      })
    // Two CoreDNS pods × three ports of kube-dns.
    #expect(
      found.filter { $0.contains("of kube-system/kube-dns:") && $0.contains("used by no node") }
        .count == 6)
    #expect(
      found.contains(
        "kube-proxy holds endpoint 192.0.2.99:6443 for "
          + "default/kubernetes:https, which no EndpointSlice has"
      ))
    #expect(found.count == 8)

    let result = try state.run(chunk: "return pcall(checkInvariants)", name: "t")
    #expect(result.first == .boolean(false))
    guard case .string(let message) = result.last else {
      Issue.record("no error message")
      return
    }
    #expect(message.hasPrefix("checkInvariants: 8 invariant violations:\n  - DNS A kubernetes."))
    #expect(message.split(separator: "\n").count == 9)
  }
}

/// Tab completion offers Service names in the form each DNS primitive resolves them.
@Test func completionOffersNamesAsTheyResolve() throws {
  let (lab, _) = try InvariantsTests.lab()
  _ = try lab.cluster.createService(
    "web", spec: ServiceSpec(ports: [ServicePort(port: 80)]))
  _ = try lab.cluster.createNamespace("other")
  _ = try lab.cluster.createService(
    "db", namespace: "other", spec: ServiceSpec(ports: [ServicePort(port: 5432)]))
  let resolve = CompletionAPI.candidates("resolve", lab)
  #expect(resolve.contains("web"))
  #expect(resolve.contains("db.other"))
  #expect(!resolve.contains("db"))
  #expect(resolve.contains("web.default.svc.cluster.local."))
  #expect(
    !resolve.contains("web.default.svc.cluster.local"),
    "no FQDN without its dot: it walks the search path first")
  let dig = CompletionAPI.candidates("dig", lab)
  #expect(dig.contains("web.default.svc.cluster.local"))
  #expect(!dig.contains("web"), "dig sends names as given: a short name is not found")
}

/// `resolve` without `from` uses the resolv.conf the kubelet writes for a ClusterFirst pod.
@Test func aClusterFirstPodsConfigIsTheKubeletsFile() throws {
  let (lab, _) = try InvariantsTests.lab()
  for ns in ["default", "kube-system"] {
    lab.currentNamespace = ns
    let direct = DNSQueries.resolverConfig(nil, lab)
    let file = DNSQueries.clusterFirstConfig(lab)
    #expect(direct.nameservers == file.nameservers)
    #expect(direct.search == file.search)
    #expect(direct.ndots == file.ndots)
    #expect(direct.ndots == 5)
  }
}
