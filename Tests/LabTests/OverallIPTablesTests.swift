import Foundation
import KubeProxy
import LuaKit
import Testing

@testable import Lab

/// kube-proxy's own overall-rules fixture (six Services on node `test-node`), rebuilt through
/// svclab's Lua API: the API server allocates and validates, the EndpointSlices are written by
/// hand as in the fixture, and `iptablesSave` must give exactly kube-proxy's expected dump once
/// both are sorted the way kube-proxy's tests sort them.
@Suite struct OverallIPTablesTests {
  /// The fixture in Lua. Two adjustments keep it inside what the API server accepts: svc4 (a
  /// NodePort Service whose test object has no node port, so no NodePort rules) is an
  /// ExternalIP ClusterIP Service, which gives the same rules, and svc5 (Cluster policy) has no
  /// healthCheckNodePort, which kube-proxy ignores for that policy anyway.
  static let fixture = """
    reset{system=false, nodes=0, serviceCIDR="172.30.0.0/16", podCIDR="10.0.0.0/8",
          nodePortRange="3000-30000"}
    addNode("test-node", {ip="192.168.0.2"})
    setProxyMode("iptables", {randomFully=false, localhostNodePorts=true})
    for i = 1, 6 do createNamespace("ns" .. i) end
    local function slice(ns, svc, endpoints)
      createEndpointSlice(svc .. "-1", {namespace=ns, service=svc, addressType="IPv4",
        endpoints=endpoints, ports={{name="p80", port=80, protocol="TCP"}}})
    end
    createService("ns1/svc1", {clusterIP="172.30.0.41", ports={{name="p80", port=80}}})
    createService("ns2/svc2", {type="LoadBalancer", externalTrafficPolicy="Local",
      clusterIP="172.30.0.42", ports={{name="p80", port=80, nodePort=3001}},
      loadBalancerIP="1.2.3.4", externalIPs={"192.168.99.22"}, healthCheckNodePort=30000})
    createService("ns3/svc3", {type="NodePort", clusterIP="172.30.0.43",
      ports={{name="p80", port=80, nodePort=3003}}})
    createService("ns4/svc4", {clusterIP="172.30.0.44", externalIPs={"192.168.99.33"},
      ports={{name="p80", port=80, targetPort=80}}})
    createService("ns5/svc5", {type="LoadBalancer", externalTrafficPolicy="Cluster",
      clusterIP="172.30.0.45", ports={{name="p80", port=80, nodePort=3002}},
      loadBalancerIP="5.6.7.8", loadBalancerSourceRanges={"203.0.113.0/25"},
      sessionAffinity="ClientIP", sessionAffinityTimeout=10800})
    createService("ns6/svc6", {clusterIP="172.30.0.46", ports={{name="p80", port=80, \
    targetPort=80}}})
    slice("ns1", "svc1", {{addresses={"10.180.0.1"}}})
    slice("ns2", "svc2", {{addresses={"10.180.0.2"}}})
    slice("ns3", "svc3", {{addresses={"10.180.0.3"}}})
    slice("ns4", "svc4", {{addresses={"10.180.0.4"}}, {addresses={"10.180.0.5"}, \
    nodeName="test-node"}})
    slice("ns5", "svc5", {{addresses={"10.180.0.3"}}})
    return iptablesSave("test-node")
    """

  @Test func rebuiltFixtureMatchesKubeProxysExpectedRules() throws {
    let state = try LuaState()
    try Lab.install(in: state)
    let result = try state.run(chunk: Self.fixture, name: "=overall")
    guard case .string(let dump)? = result.first else {
      Issue.record("iptablesSave returned \(result)")
      return
    }
    let url = try #require(
      Bundle.module.url(forResource: "Fixtures/overall-iptables", withExtension: "txt"))
    let expected = try String(contentsOf: url, encoding: .utf8)
    let actualLines = try sortIPTablesRules(dump).split(separator: "\n")
    let expectedLines = try sortIPTablesRules(expected).split(separator: "\n")
    #expect(actualLines.count == expectedLines.count)
    for (a, e) in zip(actualLines, expectedLines) where a != e {
      Issue.record("expected: \(e)\n  actual: \(a)")
    }
  }
}
