import NetAddr
import Testing

@testable import CoreDNS

/// A deterministic random source (SplitMix64) so shuffles are reproducible.
struct SeededRNG: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

func ip(_ s: String) -> IPAddress {
  guard let a = IPAddress(s) else { fatalError("bad IP in test fixture: \(s)") }
  return a
}

/// The time every fixture object is applied at, which becomes the SOA serial.
let fixtureTime: Int64 = 1_700_000_000

/// The objects of the handler tests, in the spirit of CoreDNS's `APIConnServeTest`.
enum Fixture {
  static let namespaces = ["testns", "default", "kube-system"]

  static let services: [DNSService] = [
    DNSService(
      namespace: "testns", name: "svc1", clusterIPs: [ip("10.0.0.1")],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSService(
      namespace: "testns", name: "svcempty", clusterIPs: [ip("10.0.0.2")],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSService(
      namespace: "testns", name: "svc6", clusterIPs: [ip("1234:abcd::1")],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSService(
      namespace: "testns", name: "dual", clusterIPs: [ip("10.0.0.4"), ip("fd00::4")],
      ports: [
        DNSServicePort(name: "http", port: 80), DNSServicePort(name: "", protocol: "UDP", port: 53),
      ]),
    DNSService(namespace: "testns", name: "noports", clusterIPs: [ip("10.0.0.5")]),
    DNSService(
      namespace: "testns", name: "hdls1", kind: .headless,
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSService(namespace: "testns", name: "hdlsempty", kind: .headless),
    DNSService(
      namespace: "testns", name: "external", kind: .externalName, externalName: "ext.interwebs.test"
    ),
    DNSService(
      namespace: "testns", name: "external-to-service", kind: .externalName,
      externalName: "svc1.testns.svc.cluster.local"),
    DNSService(
      namespace: "testns", name: "extloop", kind: .externalName,
      externalName: "extloop.testns.svc.cluster.local"),
    DNSService(namespace: "testns", name: "ext-ip", kind: .externalName, externalName: "1.2.3.4"),
    DNSService(
      namespace: "default", name: "kubernetes", clusterIPs: [ip("10.96.0.1")],
      ports: [DNSServicePort(name: "https", port: 443)]),
    DNSService(
      namespace: "kube-system", name: "kube-dns", clusterIPs: [ip("10.96.0.10")],
      ports: [
        DNSServicePort(name: "dns", protocol: "UDP", port: 53),
        DNSServicePort(name: "dns-tcp", protocol: "TCP", port: 53),
        DNSServicePort(name: "metrics", protocol: "TCP", port: 9153),
      ]),
  ]

  static let slices: [DNSEndpointSlice] = [
    DNSEndpointSlice(
      namespace: "testns", name: "svc1-abc", serviceName: "svc1",
      endpoints: [DNSEndpoint(addresses: [ip("172.0.0.1")], hostname: "ep1a")],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSEndpointSlice(
      namespace: "testns", name: "svc6-abc", serviceName: "svc6", addressType: "IPv6",
      endpoints: [DNSEndpoint(addresses: [ip("1234:abcd::2")])],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSEndpointSlice(
      namespace: "testns", name: "hdls1-v4", serviceName: "hdls1",
      endpoints: [
        DNSEndpoint(addresses: [ip("172.0.0.2")], hostname: "dup-name"),
        DNSEndpoint(addresses: [ip("172.0.0.3")], hostname: "dup-name", ready: nil),
        DNSEndpoint(addresses: [ip("172.0.0.4")], targetPodName: "pod-4"),
        DNSEndpoint(addresses: [ip("172.0.0.9")], ready: false),
      ],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSEndpointSlice(
      namespace: "testns", name: "hdls1-v6", serviceName: "hdls1", addressType: "IPv6",
      endpoints: [DNSEndpoint(addresses: [ip("5678:abcd::1")])],
      ports: [DNSServicePort(name: "http", port: 80)]),
    DNSEndpointSlice(
      namespace: "testns", name: "hdlsempty-1", serviceName: "hdlsempty",
      endpoints: [DNSEndpoint(addresses: [ip("172.0.0.20")], ready: false)]),
    DNSEndpointSlice(
      namespace: "default", name: "kubernetes", serviceName: "kubernetes",
      endpoints: [DNSEndpoint(addresses: [ip("192.168.0.2")])],
      ports: [DNSServicePort(name: "https", port: 6443)]),
    DNSEndpointSlice(
      namespace: "kube-system", name: "kube-dns-1", serviceName: "kube-dns",
      endpoints: [DNSEndpoint(addresses: [ip("10.244.0.5")], targetPodName: "coredns-abc")],
      ports: [DNSServicePort(name: "dns", protocol: "UDP", port: 53)]),
  ]

  static let pods: [DNSPod] = [
    DNSPod(namespace: "testns", name: "client", ip: ip("10.244.1.5")),
    DNSPod(namespace: "default", name: "other", ip: ip("10.244.1.6")),
    DNSPod(namespace: "testns", name: "gone", ip: ip("10.244.1.7"), terminating: true),
  ]

  /// The world outside the cluster.
  static var external: ExternalRecords {
    var x = ExternalRecords()
    x.add(name: "ext.interwebs.test", type: .a, data: "1.2.3.4", ttl: 300)
    x.add(name: "example.com", type: .a, data: "93.184.216.34", ttl: 300)
    x.add(name: "www.example.com", type: .cname, data: "example.com", ttl: 120)
    x.add(name: "8.8.8.8.in-addr.arpa", type: .ptr, data: "dns.google", ttl: 600)
    return x
  }

  /// Settings of the handler tests: the kubeadm zones with TTL 5, no cache or loadbalance
  /// (deterministic), forward and reverse fallthrough on.
  static var settings: KubernetesPluginSettings {
    var s = KubernetesPluginSettings.pluginDefaults
    s.fallthroughZones = ["in-addr.arpa.", "ip6.arpa."]
    s.forward = ForwardSettings()
    return s
  }

  /// A server loaded with every fixture object.
  static func server(_ configure: (inout KubernetesPluginSettings) -> Void = { _ in }) -> DNSServer
  {
    var s = settings
    configure(&s)
    let server = DNSServer(settings: s, localAddresses: [ip("10.244.0.5")], external: external)
    for ns in namespaces {
      server.apply(.namespace(old: nil, new: DNSNamespace(name: ns)), at: fixtureTime)
    }
    for svc in services { server.apply(.service(old: nil, new: svc), at: fixtureTime) }
    for sl in slices { server.apply(.endpointSlice(old: nil, new: sl), at: fixtureTime) }
    for p in pods { server.apply(.pod(old: nil, new: p), at: fixtureTime) }
    return server
  }
}

/// The negative-answer SOA of a zone at TTL 5 as a zone line.
func soa(_ zone: String = "cluster.local.", ttl: UInt32 = 5, serial: Int64 = fixtureTime) -> String
{
  "\(zone) \(min(ttl, 300)) IN SOA ns.dns.\(zone) "
    + "hostmaster.\(zone) \(serial) 7200 1800 86400 \(ttl)"
}

extension DNSServer {
  /// A query with a fixed seed, for tests that do not look at ordering.
  func ask(_ name: String, _ type: RRType, from client: String? = nil) -> DNSResponse {
    var rng = SeededRNG(seed: 1)
    return query(name: name, type: type, client: client.map(ip), using: &rng)
  }
}
