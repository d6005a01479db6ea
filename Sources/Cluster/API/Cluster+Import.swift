import NetAddr

/// The objects of a real cluster's dump, in the cluster's types, with every address, port and
/// condition as the dump recorded it.
public struct ClusterImport: Sendable {
  public var namespaces: [Namespace] = []
  public var nodes: [Node] = []
  public var pods: [Pod] = []
  public var services: [Service] = []
  public var endpointSlices: [EndpointSlice] = []
  public var deployments: [Deployment] = []

  public init() {}
}

/// Loading a dump: objects go in as they are, with no allocation, no defaulting and no
/// controller run, so the lab starts from the dump's state rather than from what the
/// controllers would make of it; `checkInvariants()` then says where the two disagree.
extension Cluster {
  /// Inserts every object of `dump` into this (empty) cluster in one call, marking the
  /// addresses and ports it holds as allocated where they fall inside the cluster's ranges.
  /// Returns a note for each thing the dump holds that the lab's allocators cannot (a
  /// ClusterIP outside the Service CIDRs, a node port outside the range, two objects with one
  /// address): the object is kept, and the allocator leaves it out.
  public func importObjects(_ dump: ClusterImport) throws(ClusterError) -> [String] {
    try transaction { () throws(ClusterError) -> [String] in
      var notes: [String] = []
      for ns in dump.namespaces {
        // A fresh cluster's own `default` is replaced by the dump's.
        guard namespaceStore[ns.name] == nil || ns.name == "default" else {
          throw .alreadyExists(resource: "namespaces", name: ns.name)
        }
        var n = ns
        n.metadata.uid = takeUID()
        putNamespace(n.name, n)
      }
      for node in dump.nodes {
        guard nodeStore[node.name] == nil else {
          throw .alreadyExists(resource: "nodes", name: node.name)
        }
        if let other = nodeIPs[node.internalIP] {
          notes.append(
            "node \(node.name) has InternalIP \(node.internalIP), "
              + "already the address of node \(other)"
          )
        }
        var n = node
        n.metadata.uid = takeUID()
        podBlocks[n.name] = n.podCIDR.map { [BlockAllocator(cidr: $0)] } ?? []
        putNode(n.name, n)
      }
      for pod in dump.pods {
        guard podStore[pod.key] == nil else {
          throw .alreadyExists(resource: "pods", name: pod.name)
        }
        var p = pod
        p.metadata.uid = takeUID()
        if !p.hostNetwork, !p.nodeName.isEmpty {
          for ip in p.podIPs where podBlocks[p.nodeName]?.contains(where: { $0.holds(ip) }) == true
          {
            if let i = podBlocks[p.nodeName]?.firstIndex(where: { $0.holds(ip) }),
              podBlocks[p.nodeName]?[i].allocate(ip) == false
            {
              notes.append(
                "pod \(p.key) has IP \(ip), already taken in node \(p.nodeName)'s pod CIDR")
            }
          }
        }
        putPod(p.key, p)
        if let t = p.metadata.deletionTimestamp { terminating[p.key] = t }
      }
      for svc in dump.services {
        guard serviceStore[svc.key] == nil else {
          throw .alreadyExists(resource: "services", name: svc.name)
        }
        var s = svc
        s.metadata.uid = takeUID()
        for ip in s.clusterIPAddresses {
          do throws(IPAllocationFailure) {
            try serviceIPs.allocate(ip)
          } catch {
            notes.append("service \(s.key) has ClusterIP \(ip): \(error.message)")
          }
        }
        var ports = Set(s.spec.ports.compactMap(\.nodePort))
        if let h = s.spec.healthCheckNodePort { ports.insert(h) }
        for p in ports.sorted() {
          do throws(PortAllocationFailure) {
            try nodePorts.allocate(p)
          } catch {
            notes.append("service \(s.key) has node port \(p): \(error.message)")
          }
        }
        putService(s.key, s)
      }
      for slice in dump.endpointSlices {
        guard sliceStore[slice.key] == nil else {
          throw .alreadyExists(resource: "endpointslices.discovery.k8s.io", name: slice.name)
        }
        var s = slice
        s.metadata.uid = takeUID()
        putSlice(s.key, s)
        // Where each pod's endpoint lives, for the controller's next incremental update.
        guard s.managedBy == Cluster.controllerName, let svc = s.serviceName else { continue }
        let sk = NamespacedName(namespace: s.namespace, name: svc)
        for ep in s.endpoints {
          guard let ref = ep.targetRef, ref.kind == "Pod" else { continue }
          let pk = NamespacedName(namespace: ref.namespace, name: ref.name)
          endpointHome[sk, default: [:]][s.addressType, default: [:]][pk] = s.name
        }
      }
      for d in dump.deployments {
        guard deploymentStore[d.key] == nil else {
          throw .alreadyExists(resource: "deployments.apps", name: d.name)
        }
        var dep = d
        dep.metadata.uid = takeUID()
        putDeployment(dep.key, dep)
      }
      return notes
    }
  }
}
