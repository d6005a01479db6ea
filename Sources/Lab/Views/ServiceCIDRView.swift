import Cluster

/// The networking.k8s.io/v1 ServiceCIDR and IPAddress objects (GA in Kubernetes 1.33) as the
/// API server keeps them for the lab's Service ranges: the default ServiceCIDR `kubernetes`
/// holds the first configured range of each family (the API server's `--service-cluster-ip-range`),
/// further configured ranges appear as ServiceCIDRs `servicecidr-<n>`, and `createServiceCIDR`
/// adds more (the objects live in the Cluster's allocator); every allocated
/// ClusterIP is an IPAddress named by the address, its parent the Service.
enum ServiceCIDRView {
  static func objects(_ c: Cluster) -> [ServiceCIDR] { c.serviceCIDRObjects() }

  static func ipAddresses(_ c: Cluster) -> [(ip: String, service: NamespacedName)] {
    var out: [(ip: String, service: NamespacedName)] = []
    for svc in c.services() where !svc.spec.isHeadless {
      for ip in svc.spec.clusterIPs where !ip.isEmpty && ip != "None" { out.append((ip, svc.key)) }
    }
    return out.sorted { $0.ip < $1.ip }
  }
}
