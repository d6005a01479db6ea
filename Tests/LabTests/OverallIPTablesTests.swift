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
  /// The fixture in Lua, shared with the traceRules tests (`Tests/support/trace_rules.lua`,
  /// `overall`). Two adjustments keep it inside what the API server accepts: svc4 (a NodePort
  /// Service whose test object has no node port, so no NodePort rules) is an ExternalIP
  /// ClusterIP Service, which gives the same rules, and svc5 (Cluster policy) has no
  /// healthCheckNodePort, which kube-proxy ignores for that policy anyway.
  static let fixture: String = {
    let support = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("support/trace_rules.lua")
    return """
      local overall = dofile(\(JSONText.quote(support.path))).overall
      overall("iptables", {randomFully=false, localhostNodePorts=true})
      return iptablesSave("test-node")
      """
  }()

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
