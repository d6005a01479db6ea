import CoreDNS
import NetAddr

@testable import Wire

#if canImport(Glibc)
  import Glibc
#endif

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

/// A small cluster as CoreDNS sees it: a ClusterIP Service, a headless one with `count`
/// ready endpoints, an ExternalName, kube-dns, and the outside world.
enum WireFixture {
  static func server(headless count: Int = 3) -> DNSServer {
    var settings = KubernetesPluginSettings.pluginDefaults
    settings.fallthroughZones = ["in-addr.arpa.", "ip6.arpa."]
    settings.forward = ForwardSettings()
    var external = ExternalRecords()
    external.add(name: "example.com", type: .a, data: "93.184.216.34", ttl: 300)
    external.add(name: "example.com", type: .txt, data: "\"v=spf1 -all\" \"two\"", ttl: 300)
    external.add(name: "example.com", type: .mx, data: "10 mail.example.com.", ttl: 300)
    let s = DNSServer(settings: settings, localAddresses: [ip("10.244.0.5")], external: external)
    let t: Int64 = 1_700_000_000
    for ns in ["default", "kube-system"] {
      s.apply(.namespace(old: nil, new: DNSNamespace(name: ns)), at: t)
    }
    let services = [
      DNSService(
        namespace: "default", name: "web", clusterIPs: [ip("10.96.0.20"), ip("fd00:10:96::20")],
        ports: [DNSServicePort(name: "http", port: 80)]),
      DNSService(
        namespace: "default", name: "db", kind: .headless,
        ports: [DNSServicePort(name: "pg", port: 5432)]),
      DNSService(
        namespace: "default", name: "ext", kind: .externalName, externalName: "example.com"),
      DNSService(
        namespace: "kube-system", name: "kube-dns", clusterIPs: [ip("10.96.0.10")],
        ports: [DNSServicePort(name: "dns", protocol: "UDP", port: 53)]),
    ]
    for svc in services { s.apply(.service(old: nil, new: svc), at: t) }
    let eps = (0..<count).map { i in
      DNSEndpoint(addresses: [ip("10.244.\(1 + i / 250).\(1 + i % 250)")], hostname: "db-\(i)")
    }
    s.apply(
      .endpointSlice(
        old: nil,
        new: DNSEndpointSlice(
          namespace: "default", name: "db-1", serviceName: "db", endpoints: eps,
          ports: [DNSServicePort(name: "pg", port: 5432)])), at: t)
    s.apply(
      .endpointSlice(
        old: nil,
        new: DNSEndpointSlice(
          namespace: "default", name: "web-1", serviceName: "web",
          endpoints: [DNSEndpoint(addresses: [ip("10.244.9.9")])],
          ports: [DNSServicePort(name: "http", port: 80)])), at: t)
    return s
  }
}

/// A query message: one question, RD set, optional OPT.
func queryBytes(
  _ name: String, _ type: UInt16, id: UInt16 = 0x1234, rd: Bool = true, edns: UInt16? = nil,
  rrclass: UInt16 = 1
) -> [UInt8] {
  var h = WireHeader(id: id)
  h.rd = rd
  var m = WireMessage(header: h)
  m.questions = [WireQuestion(name: name, type: type, rrclass: rrclass)]
  m.edns = edns.map { WireEDNS(udpSize: $0) }
  return try! m.bytes()
}

/// Answers `bytes` from `server` as the wire server would.
func ask(_ server: DNSServer, _ bytes: [UInt8], tcp: Bool = false) -> (WireMessage?, [UInt8]?) {
  var rng = SeededRNG(seed: 7)
  var log = QueryLogEntry(
    time: 0, client: "", transport: "", name: "", type: "", rcode: "", truncated: false)
  let reply = Responder.reply(to: bytes, overTCP: tcp, log: &log) { n, t in
    server.query(name: n, type: t, client: nil, using: &rng)
  }
  return (reply.flatMap { try? WireMessage(parsing: $0) }, reply)
}

/// The port of a server's first address.
func port(_ server: WireServer) -> UInt16 {
  UInt16(server.addresses[0].split(separator: ":").last.map(String.init) ?? "0") ?? 0
}

/// 127.0.0.1:`port`.
func loopback(_ port: UInt16) -> sockaddr_in {
  var a = sockaddr_in()
  a.sin_family = sa_family_t(AF_INET)
  a.sin_port = port.bigEndian
  a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
  return a
}

/// An IPv4 socket of `type` whose reads give up after 2 seconds.
func timedSocket(_ type: __socket_type) -> Int32 {
  let fd = socket(AF_INET, Int32(type.rawValue), 0)
  var tv = timeval(tv_sec: 2, tv_usec: 0)
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
  return fd
}
