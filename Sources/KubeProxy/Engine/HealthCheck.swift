/// What a node's health-check node port answers for one externalTrafficPolicy Local
/// LoadBalancer Service (`pkg/proxy/healthcheck/service_health.go`).
public struct HealthCheckStatus: Hashable, Sendable {
  public var service: NamespacedName
  public var healthCheckNodePort: Int
  /// Distinct local ready endpoint IPs over all the Service's ports.
  public var localEndpoints: Int
  /// 200 with local endpoints, else 503 (the cloud balancer then skips the node).
  public var statusCode: Int { localEndpoints > 0 ? 200 : 503 }
}

extension ProxyCluster {
  /// The health-check answer of `node` for `service`, or nil when the Service has no
  /// health-check node port (it is not a LoadBalancer with externalTrafficPolicy Local).
  ///
  /// kube-proxy counts only ready endpoints here: a node with nothing but terminating local
  /// endpoints fails the check even though it still forwards to them, so balancers drain it.
  public func healthCheck(node: String, service: NamespacedName) -> HealthCheckStatus? {
    let keys = servicePortKeys(of: service)
    guard let first = keys.first,
      let hcPort = keys.lazy.compactMap({ self.servicePorts[$0]?.healthCheckNodePort })
        .first(where: { $0 != 0 })
    else { return nil }
    // One family's proxier answers; endpoints of all ports are squashed by IP.
    var ips = Set<String>()
    for key in keys where key.family == first.family {
      for endpoint in resolvingDuplicates(candidates(for: key), nodeName: node)
      where endpoint.ready && endpoint.isLocal(to: node) {
        ips.insert(endpoint.ip.description)
      }
    }
    return HealthCheckStatus(
      service: service, healthCheckNodePort: hcPort, localEndpoints: ips.count)
  }
}
