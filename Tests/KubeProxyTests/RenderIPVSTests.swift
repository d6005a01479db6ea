import NetAddr
import Testing

@testable import KubeProxy

@Suite struct RenderIPVSTests {
  /// A DNS service as `ipvsadm -Ln` prints it (column layout from ipvsadm's printf formats;
  /// the last column is padded to 10 as well).
  @Test func dnsServiceLayout() {
    let spn = Fixture.spn("kube-system", "kube-dns", "dns", .udp)
    let server = IPVSVirtualServer(
      address: Fixture.ip("10.96.0.10"), port: 53, proto: .tcp, scheduler: "rr",
      persistentTimeout: nil, sourcePortHash: false, servicePort: spn,
      realServers: [
        IPVSRealServer(address: Fixture.ip("10.244.0.3"), port: 53),
        IPVSRealServer(address: Fixture.ip("10.244.0.2"), port: 53, activeConnections: 2),
      ])
    let expected = """
      IP Virtual Server version 1.2.1 (size=4096)
      Prot LocalAddress:Port Scheduler Flags
        -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
      TCP  10.96.0.10:53 rr
        -> 10.244.0.2:53                Masq    1      2          0         \("")
        -> 10.244.0.3:53                Masq    1      0          0         \("")

      """
    #expect(renderIPVSAdm([server]) == expected)
  }

  @Test func persistenceAndMaglevFlags() {
    let server = IPVSVirtualServer(
      address: Fixture.ip("fd00::10"), port: 80, proto: .sctp, scheduler: "mh",
      persistentTimeout: 10800, sourcePortHash: true, servicePort: Fixture.spn("a", "b", ""),
      realServers: [IPVSRealServer(address: Fixture.ip("fd00:10:180::1"), port: 8080, weight: 0)])
    var text = TextBuffer()
    writeServiceLine(server, into: &text)
    writeRealServerLine(server.realServers[0], into: &text)
    #expect(
      text.string == """
        SCTP  [fd00::10]:80 mh (mh-port) persistent 10800
          -> [fd00:10:180::1]:8080        Masq    0      0          0         \n
        """)
  }

  /// libipvs compares address words as C int differences: family, then protocol number, then
  /// address; addresses 2^31 or more apart compare backwards.
  @Test func ipvsadmSortOrder() {
    func vs(_ ip: String, _ port: Int, _ proto: ProxyProtocol = .tcp) -> IPVSVirtualServer {
      IPVSVirtualServer(
        address: Fixture.ip(ip), port: port, proto: proto, scheduler: "rr", persistentTimeout: nil,
        sourcePortHash: false, servicePort: Fixture.spn("a", "b", ""), realServers: [])
    }
    #expect(compareServices(vs("10.96.0.1", 443), vs("10.96.0.10", 53)) < 0)
    #expect(compareServices(vs("10.96.0.10", 53), vs("10.96.0.10", 9153)) < 0)
    #expect(compareServices(vs("10.96.0.10", 53, .udp), vs("10.96.0.10", 53, .tcp)) > 0)
    #expect(compareServices(vs("fd00::1", 80), vs("10.96.0.1", 80)) > 0)
    #expect(compareServices(vs("10.96.0.1", 443), vs("192.168.0.2", 30080)) > 0)
    let text = renderIPVSAdm([vs("10.96.0.1", 443), vs("192.168.0.2", 30080), vs("10.96.0.10", 53)])
    let services = text.split(separator: "\n").dropFirst(3).map(String.init)
    #expect(
      services == ["TCP  192.168.0.2:30080 rr", "TCP  10.96.0.1:443 rr", "TCP  10.96.0.10:53 rr"])
  }

  /// The overall fixture in IPVS mode: one virtual server per address, NodePorts on the node
  /// IP only, Local policy without local endpoints falling back to cluster endpoints, the
  /// no-endpoint service present without real servers.
  @Test func overallFixtureVirtualServers() {
    let servers = ipvsVirtualServers(
      node: Fixture.node, config: Fixture.config, decisions: Fixture.overallDecisions)
    let byKey = Dictionary(
      servers.map { ("\($0.proto.rawValue) \($0.address.joined(port: $0.port))", $0) },
      uniquingKeysWith: { a, _ in a })
    #expect(
      Set(byKey.keys) == [
        "TCP 172.30.0.41:80", "TCP 172.30.0.42:80", "TCP 192.168.99.22:80", "TCP 1.2.3.4:80",
        "TCP 192.168.0.2:3001", "TCP 172.30.0.43:80", "TCP 192.168.0.2:3003", "TCP 172.30.0.44:80",
        "TCP 192.168.99.33:80", "TCP 172.30.0.45:80", "TCP 5.6.7.8:80", "TCP 192.168.0.2:3002",
        "TCP 172.30.0.46:80",
      ])
    #expect(byKey["TCP 1.2.3.4:80"]?.realServers.map(\.description) == ["10.180.0.2:80"])
    #expect(byKey["TCP 172.30.0.46:80"]?.realServers.isEmpty == true)
    #expect(byKey["TCP 5.6.7.8:80"]?.persistentTimeout == 10800)
    #expect(byKey["TCP 172.30.0.44:80"]?.realServers.count == 2)
    let text = renderIPVSAdm(servers)
    #expect(text.contains("TCP  5.6.7.8:80 rr persistent 10800\n"))
    #expect(
      text.contains("  -> 10.180.0.3:80                Masq    1      0          0         \n"))
  }

  @Test func localPolicyUsesLocalEndpointsWhenPresent() {
    let port = ProxyServicePort(
      name: Fixture.spn("ns", "web", "http"), type: .nodePort, family: .v4,
      clusterIP: Fixture.ip("10.96.0.20"), port: 80, nodePort: 30080, externalPolicyLocal: true)
    let local = ProxyEndpoint(ip: Fixture.ip("10.244.1.5"), port: 8080, nodeName: "test-node")
    let remote = ProxyEndpoint(ip: Fixture.ip("10.244.2.5"), port: 8080, nodeName: "node2")
    let decision = Fixture.decide(port, [local, remote], node: "test-node")
    var config = Fixture.config
    config.ipvsScheduler = "mh"
    let servers = ipvsVirtualServers(node: Fixture.node, config: config, decisions: [decision])
    let nodePort = servers.first { $0.port == 30080 }
    let cluster = servers.first { $0.port == 80 }
    #expect(nodePort?.realServers.map(\.description) == ["10.244.1.5:8080"])
    #expect(cluster?.realServers.count == 2)
    #expect(nodePort?.sourcePortHash == true)
  }
}
