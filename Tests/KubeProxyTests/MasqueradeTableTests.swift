import NetAddr
import Testing

@testable import KubeProxy

/// One row of kube-proxy's `TestInternalExternalMasquerade` table (reference §7), run through
/// `connect` from node-1's point of view with endpoints web-1 (node-1) and web-2 (node-2).
struct MasqueradeCase: CustomTestStringConvertible, Sendable {
  var name: String
  var source: ConnectSource
  var destination: String
  var port: Int
  var eTPLocal = false
  var iTPLocal = false
  var mode: ProxyConfig.Mode = .iptables
  /// Backends reached over many connections, or a failure word.
  var expected: Set<String>
  var masquerade: Bool
  var testDescription: String { "\(mode.rawValue): \(name)" }
}

private let pod = ConnectSource.pod(PacketFixture.client)
private let node = ConnectSource.node("node-1")
private let external = ConnectSource.external(ip("203.0.113.7"))
private let all: Set<String> = ["web-1", "web-2"]

let masqueradeCases: [MasqueradeCase] = [
  .init(
    name: "pod -> ClusterIP", source: pod, destination: "172.30.0.41", port: 80, expected: all,
    masquerade: false),
  .init(
    name: "pod -> NodePort", source: pod, destination: "10.1.0.1", port: 30080, expected: all,
    masquerade: true),
  .init(
    name: "pod -> LB", source: pod, destination: "1.2.3.4", port: 80, expected: all,
    masquerade: true),
  .init(
    name: "node -> ClusterIP", source: node, destination: "172.30.0.41", port: 80, expected: all,
    masquerade: true),
  .init(
    name: "node -> NodePort", source: node, destination: "10.1.0.1", port: 30080, expected: all,
    masquerade: true),
  .init(
    name: "node -> LB", source: node, destination: "1.2.3.4", port: 80, expected: all,
    masquerade: true),
  .init(
    name: "localhost -> NodePort", source: node, destination: "127.0.0.1", port: 30080,
    expected: all, masquerade: true),
  .init(
    name: "external -> ClusterIP is not routed", source: external, destination: "172.30.0.41",
    port: 80, expected: ["unreachable"], masquerade: false),
  .init(
    name: "external -> NodePort", source: external, destination: "10.1.0.1", port: 30080,
    expected: all, masquerade: true),
  .init(
    name: "external -> LB", source: external, destination: "1.2.3.4", port: 80, expected: all,
    masquerade: true),
  .init(
    name: "pod -> ClusterIP of eTP Local", source: pod, destination: "172.30.0.41", port: 80,
    eTPLocal: true, expected: all, masquerade: false),
  .init(
    name: "pod -> NodePort of eTP Local (short-circuit)", source: pod, destination: "10.1.0.1",
    port: 30080, eTPLocal: true, expected: all, masquerade: false),
  .init(
    name: "pod -> LB of eTP Local (short-circuit)", source: pod, destination: "1.2.3.4", port: 80,
    eTPLocal: true, expected: all, masquerade: false),
  .init(
    name: "node -> NodePort of eTP Local", source: node, destination: "10.1.0.1", port: 30080,
    eTPLocal: true, expected: all, masquerade: true),
  .init(
    name: "localhost -> NodePort of eTP Local", source: node, destination: "127.0.0.1", port: 30080,
    eTPLocal: true, expected: all, masquerade: true),
  .init(
    name: "external -> NodePort of eTP Local", source: external, destination: "10.1.0.1",
    port: 30080, eTPLocal: true, expected: ["web-1"], masquerade: false),
  .init(
    name: "external -> NodePort of eTP Local, no local endpoint", source: external,
    destination: "10.1.0.3", port: 30080, eTPLocal: true, expected: ["dropped"], masquerade: false),
  .init(
    name: "pod -> ClusterIP of iTP Local", source: pod, destination: "172.30.0.41", port: 80,
    iTPLocal: true, expected: ["web-1"], masquerade: false),
  .init(
    name: "node -> ClusterIP of iTP Local", source: node, destination: "172.30.0.41", port: 80,
    iTPLocal: true, expected: ["web-1"], masquerade: true),
  .init(
    name: "external -> NodePort of iTP Local", source: external, destination: "10.1.0.1",
    port: 30080, iTPLocal: true, expected: all, masquerade: true),
  // nftables: same decisions, but no NodePorts on 127.0.0.1.
  .init(
    name: "pod -> NodePort of eTP Local (short-circuit)", source: pod, destination: "10.1.0.1",
    port: 30080, eTPLocal: true, mode: .nftables, expected: all, masquerade: false),
  .init(
    name: "external -> NodePort of eTP Local", source: external, destination: "10.1.0.1",
    port: 30080, eTPLocal: true, mode: .nftables, expected: ["web-1"], masquerade: false),
  // No localhost NodePorts in nftables mode: the node's own loopback answers with a reset.
  .init(
    name: "localhost -> NodePort never works", source: node, destination: "127.0.0.1", port: 30080,
    mode: .nftables, expected: ["refused"], masquerade: false),
]

@Test(arguments: masqueradeCases)
func masqueradeTable(_ c: MasqueradeCase) {
  var fixture = PacketFixture(
    mode: c.mode, backends: [1, 2], eTPLocal: c.eTPLocal, iTPLocal: c.iTPLocal)
  var seen = Set<String>()
  var snat = Set<Bool>()
  for _ in 0..<60 {
    let outcome = fixture.connect(c.source, c.destination, c.port)
    switch outcome.result {
    case .success(let connection):
      seen.insert(connection.pod?.name ?? "?")
      // The MASQUERADE step, not the address: a node talking to its own pod keeps its IP.
      snat.insert(
        outcome.trace.contains {
          $0.kind == .snat && $0.text.contains("MASQUERADE")
            || $0.kind == .snat && $0.text.contains("masquerade")
        })
    case .failure(let failure):
      seen.insert(failure.kind.rawValue)
    }
  }
  #expect(seen == c.expected)
  if !snat.isEmpty { #expect(snat == [c.masquerade]) }
}
