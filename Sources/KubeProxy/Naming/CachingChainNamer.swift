import NetAddr

/// A ``ChainNamer`` that remembers the names another namer computed. Chain names are
/// SHA-256 hashes, far dearer than a dictionary lookup, and the packet path asks for them on
/// every connection; the names depend only on the service port, the endpoint's address and
/// the mode, so a remembered name is always the one the base namer would give.
public final class CachingChainNamer: ChainNamer, @unchecked Sendable {
  private struct Key: Hashable {
    enum Kind: UInt8 { case cluster, local, external, firewall, endpoint }
    let kind: Kind
    let mode: ProxyConfig.Mode
    let port: ServicePortName
    let ip: IPAddress?
    let endpointPort: Int
  }

  /// Past this many names the cache starts afresh (churn must not grow it without bound).
  private static let limit = 200_000
  private let base: any ChainNamer
  private var names: [Key: String] = [:]

  /// Wraps `base`, whose names this namer returns.
  public init(_ base: any ChainNamer) {
    self.base = base
  }

  /// The remembered name under `key`, computing and remembering it on first use.
  private func name(_ key: Key, _ compute: () -> String) -> String {
    if let known = names[key] { return known }
    if names.count >= Self.limit { names.removeAll(keepingCapacity: true) }
    let fresh = compute()
    names[key] = fresh
    return fresh
  }

  public func clusterChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String {
    name(Key(kind: .cluster, mode: mode, port: port, ip: nil, endpointPort: 0)) {
      base.clusterChain(port, mode: mode)
    }
  }

  public func localChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String {
    name(Key(kind: .local, mode: mode, port: port, ip: nil, endpointPort: 0)) {
      base.localChain(port, mode: mode)
    }
  }

  public func externalChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String {
    name(Key(kind: .external, mode: mode, port: port, ip: nil, endpointPort: 0)) {
      base.externalChain(port, mode: mode)
    }
  }

  public func firewallChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String {
    name(Key(kind: .firewall, mode: mode, port: port, ip: nil, endpointPort: 0)) {
      base.firewallChain(port, mode: mode)
    }
  }

  public func endpointChain(
    _ port: ServicePortName, _ endpoint: ProxyEndpoint, mode: ProxyConfig.Mode
  ) -> String {
    name(Key(kind: .endpoint, mode: mode, port: port, ip: endpoint.ip, endpointPort: endpoint.port))
    {
      base.endpointChain(port, endpoint, mode: mode)
    }
  }
}
