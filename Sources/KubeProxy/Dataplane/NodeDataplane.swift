import NetAddr

/// The kernel state kube-proxy's rules leave behind on one node: ClientIP-affinity records
/// (iptables `recent` lists, nftables affinity sets) and IPVS virtual servers.
final class NodeDataplane {
  /// One affinity record: client address seen for (Service port, endpoint). iptables keeps one
  /// `recent` list per KUBE-SEP chain and nftables one set per endpoint chain, so affinity is
  /// per Service *port*.
  struct AffinityKey: Hashable {
    var servicePort: ServicePortKey
    var endpoint: String
    var client: IPAddress
  }

  /// Last time each client was sent to each endpoint.
  var affinity: [AffinityKey: Double] = [:]
  var virtualServers: [IPVSVirtualServerKey: IPVSVirtualServerState] = [:]

  /// The first endpoint (in rule order) whose affinity record for `client` is younger than
  /// `timeout` seconds (`--rcheck --seconds T --reap`: strictly within the window).
  func stickyEndpoint(
    _ endpoints: [ProxyEndpoint], port: ServicePortKey, client: IPAddress, timeout: Int,
    now: Double
  ) -> ProxyEndpoint? {
    endpoints.first { endpoint in
      let key = AffinityKey(servicePort: port, endpoint: endpoint.description, client: client)
      guard let seen = affinity[key] else { return false }
      if now - seen < Double(timeout) { return true }
      affinity[key] = nil  // --reap
      return false
    }
  }

  /// Records that `client` was sent to `endpoint` now (`--set` on the DNAT rule).
  func remember(_ endpoint: ProxyEndpoint, port: ServicePortKey, client: IPAddress, now: Double) {
    affinity[AffinityKey(servicePort: port, endpoint: endpoint.description, client: client)] = now
  }
}

/// A connection `connect` opened, for `disconnect`.
struct OpenConnection {
  var node: String
  var virtualServer: IPVSVirtualServerKey?
}
