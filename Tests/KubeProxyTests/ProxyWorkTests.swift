import Testing

@testable import KubeProxy

/// The iptables part of a sync written out in full from two rendered restore inputs, as the
/// text it is: every chain of the after-state except the per-service chains whose rules did
/// not change, and a `-X` for each chain gone.
private func iptablesInput(from before: String, to after: String) -> (rules: Int, bytes: Int) {
  func chains(_ text: String) -> (order: [String], rules: [String: [String]]) {
    var (table, order, rules) = ("", [String](), [String: [String]]())
    for line in text.split(separator: "\n") {
      if line.hasPrefix("*") { table = String(line.dropFirst()) }
      if line.hasPrefix(":") {
        let key = table + "/" + line.dropFirst().prefix { $0 != " " }
        if rules[key] == nil { order.append(key) }
        rules[key, default: []] += []
      }
      if line.hasPrefix("-A ") {
        rules[table + "/" + line.dropFirst(3).prefix { $0 != " " }, default: []].append(
          String(line))
      }
    }
    return (order, rules)
  }
  let (old, new) = (chains(before), chains(after))
  var (input, count) = ("", 0)
  for table in ["filter", "nat"] {
    var (declarations, rules) = ("", "")
    for key in new.order where key.hasPrefix(table + "/") {
      let name = key.dropFirst(table.count + 1)
      let lines = new.rules[key] ?? []
      let perService = ProxyWork.serviceChainPrefixes.contains { name.hasPrefix($0) }
      if perService && old.rules[key] == lines { continue }
      declarations += ":\(name) - [0:0]\n"
      rules += lines.map { $0 + "\n" }.joined()
      count += lines.count
    }
    for key in old.order where key.hasPrefix(table + "/") && new.rules[key] == nil {
      let name = key.dropFirst(table.count + 1)
      declarations += ":\(name) - [0:0]\n"
      rules += "-X \(name)\n"
    }
    input += "*\(table)\n" + declarations + rules + "COMMIT\n"
  }
  return (count, input.utf8.count)
}

/// The overall fixture with some of its Services' endpoints changed or gone.
private func changed(_ label: String) -> [ServicePortDecision] {
  let node = Fixture.testNodeName
  return Fixture.overallDecisions.compactMap { decision in
    let port = decision.servicePort
    switch (label, port.name.name) {
    case ("endpoint added", "svc1"):
      return Fixture.decide(
        port, decision.allEndpoints + [ProxyEndpoint(ip: Fixture.ip("10.180.0.9"), port: 80)],
        node: node)
    case ("endpoints gone", "svc4"): return Fixture.decide(port, [], node: node)
    case ("Service deleted", "svc3"): return nil
    default: return decision
    }
  }
}

@Suite struct ProxyWorkTests {
  /// What a sync hands iptables-restore, counted from the snapshots' chain digests, is what
  /// the written-out restore input holds, for a first sync and for each change.
  @Test(arguments: ["first sync", "nothing", "endpoint added", "endpoints gone", "Service deleted"])
  func iptablesWorkMatchesTheWrittenInput(_ label: String) {
    let (node, config) = (Fixture.node, Fixture.config)
    let names = ChainNameCache()
    let before = label == "first sync" ? [] : Fixture.overallDecisions
    let after = label == "first sync" ? Fixture.overallDecisions : changed(label)
    let work = ProxyWork(
      from: label == "first sync"
        ? ProxyRuleSnapshot()
        : ProxyRuleSnapshot(node: node, config: config, decisions: before, names: names),
      to: ProxyRuleSnapshot(node: node, config: config, decisions: after, names: names))
    let expected = iptablesInput(
      from: label == "first sync"
        ? "" : renderIPTablesRestore(node: node, config: config, decisions: before),
      to: renderIPTablesRestore(node: node, config: config, decisions: after))
    #expect(work.iptables.rules == expected.rules)
    #expect(work.iptables.bytes == expected.bytes)
  }
}
