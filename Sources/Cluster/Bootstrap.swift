import NetAddr

/// The objects a new cluster starts with.
extension Cluster {
  /// Creates the default nodes and, with `system`, what kubeadm sets up: the system
  /// namespaces, `default/kubernetes` with the API server's own EndpointSlice, and
  /// `kube-system/kube-dns` backed by a two-pod `coredns` Deployment.
  func bootstrap() throws(ClusterError) {
    _ = try insertNamespace("default", labels: [:])
    guard config.system else { return }
    for ns in ["kube-system", "kube-public", "kube-node-lease"] {
      _ = try insertNamespace(ns, labels: [:])
    }
    let names = config.nodeNames ?? (0..<max(0, config.nodeCount)).map { "node-\($0 + 1)" }
    try checkPodCIDRCapacity(names.count)
    for (i, name) in names.enumerated() {
      let zone = ClusterConfig.defaultZones[i % ClusterConfig.defaultZones.count]
      _ = try insertNode(
        name, NodeOptions(zone: zone, region: ClusterConfig.defaultRegion), sequence: i)
    }
    try createKubernetesService()
    try createClusterDNS()
  }

  /// Refuses a cluster whose pod CIDR cannot give each of `count` nodes its /24 (or /64):
  /// kube-controller-manager would leave the extra nodes without `spec.podCIDR`, and their pods
  /// would never get addresses. (kind's default 10.244.0.0/16 holds 256 nodes.)
  private func checkPodCIDRCapacity(_ count: Int) throws(ClusterError) {
    for (idx, pc) in podCIDRs.enumerated() {
      let bits = ConfigParsing.nodeMaskLength(pc.family) - pc.prefixLength
      let capacity = bits >= 62 ? Int.max : 1 << bits
      guard count > capacity else { continue }
      throw .badConfig(
        "pod CIDR \(pc) holds \(capacity) node subnets of "
          + "/\(ConfigParsing.nodeMaskLength(pc.family)), fewer than the \(count) nodes "
          + "(kube-controller-manager: failed to allocate cidr from cluster cidr "
          + "at idx:\(idx): \(Self.noCIDRsRemaining)); give a larger podCIDR, "
          + "e.g. \"10.128.0.0/11\" holds 8192")
    }
  }

  /// The address at `index` of the first Service CIDR (1 = `kubernetes`, 10 = `kube-dns`).
  private func systemServiceIP(_ index: UInt64) throws(ClusterError) -> String {
    guard let c = serviceCIDRs.first, let ip = c.address(at: index) else {
      throw .badConfig("service CIDR is too small for the system Services")
    }
    return ip.description
  }

  private func createKubernetesService() throws(ClusterError) {
    let spec = ServiceSpec(
      ports: [ServicePort(name: "https", protocol: .tcp, port: 443, targetPort: .int(6443))],
      clusterIP: try systemServiceIP(1))
    let svc = try insertService(
      "kubernetes", namespace: "default", spec: spec,
      labels: ["component": "apiserver", "provider": "kubernetes"])
    // The API server writes this slice itself (`endpointsadapter.go`): named after the
    // Service, labelled only with the service name, one ready endpoint per API server.
    guard let first = nodes().first else { return }
    let type = AddressType(first.internalIP.family)
    guard svc.spec.ipFamilies.first.map(AddressType.init) == type else { return }
    let slice = EndpointSlice(
      metadata: newMeta(
        name: "kubernetes", namespace: "default", labels: [WellKnownLabel.serviceName: "kubernetes"]
      ),
      addressType: type,
      endpoints: [
        Endpoint(
          addresses: [first.internalIP.description], conditions: EndpointConditions(ready: true))
      ],
      ports: [EndpointPort(name: "https", port: 6443, protocol: .tcp)])
    putSlice(slice.key, slice)
    // ... and the v1 Endpoints beside it, labelled so that the mirroring controller leaves it.
    let ep = V1Endpoints(
      metadata: newMeta(
        name: "kubernetes", namespace: "default", labels: [EndpointsAnnotation.skipMirror: "true"]),
      subsets: [
        EndpointSubset(
          addresses: [EndpointAddress(ip: first.internalIP.description)],
          ports: [EndpointPort(name: "https", port: 6443, protocol: .tcp)])
      ])
    putEndpoints(ep.key, ep)
  }

  private func createClusterDNS() throws(ClusterError) {
    let labels = ["k8s-app": "kube-dns"]
    let ports = [
      ContainerPort(name: "dns", containerPort: 53, protocol: .udp),
      ContainerPort(name: "dns-tcp", containerPort: 53, protocol: .tcp),
      ContainerPort(name: "metrics", containerPort: 9153, protocol: .tcp),
    ]
    _ = try insertDeployment(
      "coredns",
      DeploymentOptions(
        namespace: "kube-system", replicas: 2, labels: labels, ports: ports, dnsPolicy: .default))
    let spec = ServiceSpec(
      selector: labels,
      ports: [
        ServicePort(name: "dns", protocol: .udp, port: 53, targetPort: .int(53)),
        ServicePort(name: "dns-tcp", protocol: .tcp, port: 53, targetPort: .int(53)),
        ServicePort(name: "metrics", protocol: .tcp, port: 9153, targetPort: .int(9153)),
      ],
      clusterIP: try systemServiceIP(10))
    _ = try insertService(
      "kube-dns", namespace: "kube-system", spec: spec,
      labels: [
        "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true",
        "kubernetes.io/name": "CoreDNS",
      ])
  }
}
