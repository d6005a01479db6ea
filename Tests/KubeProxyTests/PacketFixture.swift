import NetAddr

@testable import KubeProxy

/// A three-node cluster: node-N has IP 10.1.0.N and pod CIDR 10.0.N.0/24; backend pods
/// web-N at 10.0.N.5 listen on 8080/TCP; a client pod at 10.0.1.9 on node-1. Service ns1/web
/// (port p80, 80 → 8080) has ClusterIP 172.30.0.41, NodePort 30080 and LB IP 1.2.3.4.
struct PacketFixture {
  var cluster: ProxyCluster
  var port: ProxyServicePort
  var rng = SeededGenerator(seed: 42)

  static let service = NamespacedName(namespace: "ns1", name: "web")
  static let client = NamespacedName(namespace: "ns1", name: "client")

  init(
    mode: ProxyConfig.Mode = .iptables, scheduler: String = "rr", backends: [Int] = [1, 2, 3],
    eTPLocal: Bool = false, iTPLocal: Bool = false, affinity: Int? = nil,
    sourceRanges: [String] = [], network: PodNetworkMode = .ipip,
    extraClients: [String] = []
  ) {
    cluster = ProxyCluster(namer: TestChainNamer(), podNetwork: network)
    var config = ProxyConfig()
    config.mode = mode
    config.ipvsScheduler = scheduler
    config.clusterCIDR = cidr("10.0.0.0/16")
    cluster.setProxyConfig(config)
    for n in 1...3 {
      cluster.upsertNode(
        ProxyNode(
          name: "node-\(n)", ips: [ip("10.1.0.\(n)")], podCIDR: cidr("10.0.\(n).0/24"),
          zone: "zone-\(n)"))
      cluster.upsertPod(
        ProxyPod(
          namespace: "ns1", name: "web-\(n)", ips: [ip("10.0.\(n).5")], nodeName: "node-\(n)",
          listening: [ProxyListen(port: 8080, proto: .tcp)]))
    }
    cluster.upsertPod(
      ProxyPod(
        namespace: "ns1", name: "client", ips: [ip("10.0.1.9")], nodeName: "node-1"))
    for (i, address) in extraClients.enumerated() {
      cluster.upsertPod(
        ProxyPod(
          namespace: "ns1", name: "client-\(i)", ips: [ip(address)], nodeName: "node-1"))
    }
    port = svcPort(
      type: .loadBalancer, nodePort: 30080, lbIPs: ["1.2.3.4"], sourceRanges: sourceRanges,
      affinity: affinity, eTPLocal: eTPLocal, iTPLocal: iTPLocal,
      healthCheckNodePort: eTPLocal ? 30000 : 0)
    cluster.updateService(Self.service, previous: nil, current: [port])
    cluster.updateEndpointSlice(
      previous: nil,
      current: ProxyEndpointSlice(
        namespace: "ns1", name: "web-abc", serviceName: "web", addressType: .v4,
        endpoints: backends.map {
          .init(addresses: [ip("10.0.\($0).5")], nodeName: "node-\($0)", podName: "ns1/web-\($0)")
        },
        ports: [.init(name: "p80", port: 8080, proto: .tcp)]))
    cluster.sync()
  }

  mutating func connect(
    _ source: ConnectSource, _ address: String, _ number: Int, sourcePort: Int? = nil,
    keep: Bool = false, now: Double = 0
  ) -> ConnectOutcome {
    cluster.connect(
      from: source, to: ConnectDestination(ip: ip(address), port: number),
      options: ConnectOptions(sourcePort: sourcePort, keep: keep, now: now), using: &rng)
  }
}
