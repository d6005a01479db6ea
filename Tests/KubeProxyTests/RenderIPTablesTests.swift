import NetAddr
import Testing

@testable import KubeProxy

@Suite struct RenderIPTablesTests {
  /// kube-proxy's `TestOverallIPTablesRules`, compared after kube-proxy's own sort.
  @Test func overallRulesMatchKubeProxy() throws {
    let rendered = renderIPTablesRestore(
      node: Fixture.node, config: Fixture.config, decisions: Fixture.overallDecisions)
    let sorted = try sortIPTablesRules(rendered)
    let expected = try Fixture.snapshot("overall-iptables.txt")
    let got = sorted.split(separator: "\n", omittingEmptySubsequences: false)
    let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
    for (index, (g, w)) in zip(got, want).enumerated() {
      #expect(g == w, "line \(index + 1)")
    }
    #expect(got.count == want.count)
  }
}
