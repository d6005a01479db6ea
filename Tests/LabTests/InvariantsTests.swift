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
    proxy.updateEndpointSlice(previous: nil, current: ProxyEndpointSlice(
      namespace: "default", name: "kubernetes-stale", serviceName: "kubernetes",
      addressType: .v4, endpoints: [.init(addresses: [IPAddress("192.0.2.99")!])],
      ports: [.init(name: "https", port: 6443, proto: .tcp)]))

    let found = InvariantsAPI.violations(lab)
    #expect(found.contains {
      $0.hasPrefix("DNS A kubernetes.default.svc.cluster.local. answers [] (NXDOMAIN)")
    })
    // Two CoreDNS pods × three ports of kube-dns.
    #expect(found.filter { $0.contains("of kube-system/kube-dns:") && $0.contains("used by no node") }.count == 6)
    #expect(found.contains(
      "kube-proxy holds endpoint 192.0.2.99:6443 for default/kubernetes:https, which no EndpointSlice has"))
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
