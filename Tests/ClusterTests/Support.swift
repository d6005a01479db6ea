import NetAddr

@testable import Cluster

/// A cluster with three nodes and no system objects.
func bareCluster(nodes: Int = 3, serviceCIDRs: [String] = ["10.96.0.0/12"]) throws -> Cluster {
  let c = try Cluster(config: ClusterConfig(serviceCIDRs: serviceCIDRs, system: false))
  for i in 1...max(1, nodes) where nodes > 0 {
    try c.addNode("node-\(i)", NodeOptions(zone: ["zone-a", "zone-b", "zone-c"][(i - 1) % 3]))
  }
  return c
}

func key(_ name: String, _ ns: String = "default") -> NamespacedName {
  NamespacedName(namespace: ns, name: name)
}

func webSpec(
  selector: [String: String] = ["app": "web"], port: Int = 80, target: IntOrString? = nil
) -> ServiceSpec {
  ServiceSpec(
    selector: selector, ports: [ServicePort(name: "http", port: port, targetPort: target)])
}

/// The message a call throws, or nil.
func errorMessage(indexBase: Int = 0, _ body: () throws -> Void) -> String? {
  do {
    try body()
    return nil
  } catch let e as ClusterError {
    return e.rendered(indexBase: indexBase)
  } catch {
    return "\(error)"
  }
}
