import Cluster

/// The networking.k8s.io/v1 ServiceCIDR and IPAddress objects (GA in Kubernetes 1.33) as the
/// API server keeps them for the lab's Service ranges: the default ServiceCIDR `kubernetes`
/// holds the first configured range of each family (the API server's `--service-cluster-ip-range`),
/// further configured ranges appear as ServiceCIDRs `servicecidr-<n>`; every allocated
/// ClusterIP is an IPAddress named by the address, its parent the Service.
enum ServiceCIDRView {
  struct Object {
    var name: String
    var cidrs: [String]
  }

  static func objects(_ c: Cluster) -> [Object] {
    var first: [String] = []
    var rest: [String] = []
    var seen = Set<String>()
    for cidr in c.serviceCIDRs {
      let fam = cidr.description.contains(":") ? "v6" : "v4"
      if seen.insert(fam).inserted { first.append(cidr.description) } else { rest.append(cidr.description) }
    }
    var out = [Object(name: "kubernetes", cidrs: first)]
    for (i, r) in rest.enumerated() { out.append(Object(name: "servicecidr-\(i + 1)", cidrs: [r])) }
    return out
  }

  static func ipAddresses(_ c: Cluster) -> [(ip: String, service: NamespacedName)] {
    var out: [(ip: String, service: NamespacedName)] = []
    for svc in c.services() where !svc.spec.isHeadless {
      for ip in svc.spec.clusterIPs where !ip.isEmpty && ip != "None" { out.append((ip, svc.key)) }
    }
    return out.sorted { $0.ip < $1.ip }
  }
}
