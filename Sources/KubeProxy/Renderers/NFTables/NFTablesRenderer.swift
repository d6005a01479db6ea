import NetAddr

/// `nft list table ip kube-proxy` (or `ip6`) for `node`: the table kube-proxy's nftables
/// backend (`pkg/proxy/nftables/proxier.go`) builds — fixed chains, sets and verdict maps,
/// then per service port its chains and map elements, services in `ServicePortName` order.
/// The kernel lists map elements in its own (hash) order; here they keep insertion order.
/// `names` keeps the chain-name hashes for the next render (without it each is computed).
public func renderNFTablesRuleset(
  node: ProxyNode, config: ProxyConfig, decisions: [ServicePortDecision], family: IPFamily = .v4,
  masqueradeMark: String = "0x00004000", names: ChainNameCache? = nil
) -> String {
  var text = TextBuffer()
  renderNFTablesRuleset(
    into: &text, node: node, config: config, decisions: decisions, family: family,
    masqueradeMark: masqueradeMark, names: names)
  return text.string
}

/// Writes the `nft list table` text for `node` (see the `String` form) at the end of `text`.
public func renderNFTablesRuleset(
  into text: inout TextBuffer, node: ProxyNode, config: ProxyConfig,
  decisions: [ServicePortDecision], family: IPFamily = .v4, masqueradeMark: String = "0x00004000",
  names: ChainNameCache? = nil
) {
  var writer = NFTablesWriter(
    node: node, config: config, family: family, mark: masqueradeMark, names: names)
  let ports = writer.writeSetupAndElements(decisions)
  // Room for the sets and maps and what a service port and each endpoint typically take, so
  // the buffer seldom grows by copying.
  let endpoints = ports.reduce(0) { $0 + $1.plan.decision.allReachableEndpoints.count }
  text.reserve(4096 + 600 * ports.count + 300 * endpoints)
  writer.listing.writeHeaderSetsAndChains(into: &text)
  writer.writeServiceChains(ports, into: &text)
  text.append("}\n")
}

/// One service port as the nftables backend writes it: the decisions and its chain names. A
/// class: the port is handed from the elements pass to the chains pass and to each writer,
/// and a copy of the value (its decision's arrays and names) cost a tenth of a render.
final class NFTablesServicePort {
  let plan: IPTablesServicePlan
  let chains: PortChainNames
  /// `loadBalancerSourceRanges` are enforced (unlike iptables, whether or not the service
  /// has endpoints).
  let usesFirewall: Bool

  init(_ decision: ServicePortDecision, names: PortNameTable<PortChainNames>?) {
    plan = IPTablesServicePlan(decision, chains: .unnamed)
    let name = decision.servicePort.name
    chains = names?.names(name) { .nftables(name) } ?? .nftables(name)
    let port = decision.servicePort
    usesFirewall = !port.loadBalancerVIPs.isEmpty && !port.loadBalancerSourceRanges.isEmpty
  }
}

/// Builds the table in kube-proxy's transaction order: the fixed chains, sets and maps and
/// every service port's map elements and affinity sets in `listing`; then the service ports'
/// chains, written straight to text (they follow every object of `listing` in the listing).
struct NFTablesWriter {
  let node: ProxyNode
  let config: ProxyConfig
  let family: IPFamily
  let mark: String
  let detector: LocalTrafficDetector
  /// nftables mode defaults `--nodeport-addresses` to the node's primary IP.
  let nodePortIPs: [IPAddress]?
  let nodeIP: IPAddress?
  var listing: NFTablesListing
  /// The endpoint chain names of the service port being written.
  var endpointNames = NFTablesEndpointNames()
  /// Chain-name hashes kept between renders.
  let names: ChainNameCache?

  init(node: ProxyNode, config: ProxyConfig, family: IPFamily, mark: String, names: ChainNameCache?)
  {
    self.node = node
    self.names = names
    self.config = config
    self.family = family
    self.mark = mark
    detector = LocalTrafficDetector(node: node, config: config, family: family)
    nodeIP = node.ips.first { $0.family == family }
    let addresses = NodePortAddresses(config: config, family: family)
    if config.nodePortAddresses == nil {
      nodePortIPs = nodeIP.map { [$0] } ?? []
    } else {
      nodePortIPs = addresses.matchAll ? nil : addresses.nodeIPs(of: node).filter { !$0.isLoopback }
    }
    listing = NFTablesListing(family: family == .v4 ? "ip" : "ip6")
  }

  /// Writes the fixed part and every service port's elements into `listing`; returns the
  /// service ports (of this family, in name order) whose chains are still to be written.
  mutating func writeSetupAndElements(
    _ decisions: [ServicePortDecision]
  ) -> [NFTablesServicePort] {
    writeSetup()
    let ports = servicePortsInNameOrder(decisions, family: family).map {
      NFTablesServicePort($0, names: names?.nftables)
    }
    // By index: a copy of each port (its decision's arrays, its names) costs more than its
    // elements.
    for i in ports.indices {
      writeElements(ports[i])
      writeAffinitySets(ports[i].plan)
    }
    return ports
  }

  var ipX: String { family == .v4 ? "ip" : "ip6" }
  var addrType: String { family == .v4 ? "ipv4_addr" : "ipv6_addr" }
  var noLocalhost: String { family == .v4 ? "ip daddr != 127.0.0.0/8" : "ip6 daddr != ::1" }
  /// nft prints marks as 32-bit hex.
  var markHex: String {
    let value = UInt32(mark.dropFirst(2), radix: 16) ?? 0x4000
    let hex = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
  }
}
