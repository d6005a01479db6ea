// The wire server alone, for profiling and benchmarking without the Lua lab: N ClusterIP
// Services in namespace default served by `WireServer` over the CoreDNS engine with the
// kubeadm Corefile's settings, plus the unbound zone and dnsperf queries Scripts/bench-dns.sh
// writes (same names, same 90 % / 10 % mix). Built with swiftc from Sources/NetAddr,
// Sources/CoreDNS and Sources/Wire (see Docs/Benchmarks.md, "DNS on the wire").
//   wire-server OUT N PORT
import CoreDNS
import Foundation
import NetAddr
import Wire

let args = CommandLine.arguments
let out = args[1]
let n = Int(args[2]) ?? 10000
let port = args[3]
let dns = DNSServer(
  settings: KubernetesPluginSettings(), localAddresses: [IPAddress("10.244.0.5")!])
let t: Int64 = 1_700_000_000
dns.apply(.namespace(old: nil, new: DNSNamespace(name: "default")), at: t)
for i in stride(from: 1, through: n, by: 1) {
  let ip = IPAddress(v4: 0x0A60_0000 | UInt32(i + 10))
  dns.apply(
    .service(
      old: nil,
      new: DNSService(
        namespace: "default", name: String(format: "svc-%05d", i), clusterIPs: [ip],
        ports: [DNSServicePort(name: "http", port: 80)])), at: t)
}
var rng = SystemRandomNumberGenerator()
var zone = "server:\n  local-zone: \"cluster.local.\" static\n"
let soa = dns.query(name: "cluster.local.", type: .soa, using: &rng).answer[0]
zone += "  local-data: \"cluster.local. \(soa.ttl) IN SOA \(soa.data)\"\n"
var names: [String] = []
for i in stride(from: 1, through: n, by: 1) {
  let name = String(format: "svc-%05d.default.svc.cluster.local.", i)
  let a = dns.query(name: name, type: .a, using: &rng).answer[0]
  zone += "  local-data: \"\(name) \(a.ttl) IN A \(a.data)\"\n"
  names.append(name)
}
try! zone.write(toFile: out + "/zone.conf", atomically: true, encoding: .utf8)
var queries = ""
var state = 12345
for i in stride(from: 1, through: n > 0 ? 100_000 : 0, by: 1) {
  state = (state * 1_103_515_245 + 12345) % 2_147_483_648
  queries +=
    i % 10 == 0
    ? "missing-\(state % 100_000).default.svc.cluster.local. A\n" : names[state % n] + " A\n"
}
try! queries.write(toFile: out + "/queries.txt", atomically: true, encoding: .utf8)
let server = try! WireServer(listen: ["127.0.0.1:\(port)"], engine: dns)
server.start()
print("serving on \(server.addresses)")
fflush(stdout)
while true { sleep(3600) }
