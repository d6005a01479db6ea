import NetAddr
import Testing

@testable import KubeProxy

/// One render in a sequence sharing a `ChainNameCache`: the decisions it renders.
struct CacheStep: Sendable {
  var label: String
  var decisions: @Sendable () -> [ServicePortDecision]
}

/// The overall fixture with `svc4`'s endpoints replaced by `addresses`.
private func overall(svc4 addresses: [String]) -> [ServicePortDecision] {
  Fixture.overallDecisions.map { decision in
    guard decision.servicePort.name.name == "svc4" else { return decision }
    let endpoints = addresses.map { ProxyEndpoint(ip: Fixture.ip($0), port: 80) }
    return Fixture.decide(decision.servicePort, endpoints, node: Fixture.testNodeName)
  }
}

/// `count` ClusterIP Services of three endpoints each.
private func many(_ count: Int) -> [ServicePortDecision] {
  (0..<count).map { i in
    let port = ProxyServicePort(
      name: Fixture.spn("bulk", "svc\(i)", "p80"), type: .clusterIP, family: .v4,
      clusterIP: IPAddress(v4: 0xAC1E_0000 + UInt32(i)), port: 80)
    let endpoints = (0..<3).map {
      ProxyEndpoint(ip: IPAddress(v4: 0x0AB4_0000 + UInt32(i * 4 + $0)), port: 8080)
    }
    return Fixture.decide(port, endpoints, node: Fixture.testNodeName)
  }
}

@Suite struct ChainNameCacheTests {
  /// Renders that change which ports and endpoints exist, in order: a kept name is only ever
  /// the one a fresh computation gives.
  static let steps: [CacheStep] = [
    CacheStep(label: "the overall fixture") { Fixture.overallDecisions },
    CacheStep(label: "the same again (every name kept)") { Fixture.overallDecisions },
    CacheStep(label: "an endpoint replaced") { overall(svc4: ["10.180.0.4", "10.180.0.9"]) },
    CacheStep(label: "Services deleted") { Array(Fixture.overallDecisions.suffix(2)) },
    CacheStep(label: "Services back") { Fixture.overallDecisions },
    CacheStep(label: "1,500 more Services") { Fixture.overallDecisions + many(1500) },
    CacheStep(label: "the 1,500 deleted") { Fixture.overallDecisions },
  ]

  /// Every step rendered with the cache carried over equals the step rendered without one,
  /// in both modes.
  @Test func cachedRendersEqualUncached() {
    let names = ChainNameCache()
    for step in Self.steps {
      let decisions = step.decisions()
      let (node, config) = (Fixture.node, Fixture.config)
      let iptables = renderIPTablesRestore(
        node: node, config: config, decisions: decisions, names: names)
      #expect(
        iptables == renderIPTablesRestore(node: node, config: config, decisions: decisions),
        "\(step.label)")
      let nft = renderNFTablesRuleset(
        node: node, config: config, decisions: decisions, names: names)
      #expect(
        nft == renderNFTablesRuleset(node: node, config: config, decisions: decisions),
        "\(step.label)")
    }
  }

  /// What the cache forgets: ports a render no longer wrote once they outnumber the ones it
  /// did (and 1,024 more), and a port's endpoints once they outnumber twice its current ones.
  @Test func forgetsDeletedPortsAndEndpoints() {
    let names = ChainNameCache()
    let (node, config) = (Fixture.node, Fixture.config)
    func render(_ decisions: [ServicePortDecision]) {
      _ = renderIPTablesRestore(node: node, config: config, decisions: decisions, names: names)
    }
    render(Fixture.overallDecisions + many(1500))
    #expect(names.counts.iptables.ports == 1506)
    render(Fixture.overallDecisions)
    #expect(names.counts.iptables.ports == 6)
    // svc4 gets a new endpoint address per render: the old ones are forgotten in bulk.
    var peak = 0
    for round in 0..<40 {
      render(overall(svc4: ["10.181.0.\(round)"]))
      peak = max(peak, names.counts.iptables.endpoints)
    }
    // Four single-endpoint ports, svc6 without any, and svc4 with at most 2 × 1 + 16 kept
    // (without forgetting it would reach 42).
    #expect(peak == 4 + 2 * 1 + 16)
  }

  /// The engine's own renders keep names: a second render adds none.
  @Test func engineRendersReuseNames() {
    let names = ChainNameCache()
    let (node, config) = (Fixture.node, Fixture.config)
    let decisions = Fixture.overallDecisions + many(50)
    _ = renderNFTablesRuleset(node: node, config: config, decisions: decisions, names: names)
    let first = names.counts.nftables
    #expect(first.ports == 56 && first.endpoints == 6 + 150)
    _ = renderNFTablesRuleset(node: node, config: config, decisions: decisions, names: names)
    #expect(names.counts.nftables == first)
  }
}
