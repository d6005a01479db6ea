import Foundation
import KubeProxy
import LuaKit
import NetAddr
import Testing

@testable import Lab

/// One cluster built through the Lua API whose rendered rules are pinned byte for byte.
struct RenderGoldenCase: CustomTestStringConvertible, Sendable {
  let id: String
  /// Lua that builds the cluster (after the lab's default `reset{}`).
  let chunk: String
  var testDescription: String { id }
}

/// Every renderer's text for a few clusters, compared byte for byte with the golden files in
/// `Fixtures/render/`: what `iptablesSave`, `nftRuleset` and `ipvsadm` return on every node
/// under several kube-proxy settings, the IPv6 instances' rules (which the Lua API does not
/// show), and `proxyWork`'s figures for one change. The files were recorded from the string
/// renderers the byte writer replaced; `RECORD_SNAPSHOTS=1` records them again.
@Suite struct RenderGoldenTests {
  /// The kube-proxy settings each node is rendered under, as `setProxyMode` arguments.
  static let settings = [
    "'iptables'",
    "'iptables', {masqueradeAll=true, randomFully=true, localhostNodePorts=false}",
    "'iptables', {detectLocal='NodeCIDR', nodePortAddresses={'172.18.0.0/16', '127.0.0.0/8'}}",
    "'nftables'",
    "'nftables', {masqueradeAll=true, nodePortAddresses={'172.18.0.0/16'}}",
    "'nftables', {detectLocal='NodeCIDR', nodePortAddresses={'0.0.0.0/0', '::/0'}}",
    "'ipvs'",
    "'ipvs', {scheduler='mh', detectLocal='NodeCIDR', masqueradeAll=true}",
  ]

  /// Writes every node's rules under every setting, then `proxyWork` for one readiness change.
  static let dump = """
    local out = {}
    local function add(title, text) out[#out + 1] = "=== " .. title .. "\\n" .. text end
    local names = {}
    for _, n in ipairs(nodes()) do names[#names + 1] = n.name end
    table.sort(names)
    for _, s in ipairs(SETTINGS) do
      setProxyMode(table.unpack(s))
      for _, n in ipairs(names) do
        add(n .. " iptablesSave " .. s.title, iptablesSave(n))
        add(n .. " nftRuleset " .. s.title, nftRuleset(n))
        add(n .. " ipvsadm " .. s.title, ipvsadm(n))
      end
    end
    setProxyMode("iptables")
    if FLIP then
      local ready = getPod(FLIP).ready
      local w = proxyWork(names[1], function() setPodReady(FLIP, not ready) end)
      local lines = {}
      for _, mode in ipairs({ "iptables", "ipvs", "nftables" }) do
        local keys = {}
        for k in pairs(w[mode]) do keys[#keys + 1] = k end
        table.sort(keys)
        for _, k in ipairs(keys) do lines[#lines + 1] = mode .. "." .. k .. " = " .. w[mode][k] end
      end
      add("proxyWork " .. names[1], table.concat(lines, "\\n") .. "\\n")
    end
    return table.concat(out)
    """

  static let cases = [
    RenderGoldenCase(
      id: "ipv4-service-types",
      chunk: """
        reset{}
        createDeployment("web", {replicas=4, labels={app="web"},
          ports={{name="http", containerPort=8080},
            {name="dns", containerPort=53, protocol="UDP"}}})
        createService("web", {selector={app="web"},
          ports={{name="http", port=80, targetPort="http"}}})
        createService("sticky", {selector={app="web"}, sessionAffinity="ClientIP",
          sessionAffinityTimeout=600, ports={{port=8080}}})
        createService("np", {type="NodePort", externalTrafficPolicy="Local", selector={app="web"},
          ports={{name="http", port=80, targetPort=8080},
                 {name="dns", port=53, targetPort=53, protocol="UDP"}}})
        createService("lb", {type="LoadBalancer", selector={app="web"},
          loadBalancerSourceRanges={"203.0.113.0/24", "172.18.0.0/16"},
          ports={{port=443, targetPort=8080}}})
        createService("lb-local", {type="LoadBalancer", externalTrafficPolicy="Local",
          selector={app="web"}, loadBalancerSourceRanges={"198.51.100.0/25"},
          sessionAffinity="ClientIP", ports={{port=8443, targetPort=8080}}})
        createService("lb-proxy", {type="LoadBalancer", selector={app="web"},
          loadBalancerIPMode="Proxy", ports={{port=9443, targetPort=8080}}})
        createService("itp", {internalTrafficPolicy="Local", selector={app="web"},
          ports={{port=81, targetPort=8080}}})
        createService("ext", {selector={app="web"}, externalIPs={"192.0.2.10", "192.0.2.11"},
          ports={{port=82, targetPort=8080}}})
        createService("empty", {type="NodePort", selector={app="none"},
          externalIPs={"192.0.2.20"}, ports={{port=83}}})
        createService("empty-lb", {type="LoadBalancer", externalTrafficPolicy="Local",
          selector={app="none"}, ports={{port=84}}})
        createService("sctp", {selector={app="web"}, ports={{port=3868, protocol="SCTP"}}})
        createService("headless", {clusterIP="None", selector={app="web"}, ports={{port=80}}})
        createService("alias", {type="ExternalName", externalName="example.com"})
        createDeployment("term", {replicas=3, labels={app="term"}, ports={{containerPort=80}}})
        createService("term", {type="NodePort", externalTrafficPolicy="Local",
          selector={app="term"}, ports={{port=85, targetPort=80}}})
        local t = pods{selector={app="term"}}
        deletePod(t[1].name, {grace=60})
        setPodReady(t[2].name, false)
        createService("zoned", {trafficDistribution="PreferSameZone", selector={app="web"},
          ports={{port=86, targetPort=8080}}})
        createService("manual", {ports={{name="pg", port=5432}}})
        createEndpointSlice("manual-1", {service="manual", addressType="IPv4",
          endpoints={{addresses={"192.0.2.30"}, nodeName="node-1", zone="zone-a",
                      hints={forZones={"zone-a"}}},
                     {addresses={"192.0.2.31"}, conditions={ready=false, serving=true,
                      terminating=true}},
                     {addresses={"192.0.2.32"}, nodeName="node-2",
                      conditions={ready=false}}},
          ports={{name="pg", port=5432}}})
        FLIP = pods{selector={app="web"}}[1].name
        """),
    RenderGoldenCase(
      id: "dual-stack",
      chunk: """
        reset{serviceCIDR={"10.96.0.0/16", "fd00:10:96::/112"}}
        createDeployment("web", {replicas=3, labels={app="web"}, ports={{containerPort=8080}}})
        createService("ds", {ipFamilyPolicy="RequireDualStack", type="LoadBalancer",
          selector={app="web"}, loadBalancerSourceRanges={"203.0.113.0/24", "2001:db8::/64"},
          ports={{name="http", port=80, targetPort=8080}}})
        createService("v6", {ipFamilies={"IPv6"}, ipFamilyPolicy="SingleStack",
          type="NodePort", externalTrafficPolicy="Local", sessionAffinity="ClientIP",
          externalIPs={"2001:db8::10"}, ports={{name="http", port=80}}})
        createEndpointSlice("v6-1", {service="v6", addressType="IPv6",
          endpoints={{addresses={"fd00:10:244::5"}, nodeName="node-1"},
                     {addresses={"fd00:10:244:1::7"}, nodeName="node-2"}},
          ports={{name="http", port=8080}}})
        createService("v6-empty", {ipFamilies={"IPv6"}, ipFamilyPolicy="SingleStack",
          type="NodePort", ports={{port=81}}})
        createService("v6-itp", {ipFamilies={"IPv6", "IPv4"}, ipFamilyPolicy="PreferDualStack",
          internalTrafficPolicy="Local", ports={{name="http", port=82}}})
        createEndpointSlice("v6-itp-1", {service="v6-itp", addressType="IPv6",
          endpoints={{addresses={"fd00:10:244::9"}, nodeName="node-1"}},
          ports={{name="http", port=8080}}})
        FLIP = pods{selector={app="web"}}[1].name
        """),
    RenderGoldenCase(
      id: "ipv6-only",
      chunk: """
        reset{serviceCIDR="fd00:10:96::/112"}
        createService("web", {type="LoadBalancer", ports={{name="http", port=80}},
          loadBalancerSourceRanges={"2001:db8:1::/48"}})
        createEndpointSlice("web-1", {service="web", addressType="IPv6",
          endpoints={{addresses={"fd00:10:244::5"}, nodeName="node-1"},
                     {addresses={"fd00:10:244::6"}, nodeName="node-3"}},
          ports={{name="http", port=8080}}})
        """),
    RenderGoldenCase(
      id: "kube-proxy-overall-fixture",
      chunk: OverallIPTablesTests.fixture.replacingOccurrences(
        of: "return iptablesSave(\"test-node\")", with: "")),
  ]

  /// What the Lua API does not show: the IPv6 instance's rules on every node in iptables,
  /// nftables and IPVS mode (dual-stack nodes run one kube-proxy per family), and a partial
  /// iptables restore in large-cluster mode that deletes stale chains.
  static func swiftOnlyRules(_ lab: LabSession) throws -> String {
    let p = TrafficAPI.proxy(lab).synced()
    var options = IPTablesRenderOptions()
    options.family = .v6
    var partial = IPTablesRenderOptions()
    partial.changedServices = ["default/web", "ns2/svc2"]
    partial.existingNATChains = [
      "KUBE-SVC-AAAAAAAAAAAAAAAA", "KUBE-SEP-BBBBBBBBBBBBBBBB", "KUBE-FW-CCCCCCCCCCCCCCCC",
      "OTHER",
    ]
    partial.largeClusterEndpointsThreshold = 3
    partial.nfacctCounters = false
    partial.conntrackTCPLiberal = true
    partial.masqueradeMark = "0x8000"
    var out = ""
    for name in p.nodes.keys.sorted() {
      let node = try #require(p.nodes[name])
      let config = p.config(for: name)
      let decisions = p.decisions(node: name)
      out += "=== \(name) partial iptables restore, large-cluster mode\n"
      out += renderIPTablesRestore(
        node: node, config: config, decisions: decisions, options: partial)
      out += "=== \(name) IPv6 iptables\n"
      out += renderIPTablesRestore(
        node: node, config: config, decisions: decisions, options: options)
      out += "=== \(name) IPv6 nftables\n"
      out += renderNFTablesRuleset(node: node, config: config, decisions: decisions, family: .v6)
      out += "=== \(name) IPv6 ipvs iptables\n"
      out += renderIPVSIPTablesRestore(
        node: node, config: config, decisions: decisions, family: .v6)
      out += "=== \(name) ipvsadm (both families)\n"
      out += renderIPVSAdm(ipvsVirtualServers(node: node, config: config, decisions: decisions))
    }
    return out
  }

  /// The whole text pinned for `c`.
  static func rendered(_ c: RenderGoldenCase) throws -> String {
    let lab = try LabSession()
    let state = try LuaState()
    try ClusterAPI.register(lab, in: state)
    try ObjectsAPI.register(lab, in: state)
    try TrafficAPI.register(lab, in: state)
    lab.warningSink = { _ in }
    let settings = settings.map {
      "{\($0), title=\"\($0.replacingOccurrences(of: "'", with: ""))\"}"
    }
    _ = try state.run(chunk: "SETTINGS = {\(settings.joined(separator: ", "))}", name: "=settings")
    _ = try state.run(chunk: c.chunk, name: "=\(c.id)")
    guard case .string(let text)? = try state.run(chunk: dump, name: "=dump").first else {
      Issue.record("the dump returned no text")
      return ""
    }
    return text + (try swiftOnlyRules(lab))
  }

  @Test(arguments: cases)
  func renderedRulesMatchGoldenFile(_ c: RenderGoldenCase) throws {
    let actual = try Self.rendered(c)
    let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures/render/\(c.id).txt")
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil {
      try actual.write(to: source, atomically: true, encoding: .utf8)
      Issue.record("Recorded new baseline \(source.path)")
      return
    }
    let url = try #require(
      Bundle.module.url(forResource: "Fixtures/render/\(c.id)", withExtension: "txt"))
    let expected = try String(contentsOf: url, encoding: .utf8)
    guard actual != expected else { return }
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let first =
      zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset
      ?? min(a.count, e.count)
    Issue.record(
      """
      \(c.id): line \(first + 1) differs (\(a.count) lines, expected \(e.count))
        expected: \(first < e.count ? e[first] : "<end>")
          actual: \(first < a.count ? a[first] : "<end>")
      """)
  }
}
