import NetAddr

/// `nft list table ip kube-proxy` (or `ip6`) for `node`: the table kube-proxy's nftables
/// backend (`pkg/proxy/nftables/proxier.go`) builds — fixed chains, sets and verdict maps,
/// then per service port its chains and map elements, services in `ServicePortName` order.
/// The kernel lists map elements in its own (hash) order; here they keep insertion order.
public func renderNFTablesRuleset(
  node: ProxyNode, config: ProxyConfig, decisions: [ServicePortDecision], family: IPFamily = .v4,
  masqueradeMark: String = "0x00004000"
) -> String {
  var writer = NFTablesWriter(node: node, config: config, family: family, mark: masqueradeMark)
  writer.writeSetup()
  let relevant = decisions.filter {
    $0.servicePort.family == family && $0.servicePort.clusterIP != nil
      && $0.servicePort.type != .externalName
  }
  for decision in relevant.sorted(by: { $0.servicePort.name < $1.servicePort.name }) {
    writer.writeServicePort(IPTablesServicePlan(decision))
  }
  return writer.listing.text
}

/// Builds the listing in kube-proxy's transaction order.
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

  init(node: ProxyNode, config: ProxyConfig, family: IPFamily, mark: String) {
    self.node = node
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
