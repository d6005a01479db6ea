/// kube-proxy's `setupNFTables`: base chains on the netfilter hooks, the jump chains, the
/// masquerade chains, and the sets and verdict maps the per-service elements go into.
extension NFTablesWriter {
  /// Base chains: filter chains run just before DNAT so they see the service address.
  static let baseChains: [(String, String)] = [
    (
      NFTablesName.filterPreroutingPreDNAT,
      "type filter hook prerouting priority dstnat - 10; policy accept;"
    ),
    (NFTablesName.filterInput, "type filter hook input priority dstnat - 10; policy accept;"),
    (NFTablesName.filterForward, "type filter hook forward priority dstnat - 10; policy accept;"),
    (
      NFTablesName.filterOutputPreDNAT,
      "type filter hook output priority dstnat - 10; policy accept;"
    ),
    (
      NFTablesName.filterOutputPostDNAT,
      "type filter hook output priority dstnat + 10; policy accept;"
    ),
    (NFTablesName.natPrerouting, "type nat hook prerouting priority dstnat; policy accept;"),
    (NFTablesName.natOutput, "type nat hook output priority dstnat; policy accept;"),
    (NFTablesName.natPostrouting, "type nat hook postrouting priority srcnat; policy accept;"),
  ]

  /// (target, from, match) of the jumps out of the base chains.
  static let jumps: [(String, String, String)] = [
    (NFTablesName.nodePortEndpointsCheck, NFTablesName.filterInput, "ct state new "),
    (NFTablesName.serviceEndpointsCheck, NFTablesName.filterInput, "ct state new "),
    (NFTablesName.serviceEndpointsCheck, NFTablesName.filterForward, "ct state new "),
    (NFTablesName.serviceEndpointsCheck, NFTablesName.filterOutputPreDNAT, "ct state new "),
    (NFTablesName.firewallCheck, NFTablesName.filterPreroutingPreDNAT, "ct state new "),
    (NFTablesName.firewallCheck, NFTablesName.filterOutputPreDNAT, "ct state new "),
    (NFTablesName.services, NFTablesName.natOutput, ""),
    (NFTablesName.services, NFTablesName.natPrerouting, ""),
    (NFTablesName.masquerading, NFTablesName.natPostrouting, ""),
    (NFTablesName.clusterIPsCheck, NFTablesName.filterForward, "ct state new "),
    (NFTablesName.clusterIPsCheck, NFTablesName.filterOutputPostDNAT, "ct state new "),
  ]

  /// Writes the fixed part of the table.
  mutating func writeSetup() {
    for (name, declaration) in Self.baseChains { listing.ensureChain(name, base: declaration) }
    for (target, from, match) in Self.jumps {
      listing.ensureChain(target)
      listing.add(from, "\(match)jump \(target)")
    }
    for chain in [
      NFTablesName.services, NFTablesName.clusterIPsCheck, NFTablesName.masquerading,
      NFTablesName.markForMasquerade,
    ] {
      listing.ensureChain(chain)
    }
    listing.add(NFTablesName.markForMasquerade, "meta mark set meta mark | \(markHex)")
    listing.add(NFTablesName.masquerading, "meta mark & \(markHex) == 0x00000000 return")
    listing.add(NFTablesName.masquerading, "meta mark set meta mark ^ \(markHex)")
    listing.add(NFTablesName.masquerading, "masquerade fully-random")
    writeSets()
    writeCheckRules()
  }

  /// The sets and maps, in kube-proxy's creation order.
  mutating func writeSets() {
    let dispatch = "\(addrType) . inet_proto . inet_service : verdict"
    let ports = "inet_proto . inet_service : verdict"
    typealias S = NFTablesListing.SetObject
    listing.sets.append(
      S(
        kind: "set", name: NFTablesName.clusterIPsSet, type: addrType, comment: "Active ClusterIPs",
        twoPerLine: family == .v4))
    if let ips = nodePortIPs {
      listing.sets.append(
        S(
          kind: "set", name: NFTablesName.nodePortIPsSet, type: addrType,
          comment: "IPs that accept NodePort traffic", elements: ips.map(\.description),
          twoPerLine: family == .v4))
    }
    listing.sets += [
      S(
        kind: "map", name: NFTablesName.noEndpointServicesMap, type: dispatch,
        comment: "vmap to drop or reject packets to services with no endpoints"),
      S(
        kind: "map", name: NFTablesName.noEndpointNodePortsMap, type: ports,
        comment: "vmap to drop or reject packets to service nodeports with no endpoints"),
      S(
        kind: "map", name: NFTablesName.firewallIPsMap, type: dispatch,
        comment: "destinations that are subject to LoadBalancerSourceRanges"),
      S(
        kind: "map", name: NFTablesName.serviceIPsMap, type: dispatch,
        comment: "ClusterIP, ExternalIP and LoadBalancer IP traffic"),
      S(
        kind: "map", name: NFTablesName.serviceNodePortsMap, type: ports,
        comment: "NodePort traffic"),
    ]
  }

  /// REJECT to unknown ports of ClusterIPs, the no-endpoint and firewall vmaps, dispatch.
  mutating func writeCheckRules() {
    listing.add(
      NFTablesName.clusterIPsCheck,
      "\(ipX) daddr @\(NFTablesName.clusterIPsSet) reject comment \"Reject traffic to invalid ports of ClusterIPs\""
    )
    // Unallocated addresses of the Service CIDRs are dropped (nft prints a one-element set
    // as the bare prefix).
    let ranges = config.serviceCIDRs.filter { $0.family == family }.map(\.description)
    if !ranges.isEmpty {
      let match = ranges.count == 1 ? ranges[0] : "{ " + ranges.joined(separator: ", ") + " }"
      listing.add(
        NFTablesName.clusterIPsCheck,
        "\(ipX) daddr \(match) drop comment \"Drop traffic to unallocated ClusterIPs\"")
    }
    listing.ensureChain(
      NFTablesName.rejectChain, comment: "helper for @no-endpoint-services / @no-endpoint-nodeports"
    )
    listing.add(NFTablesName.rejectChain, "reject")
    let tuple = "\(ipX) daddr . meta l4proto . th dport vmap"
    listing.add(
      NFTablesName.serviceEndpointsCheck, "\(tuple) @\(NFTablesName.noEndpointServicesMap)")
    let nodePortMatch =
      nodePortIPs == nil ? noLocalhost : "\(ipX) daddr @\(NFTablesName.nodePortIPsSet)"
    listing.add(
      NFTablesName.nodePortEndpointsCheck,
      "\(nodePortMatch) meta l4proto . th dport vmap @\(NFTablesName.noEndpointNodePortsMap)")
    listing.add(NFTablesName.firewallCheck, "\(tuple) @\(NFTablesName.firewallIPsMap)")
    listing.add(NFTablesName.services, "\(tuple) @\(NFTablesName.serviceIPsMap)")
    let nodePortDispatch =
      nodePortIPs == nil
      ? "fib daddr type local \(noLocalhost)" : "\(ipX) daddr @\(NFTablesName.nodePortIPsSet)"
    listing.add(
      NFTablesName.services,
      "\(nodePortDispatch) meta l4proto . th dport vmap @\(NFTablesName.serviceNodePortsMap)")
  }
}
