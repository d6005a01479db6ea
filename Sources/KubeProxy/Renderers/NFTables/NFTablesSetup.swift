import NetAddr

/// kube-proxy's `setupNFTables`: base chains on the netfilter hooks, the jump chains, the
/// masquerade chains, and the sets and verdict maps the per-service elements go into.
extension NFTablesWriter {
  /// Base chains, as kube-proxy 1.34+ creates them (kubernetes/kubernetes#132456, the fix of
  /// #131765): the firewall check runs before DNAT (`dstnat - 10`) on prerouting and output;
  /// the endpoint and ClusterIP checks run at `filter` priority, after DNAT, so a node
  /// process's connection to an eTP=Local load-balancer IP is DNATed by the short-circuit
  /// rules before `service-endpoints-check` could drop it. Priorities are printed as nft 1.0.6
  /// lists them: symbolic names only where nft accepts them for that hook (`dstnat` on
  /// prerouting, `srcnat` on postrouting, `filter` anywhere), numbers on the output hook.
  static let baseChains: [(String, String)] = [
    (
      NFTablesName.filterPreroutingPreDNAT,
      "type filter hook prerouting priority dstnat - 10; policy accept;"
    ),
    (NFTablesName.filterOutputPreDNAT, "type filter hook output priority -110; policy accept;"),
    (NFTablesName.filterInput, "type filter hook input priority filter; policy accept;"),
    (NFTablesName.filterForward, "type filter hook forward priority filter; policy accept;"),
    (NFTablesName.filterOutput, "type filter hook output priority filter; policy accept;"),
    (NFTablesName.natPrerouting, "type nat hook prerouting priority dstnat; policy accept;"),
    (NFTablesName.natOutput, "type nat hook output priority -100; policy accept;"),
    (NFTablesName.natPostrouting, "type nat hook postrouting priority srcnat; policy accept;"),
  ]

  /// (target, from, match) of the jumps out of the base chains (kube-proxy's
  /// `nftablesJumpChains`; the rule order within each chain is that of its proxier tests).
  static let jumps: [(String, String, String)] = [
    (NFTablesName.nodePortEndpointsCheck, NFTablesName.filterInput, "ct state new "),
    (NFTablesName.serviceEndpointsCheck, NFTablesName.filterInput, "ct state new "),
    (NFTablesName.serviceEndpointsCheck, NFTablesName.filterForward, "ct state new "),
    (NFTablesName.serviceEndpointsCheck, NFTablesName.filterOutput, "ct state new "),
    (NFTablesName.firewallCheck, NFTablesName.filterPreroutingPreDNAT, "ct state new "),
    (NFTablesName.firewallCheck, NFTablesName.filterOutputPreDNAT, "ct state new "),
    (NFTablesName.services, NFTablesName.natOutput, ""),
    (NFTablesName.services, NFTablesName.natPrerouting, ""),
    (NFTablesName.masquerading, NFTablesName.natPostrouting, ""),
    (NFTablesName.clusterIPsCheck, NFTablesName.filterForward, "ct state new "),
    (NFTablesName.clusterIPsCheck, NFTablesName.filterOutput, "ct state new "),
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
        twoPerLine: family == .v4, sortedByAddress: true))
    if let ips = nodePortIPs {
      listing.sets.append(
        S(
          kind: "set", name: NFTablesName.nodePortIPsSet, type: addrType,
          comment: "IPs that accept NodePort traffic", elements: ips.map(\.description),
          twoPerLine: family == .v4, sortedByAddress: true))
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
      "\(ipX) daddr @\(NFTablesName.clusterIPsSet) reject comment "
        + "\"Reject traffic to invalid ports of ClusterIPs\""
    )
    // Unallocated addresses of the Service CIDRs are dropped (kube-proxy writes an
    // anonymous set; nft lists it as `nftAnonymousSet` formats it).
    let ranges = config.serviceCIDRs.filter { $0.family == family }
    if !ranges.isEmpty {
      listing.add(
        NFTablesName.clusterIPsCheck,
        "\(ipX) daddr \(nftAnonymousSet(ranges)) drop comment "
          + "\"Drop traffic to unallocated ClusterIPs\""
      )
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

/// An anonymous set of prefixes as `nft list` prints it (checked against nft 1.0.6): a
/// host-length prefix is a bare address, the elements are sorted by address, and a set of
/// one element is printed as that element alone, without braces.
func nftAnonymousSet(_ cidrs: [CIDR]) -> String {
  let sorted = Set(cidrs).sorted {
    $0.network != $1.network ? $0.network < $1.network : $0.prefixLength < $1.prefixLength
  }
  let items = sorted.map {
    $0.prefixLength == $0.family.bitWidth ? $0.network.description : $0.description
  }
  return items.count == 1 ? items[0] : "{ " + items.joined(separator: ", ") + " }"
}
