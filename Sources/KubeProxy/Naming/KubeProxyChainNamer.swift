/// The chain names kube-proxy itself writes: the iptables `KUBE-…` names and the nftables
/// `service-…` names, so a trace names exactly what `iptablesSave`/`nftRuleset` show. IPVS
/// mode keeps its few iptables chains and reports virtual servers instead.
public struct KubeProxyChainNamer: ChainNamer {
  public init() {}

  public func clusterChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String {
    mode == .nftables ? NFTablesName.serviceCluster(port) : IPTablesChain.serviceCluster(port)
  }

  public func localChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String {
    mode == .nftables ? NFTablesName.serviceLocal(port) : IPTablesChain.serviceLocal(port)
  }

  public func externalChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String {
    mode == .nftables ? NFTablesName.serviceExternal(port) : IPTablesChain.serviceExternal(port)
  }

  public func firewallChain(_ port: ServicePortName, mode: ProxyConfig.Mode) -> String {
    mode == .nftables ? NFTablesName.serviceFirewall(port) : IPTablesChain.serviceFirewall(port)
  }

  public func endpointChain(
    _ port: ServicePortName, _ endpoint: ProxyEndpoint, mode: ProxyConfig.Mode
  ) -> String {
    mode == .nftables
      ? NFTablesName.endpoint(port, endpoint) : IPTablesChain.serviceEndpoint(port, endpoint)
  }
}
