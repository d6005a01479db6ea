import NetAddr
import Testing

@testable import KubeProxy

/// One chain-name expectation: a service port (and maybe an endpoint) and the name kube-proxy
/// gives its chain.
struct ChainNameCase: CustomTestStringConvertible, Sendable {
  var namespace: String
  var service: String
  var port: String
  var proto: ProxyProtocol = .tcp
  var endpoint: String? = nil
  var expected: String

  var spn: ServicePortName {
    ServicePortName(namespace: namespace, name: service, port: port, proto: proto)
  }

  var testDescription: String {
    let ep = endpoint.map { " -> \($0)" } ?? ""
    return "\(spn) \(proto.lowercased)\(ep) is \(expected)"
  }
}

@Suite struct NamingTests {
  /// Service-port hashes: the two every cluster has, the reference table, and every
  /// KUBE-SVC/EXT/FW chain of kube-proxy's overall-rules fixture.
  static let serviceCases: [ChainNameCase] = [
    .init(namespace: "default", service: "kubernetes", port: "https", expected: "NPX46M4PTMTKRN6Y"),
    .init(
      namespace: "kube-system", service: "kube-dns", port: "dns", proto: .udp,
      expected: "TCOU7JCQXEZGVUNU"),
    .init(namespace: "default", service: "web", port: "", expected: "LOLE4ISW44XBNF3G"),
    .init(namespace: "ns1", service: "svc1", port: "p80", expected: "XPGD46QRK7WJZT7O"),
    .init(namespace: "ns2", service: "svc2", port: "p80", expected: "GNZBNJ2PO5MGZ6GT"),
    .init(namespace: "ns3", service: "svc3", port: "p80", expected: "X27LE4BHSL4DOUIK"),
    .init(namespace: "ns4", service: "svc4", port: "p80", expected: "4SW47YFZTEDKD3PK"),
    .init(namespace: "ns5", service: "svc5", port: "p80", expected: "NUKIZ6OKUXPJNT4C"),
  ]

  @Test(arguments: serviceCases)
  func portProtoHash(_ c: ChainNameCase) {
    #expect(IPTablesChain.portProtoHash(c.spn) == c.expected)
    #expect(IPTablesChain.serviceCluster(c.spn) == "KUBE-SVC-" + c.expected)
    #expect(IPTablesChain.serviceLocal(c.spn) == "KUBE-SVL-" + c.expected)
    #expect(IPTablesChain.serviceExternal(c.spn) == "KUBE-EXT-" + c.expected)
    #expect(IPTablesChain.serviceFirewall(c.spn) == "KUBE-FW-" + c.expected)
    #expect(IPTablesChain.serviceCluster(c.spn).count <= 28)
  }

  /// Endpoint hashes: the reference table (IPv4 and bracketed IPv6) and every KUBE-SEP chain
  /// of the overall-rules fixture.
  static let endpointCases: [ChainNameCase] = [
    .init(
      namespace: "ns1", service: "svc1", port: "p80", endpoint: "10.180.0.2:80",
      expected: "KUBE-SEP-LXVODXWDISEETFEF"),
    .init(
      namespace: "ns1", service: "svc1", port: "p80", endpoint: "[fd00:10:180::1]:80",
      expected: "KUBE-SEP-OGYCNMB4EMRUSJ6N"),
    .init(
      namespace: "ns1", service: "svc1", port: "p80", endpoint: "10.180.0.1:80",
      expected: "KUBE-SEP-SXIVWICOYRO3J4NJ"),
    .init(
      namespace: "ns2", service: "svc2", port: "p80", endpoint: "10.180.0.2:80",
      expected: "KUBE-SEP-RS4RBKLTHTF2IUXJ"),
    .init(
      namespace: "ns3", service: "svc3", port: "p80", endpoint: "10.180.0.3:80",
      expected: "KUBE-SEP-OYPFS5VJICHGATKP"),
    .init(
      namespace: "ns4", service: "svc4", port: "p80", endpoint: "10.180.0.4:80",
      expected: "KUBE-SEP-UKSFD7AGPMPPLUHC"),
    .init(
      namespace: "ns4", service: "svc4", port: "p80", endpoint: "10.180.0.5:80",
      expected: "KUBE-SEP-C6EBXVWJJZMIWKLZ"),
    .init(
      namespace: "ns5", service: "svc5", port: "p80", endpoint: "10.180.0.3:80",
      expected: "KUBE-SEP-I77PXRDZVX7PMWMN"),
  ]

  @Test(arguments: endpointCases)
  func endpointChainName(_ c: ChainNameCase) throws {
    let endpoint = try #require(c.endpoint)
    #expect(IPTablesChain.serviceEndpoint(c.spn, endpoint: endpoint) == c.expected)
  }

  @Test func endpointChainNameFromEndpointValueBracketsIPv6() throws {
    let spn = ServicePortName(namespace: "ns1", name: "svc1", port: "p80", proto: .tcp)
    let ip = try #require(IPAddress("fd00:10:180::1"))
    let name = IPTablesChain.serviceEndpoint(spn, ProxyEndpoint(ip: ip, port: 80))
    #expect(name == "KUBE-SEP-OGYCNMB4EMRUSJ6N")
  }

  /// nftables names: the reference table and the examples in kube-proxy's nftables code.
  static let nftCases: [(name: String, hash: String)] = [
    ("default/kubernetes/tcp/https", "2QRHZV4L"),
    ("kube-system/kube-dns/udp/dns", "FY5PMXPG"),
    ("default/web/tcp/http__10.244.1.5/8080", "HGNPOIJ5"),
    ("default/web/tcp/", "PFISGYVC"),
    ("ns1/svc1/tcp/p80", "ULMVA6XW"),
    ("ns1/svc1/tcp/p80__10.180.0.1/80", "5OJB2KTY"),
  ]

  @Test(arguments: zip(nftCases.map { $0.name }, nftCases.map { $0.hash }))
  func nftHashAndTruncate(name: String, hash: String) {
    #expect(NFTablesName.hashAndTruncate(name) == "\(hash)-\(name)")
  }

  @Test func nftChainNamesUseTheirPrefixes() throws {
    let spn = ServicePortName(namespace: "ns1", name: "svc1", port: "p80", proto: .tcp)
    let ep = ProxyEndpoint(ip: try #require(IPAddress("10.180.0.1")), port: 80)
    #expect(NFTablesName.serviceCluster(spn) == "service-ULMVA6XW-ns1/svc1/tcp/p80")
    #expect(NFTablesName.serviceExternal(spn) == "external-ULMVA6XW-ns1/svc1/tcp/p80")
    #expect(NFTablesName.endpoint(spn, ep) == "endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80")
    #expect(
      NFTablesName.affinitySet(spn, ep) == "affinity-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80")
  }

  @Test func nftEndpointNameWritesIPv6ColonsAsDots() throws {
    let spn = ServicePortName(namespace: "ns1", name: "svc1", port: "p80", proto: .tcp)
    let ep = ProxyEndpoint(ip: try #require(IPAddress("fd00:10:180::1")), port: 80)
    let base = NFTablesName.endpointBase(spn, ep)
    #expect(base.hasSuffix("-ns1/svc1/tcp/p80__fd00.10.180..1/80"))
    #expect(base == NFTablesName.hashAndTruncate("ns1/svc1/tcp/p80__fd00.10.180..1/80"))
  }

  @Test func nftHashAndTruncateCutsLongNames() {
    let long = String(repeating: "a", count: 300)
    let name = NFTablesName.hashAndTruncate(long)
    #expect(name.count == 240)
    #expect(name.hasSuffix("..."))
  }

  @Test func base32MatchesRFC4648Vectors() {
    // RFC 4648 §10 test vectors (without padding).
    let vectors = [
      ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"),
      ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI"),
    ]
    for (input, output) in vectors {
      #expect(ChainHash.base32(Array(input.utf8)) == output)
    }
  }
}
