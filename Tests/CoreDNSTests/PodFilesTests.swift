import Testing

@testable import CoreDNS

@Suite("resolv.conf and /etc/hosts")
struct PodFilesTests {
  static let kubelet = KubeletDNS(
    clusterDNS: ["10.96.0.10"], clusterDomain: "cluster.local",
    nodeResolvConf: ResolverConfig(
      parsing: "nameserver 192.168.0.1\nsearch example.internal.\noptions edns0\n"))

  struct Case: CustomTestStringConvertible, Sendable {
    let note: String
    var policy: DNSPolicy = .clusterFirst
    var hostNetwork = false
    var dnsConfig: PodDNSConfig?
    var kubelet = PodFilesTests.kubelet
    let expected: String
    var events = 0
    var testDescription: String { note }
  }

  static let cases: [Case] = [
    Case(
      note: "ClusterFirst",
      expected: """
        search default.svc.cluster.local svc.cluster.local cluster.local example.internal
        nameserver 10.96.0.10
        options ndots:5

        """),
    Case(
      note: "ClusterFirst on the host network behaves as Default", hostNetwork: true,
      expected: """
        search example.internal
        nameserver 192.168.0.1
        options edns0

        """),
    Case(
      note: "ClusterFirstWithHostNet", policy: .clusterFirstWithHostNet, hostNetwork: true,
      expected: """
        search default.svc.cluster.local svc.cluster.local cluster.local example.internal
        nameserver 10.96.0.10
        options ndots:5

        """),
    Case(
      note: "None takes only dnsConfig", policy: .none,
      dnsConfig: PodDNSConfig(
        nameservers: ["1.1.1.1"], searches: ["a.example"],
        options: [PodDNSOption(name: "ndots", value: "2"), PodDNSOption(name: "edns0")]),
      expected: "search a.example\nnameserver 1.1.1.1\noptions ndots:2 edns0\n"),
    Case(
      note: "dnsConfig merges into ClusterFirst",
      dnsConfig: PodDNSConfig(
        nameservers: ["10.96.0.10", "8.8.8.8"], searches: ["cluster.local", "corp.example"],
        options: [
          PodDNSOption(name: "ndots", value: "2"), PodDNSOption(name: "single-request-reopen"),
        ]),
      expected: """
        search default.svc.cluster.local svc.cluster.local cluster.local example.internal \
        corp.example
        nameserver 10.96.0.10
        nameserver 8.8.8.8
        options ndots:2 single-request-reopen

        """),
    Case(
      note: "more than 3 nameservers are cut", policy: .none,
      dnsConfig: PodDNSConfig(nameservers: ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"]),
      expected: "nameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\n", events: 1),
    Case(
      note: "no cluster DNS falls back to Default",
      kubelet: KubeletDNS(
        clusterDNS: [], nodeResolvConf: ResolverConfig(nameservers: ["192.168.0.1"])),
      expected: "nameserver 192.168.0.1\n", events: 1),
    Case(
      note: "empty --resolv-conf means localhost", policy: .default,
      kubelet: KubeletDNS(nodeResolvConf: nil, nodeIPs: ["192.168.0.5"]),
      expected: "search .\nnameserver 127.0.0.1\n"),
  ]

  @Test(arguments: cases)
  func resolvConfFiles(_ c: Case) {
    let r = resolvConf(
      namespace: "default", policy: c.policy, hostNetwork: c.hostNetwork, dnsConfig: c.dnsConfig,
      kubelet: c.kubelet)
    #expect(r.text == c.expected)
    #expect(r.events.count == c.events)
  }

  @Test func searchLimits() {
    let many = (1...40).map { "d\($0).example" }
    let r = resolvConf(
      namespace: "default", policy: .none,
      dnsConfig: PodDNSConfig(nameservers: ["1.1.1.1"], searches: many), kubelet: Self.kubelet)
    #expect(r.config.search == Array(many.prefix(32)))
    #expect(r.events.first?.hasPrefix("DNSConfigForming: Search Line limits were exceeded") == true)
    let long = (1...12).map { String(repeating: "x", count: 200) + ".d\($0)" }
    let r2 = resolvConf(
      namespace: "default", policy: .none,
      dnsConfig: PodDNSConfig(nameservers: ["1.1.1.1"], searches: long), kubelet: Self.kubelet)
    #expect(r2.config.search.joined(separator: " ").utf8.count <= 2048)
    #expect(r2.config.search.count == 10)
  }

  @Test func hostsWithSubdomain() {
    let text = hostsFile(
      podName: "web-0", namespace: "default", podIPs: ["10.244.1.5", "fd00:10:244:1::5"],
      subdomain: "nginx")
    #expect(
      text == """
        # Kubernetes-managed hosts file.
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        fe00::0\tip6-mcastprefix
        fe00::1\tip6-allnodes
        fe00::2\tip6-allrouters
        10.244.1.5\tweb-0.nginx.default.svc.cluster.local\tweb-0
        fd00:10:244:1::5\tweb-0.nginx.default.svc.cluster.local\tweb-0

        """)
  }

  @Test func hostsPlainWithAliases() {
    let text = hostsFile(
      podName: "client", namespace: "default", podIPs: ["10.244.1.6"], hostname: "box",
      hostAliases: [HostAlias(ip: "10.1.2.3", hostnames: ["foo.local", "bar.local"])])
    #expect(
      text.hasSuffix(
        """
        fe00::2\tip6-allrouters
        10.244.1.6\tbox

        # Entries added by HostAliases.
        10.1.2.3\tfoo.local
        10.1.2.3\tbar.local

        """))
  }

  @Test func hostsOnHostNetwork() {
    let text = hostsFile(
      podName: "p", namespace: "default", podIPs: ["192.168.0.5"], hostNetwork: true,
      nodeHostsFile: "127.0.0.1\tlocalhost\n")
    #expect(text == "# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n")
  }

  @Test func longPodNameIsCutForHostname() {
    let name = String(repeating: "a", count: 62) + "-b-c"
    #expect(podHostname(podName: name, hostname: nil) == String(repeating: "a", count: 62))
  }
}
