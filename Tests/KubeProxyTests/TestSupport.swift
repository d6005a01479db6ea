import NetAddr

@testable import KubeProxy

/// Parses an IP literal known to be valid in a test table.
func ip(_ text: String) -> IPAddress {
  guard let address = IPAddress(text) else { preconditionFailure("bad test IP \(text)") }
  return address
}

func cidr(_ text: String) -> CIDR {
  guard let value = CIDR(text) else { preconditionFailure("bad test CIDR \(text)") }
  return value
}

/// An endpoint for test tables; `state` is "ready", "serving-terminating", "terminating"
/// (not serving) or "unready".
func ep(
  _ address: String, _ port: Int = 80, node: String? = nil, _ state: String = "ready",
  zones: [String]? = nil, nodes: [String]? = nil, pod: String? = nil
) -> ProxyEndpoint {
  let (ready, serving, terminating): (Bool, Bool, Bool) =
    switch state {
    case "serving-terminating": (false, true, true)
    case "terminating": (false, false, true)
    case "unready": (false, false, false)
    default: (true, true, false)
    }
  return ProxyEndpoint(
    ip: ip(address), port: port, ready: ready, serving: serving, terminating: terminating,
    nodeName: node, zone: nil, zoneHints: zones.map(Set.init), nodeHints: nodes.map(Set.init),
    podName: pod)
}

/// A Service port for test tables.
func svcPort(
  _ name: String = "web", namespace: String = "ns1", port portName: String = "p80",
  type: ProxyServiceType = .clusterIP, clusterIP: String = "172.30.0.41", number: Int = 80,
  proto: ProxyProtocol = .tcp, nodePort: Int = 0, externalIPs: [String] = [],
  lbIPs: [String] = [], sourceRanges: [String] = [], affinity: Int? = nil,
  eTPLocal: Bool = false, iTPLocal: Bool = false, healthCheckNodePort: Int = 0
) -> ProxyServicePort {
  ProxyServicePort(
    name: ServicePortName(namespace: namespace, name: name, port: portName, proto: proto),
    type: type, family: ip(clusterIP).family, clusterIP: ip(clusterIP), port: number,
    nodePort: nodePort, externalIPs: externalIPs.map(ip), loadBalancerVIPs: lbIPs.map(ip),
    loadBalancerSourceRanges: sourceRanges.map(cidr), stickyMaxAgeSeconds: affinity,
    externalPolicyLocal: eTPLocal, internalPolicyLocal: iTPLocal,
    healthCheckNodePort: healthCheckNodePort)
}

/// `ip:port` strings of endpoints, for compact expectations.
func strings(_ endpoints: [ProxyEndpoint]) -> [String] { endpoints.map(\.description) }

/// A seeded SplitMix64 generator, so random picks are reproducible.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Readable chain names standing in for the hashed ones.
struct TestChainNamer: ChainNamer {
  func clusterChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String {
    mode == .nftables ? "service-\(port)" : "KUBE-SVC-\(port)"
  }
  func localChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String {
    mode == .nftables ? "local-\(port)" : "KUBE-SVL-\(port)"
  }
  func externalChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String {
    mode == .nftables ? "external-\(port)" : "KUBE-EXT-\(port)"
  }
  func firewallChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String {
    mode == .nftables ? "firewall-\(port)" : "KUBE-FW-\(port)"
  }
  func endpointChain(
    _ port: ServicePortName, _ endpoint: ProxyEndpoint, mode: ProxyConfig.Mode
  )
    -> String
  {
    mode == .nftables ? "endpoint-\(port)__\(endpoint)" : "KUBE-SEP-\(endpoint)"
  }
}
