/// Names kube-proxy gives its per-service chains, as the trace shows them. The packet path asks
/// this for every chain it reports, so the names in a trace are the renderers' names.
public protocol ChainNamer: Sendable {
  /// `KUBE-SVC-<hash>` (iptables) or `service-<hash>-ns/svc/proto/port` (nftables).
  func clusterChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String
  /// `KUBE-SVL-<hash>` / `local-<hash>-…`.
  func localChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String
  /// `KUBE-EXT-<hash>` / `external-<hash>-…`.
  func externalChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String
  /// `KUBE-FW-<hash>` / `firewall-<hash>-…`.
  func firewallChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String
  /// `KUBE-SEP-<hash>` / `endpoint-<hash>-…__ip/port`.
  func endpointChain(
    _ port: ServicePortName, _ endpoint: ProxyEndpoint, mode: ProxyConfig.Mode
  )
    -> String
}
