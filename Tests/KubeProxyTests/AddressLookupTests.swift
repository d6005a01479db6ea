import NetAddr
import Testing

@testable import KubeProxy

/// `clusterIPPorts(at:)`: the Service ports answering on a ClusterIP, from the address index
/// as Services come and go; external and load-balancer IPs are not ClusterIPs.
@Test func clusterIPPortsFollowServiceChanges() {
  let fixture = PacketFixture()
  let cluster = fixture.cluster
  #expect(cluster.clusterIPPorts(at: ip("172.30.0.41")) == [fixture.port])
  #expect(cluster.clusterIPPorts(at: ip("1.2.3.4")) == [])
  #expect(cluster.clusterIPPorts(at: ip("10.1.0.1")) == [])
  let dns = svcPort("web", port: "p53", number: 53, proto: .udp)
  cluster.updateService(
    PacketFixture.service, previous: [fixture.port], current: [fixture.port, dns])
  cluster.sync()
  #expect(cluster.clusterIPPorts(at: ip("172.30.0.41")).map(\.port).sorted() == [53, 80])
  cluster.updateService(PacketFixture.service, previous: [fixture.port, dns], current: nil)
  cluster.sync()
  #expect(cluster.clusterIPPorts(at: ip("172.30.0.41")) == [])
}
