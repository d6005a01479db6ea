import Cluster
import LuaKit
import Testing

@testable import Lab

/// Kubernetes 1.32–1.35 behaviour the lab shows: the IPVS deprecation kube-proxy logs, the API
/// server's Service warnings as kubectl prints them, and load balancers with `ipMode: Proxy`.
@Suite struct Kubernetes135Tests {
  final class Lines { var all: [String] = [] }

  /// A default lab with the object, traffic and manifest primitives; warnings are collected.
  static func lab() throws -> (LabSession, LuaState, Lines) {
    let lab = try LabSession()
    let state = try LuaState()
    try ClusterAPI.register(lab, in: state)
    try ObjectsAPI.register(lab, in: state)
    try TrafficAPI.register(lab, in: state)
    try ManifestsAPI.register(lab, in: state)
    let lines = Lines()
    lab.warningSink = { lines.all.append($0) }
    return (lab, state, lines)
  }

  static func run(_ state: LuaState, _ chunk: String) throws -> [LuaValue] {
    try state.run(chunk: chunk, name: "t")
  }

  // MARK: IPVS deprecation (kube-proxy 1.35, PR kubernetes/kubernetes#134539)

  static let ipvsText =
    "The ipvs proxier is now deprecated and may be removed in a "
    + "future release. Please use 'nftables' instead."

  @Test(
    arguments: [
      ("return setProxyMode('ipvs')", ipvsText, ["kube-proxy[node-1,node-2,node-3]: " + ipvsText]),
      (
        "return setProxyMode('ipvs', { node = 'node-2' })", ipvsText,
        ["kube-proxy[node-2]: " + ipvsText]
      ),
      ("return setProxyMode('nftables')", nil, []),
      ("return setProxyMode('iptables')", nil, []),
      ("reset { proxyMode = 'ipvs' }", nil, ["kube-proxy[node-1,node-2,node-3]: " + ipvsText]),
      ("reset { proxyMode = 'nftables' }", nil, []),
    ] as [(String, String?, [String])])
  func ipvsDeprecation(chunk: String, returned: String?, shown: [String]) throws {
    let (_, state, lines) = try Self.lab()
    let result = try Self.run(state, chunk)
    #expect(result == (returned.map { [LuaValue.string($0)] } ?? []))
    #expect(lines.all == shown)
  }

  // MARK: Service warnings (GetWarningsForService, pkg/api/service/warnings.go)

  static let preferClose =
    "Warning: spec.trafficDistribution: \"PreferClose\" is deprecated; use \"PreferSameZone\""
  static let hints =
    "Warning: annotation service.kubernetes.io/topology-aware-hints is deprecated, please use "
    + "service.kubernetes.io/topology-mode instead"

  @Test(arguments: [
    (
      "createService('a', { ports = { { port = 80 } }, trafficDistribution = 'PreferClose' })",
      [preferClose]
    ),
    (
      "createService('a', { ports = { { port = 80 } }, trafficDistribution = 'PreferSameZone' })",
      []
    ),
    (
      "createService('a', { ports = { { port = 80 } }, trafficDistribution = 'PreferSameNode' })",
      []
    ),
    (
      "createService('a', { ports = { { port = 80 } } }) updateService('a', "
        + "{ trafficDistribution = 'PreferClose' })",
      [preferClose]
    ),
    (
      "apply[[\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  annotations:\n"
        + "    service.kubernetes.io/topology-aware-hints: auto\nspec:\n  ports:\n  - port: 80\n]]",
      [hints]
    ),
    // The 1.33-1.35 API server returns no warning for topology-mode itself.
    (
      "apply[[\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  annotations:\n"
        + "    service.kubernetes.io/topology-mode: Auto\nspec:\n  ports:\n  - port: 80\n]]",
      []
    ),
    (
      "apply[[\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n"
        + "  trafficDistribution: PreferClose\n  ports:\n  - port: 80\n]]",
      [preferClose]
    ),
  ])
  func serviceWarnings(chunk: String, shown: [String]) throws {
    let (_, state, lines) = try Self.lab()
    _ = try Self.run(state, chunk)
    #expect(lines.all == shown)
  }

  // MARK: ipMode Proxy (KEP-1860, GA 1.32)

  static let setup = """
    addPod('web-1', { node = 'node-2', labels = { app = 'web' } })
    addPod('client', { node = 'node-1' })
    local s = createService('lb', { type = 'LoadBalancer', selector = { app = 'web' },
      ports = { { port = 80 } }, loadBalancerIPMode = MODE })
    LB = s.loadBalancerIngress[1]
    NODEPORT = s.ports[1].nodePort
    return s.loadBalancerIPMode
    """

  static func withLB(_ mode: String) throws -> (LabSession, LuaState) {
    let (lab, state, _) = try Self.lab()
    _ = try run(state, "MODE = " + (mode == "default" ? "nil" : "'\(mode)'"))
    let reported = try run(state, setup)
    #expect(reported == [.string(mode == "Proxy" ? "Proxy" : "VIP")])
    return (lab, state)
  }

  /// With Proxy, kube-proxy writes no rule for the balancer IP in any mode; with VIP it does.
  @Test(arguments: ["default", "VIP", "Proxy"])
  func rulesForTheBalancerIP(mode: String) throws {
    let (_, state) = try Self.withLB(mode)
    let written = mode != "Proxy"
    for (proxyMode, dump) in [
      ("iptables", "iptablesSave('node-1')"), ("nftables", "nftRuleset('node-1')"),
      ("ipvs", "ipvsadm('node-1')"),
    ] {
      let found = try Self.run(
        state, "setProxyMode('\(proxyMode)') return (\(dump):find(LB, 1, true)) ~= nil")
      #expect(found == [.boolean(written)], "\(proxyMode) mode, ipMode \(mode)")
    }
  }

  /// A pod's connection to a Proxy-mode balancer leaves its node and comes back through the
  /// balancer to a node's NodePort; with VIP the node's own rules DNAT it at once.
  @Test(arguments: ["iptables", "ipvs", "nftables"])
  func connectThroughTheBalancer(proxyMode: String) throws {
    let (_, state) = try Self.withLB("Proxy")
    _ = try Self.run(state, "setProxyMode('\(proxyMode)')")
    let text = try Self.run(state, "return tostring(trace('client', LB .. ':80'))")
    guard case .string(let trace) = text.first else {
      Issue.record("no trace")
      return
    }
    #expect(
      trace.contains(
        "is a load balancer with ipMode Proxy: kube-proxy has no rule for it, so "
          + "the packet leaves node-1 for the balancer"
      ))
    #expect(trace.contains("load balancer "))
    #expect(trace.contains("proxies the connection"))
    let reached = try Self.run(state, "local r = connect('client', LB .. ':80') return r and r.pod")
    #expect(reached == [.string("web-1")])
  }

  @Test func vipIsShortCircuited() throws {
    let (_, state) = try Self.withLB("VIP")
    let text = try Self.run(state, "return tostring(trace('client', LB .. ':80'))")
    guard case .string(let trace) = text.first else {
      Issue.record("no trace")
      return
    }
    #expect(!trace.contains("ipMode Proxy"))
    #expect(!trace.contains("proxies the connection"))
  }

  @Test func externalClientsGoThroughTheBalancerToo() throws {
    let (_, state) = try Self.withLB("Proxy")
    let reached = try Self.run(
      state, "local r = connect({ external = '203.0.113.9' }, LB .. ':80') return r and r.pod")
    #expect(reached == [.string("web-1")])
  }

  @Test func switchingBackToVIPRestoresTheRules() throws {
    let (_, state) = try Self.withLB("Proxy")
    let back = try Self.run(
      state,
      """
      local s = updateService('lb', { loadBalancerIPMode = 'VIP' })
      return s.loadBalancerIPMode, (iptablesSave('node-1'):find(LB, 1, true)) ~= nil, \
      s.loadBalancerIngress[1] == LB
      """)
    #expect(back == [.string("VIP"), .boolean(true), .boolean(true)])
  }

  @Test(arguments: [
    (
      "createService('x', { type = 'LoadBalancer', ports = { { port = "
        + "80 } }, loadBalancerIPMode = 'Direct' })",
      "createService: Service \"x\" is invalid: status.loadBalancer.ingress[0].ipMode: Unsupported "
        + "value: \"Direct\": supported values: \"Proxy\", \"VIP\""
    )
  ])
  func badIPMode(chunk: String, message: String) throws {
    let (lab, state, _) = try Self.lab()
    let result = try Self.run(state, "return pcall(function() \(chunk) end)")
    #expect(result.first == .boolean(false))
    guard case .string(let text) = result.last else {
      Issue.record("no message")
      return
    }
    #expect(text.hasSuffix(message))
    #expect(lab.cluster.services().allSatisfy { $0.name != "x" })
  }
}
