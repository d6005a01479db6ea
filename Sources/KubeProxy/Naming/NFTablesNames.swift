/// Names of the objects kube-proxy creates in its nftables table
/// (`pkg/proxy/nftables/proxier.go`).
///
/// nftables names may be long, so per-service chains keep the readable
/// `ns/svc/proto/port` name and prefix it with an 8-character hash that keeps names unique
/// and visually distinct (endpoint chains of one service differ in a single digit).
public enum NFTablesName {
  /// The table kube-proxy owns (family `ip` or `ip6`).
  public static let table = "kube-proxy"
  /// The longest prefix (`firewall-`, `external-`…) plus hyphen kube-proxy allows for.
  static let chainNamePrefixLengthMax = 16
  /// knftables' name limit (256) minus the prefix allowance.
  static let chainNameBaseLengthMax = 256 - chainNamePrefixLengthMax

  // Sets and maps.
  public static let clusterIPsSet = "cluster-ips"
  public static let nodePortIPsSet = "nodeport-ips"
  public static let serviceIPsMap = "service-ips"
  public static let serviceNodePortsMap = "service-nodeports"
  public static let firewallIPsMap = "firewall-ips"
  public static let noEndpointServicesMap = "no-endpoint-services"
  public static let noEndpointNodePortsMap = "no-endpoint-nodeports"

  // Fixed chains.
  public static let filterPreroutingPreDNAT = "filter-prerouting-pre-dnat"
  public static let filterOutputPreDNAT = "filter-output-pre-dnat"
  public static let filterInput = "filter-input"
  public static let filterForward = "filter-forward"
  public static let filterOutput = "filter-output"
  public static let natPrerouting = "nat-prerouting"
  public static let natOutput = "nat-output"
  public static let natPostrouting = "nat-postrouting"
  public static let clusterIPsCheck = "cluster-ips-check"
  public static let firewallCheck = "firewall-check"
  public static let masquerading = "masquerading"
  public static let markForMasquerade = "mark-for-masquerade"
  public static let nodePortEndpointsCheck = "nodeport-endpoints-check"
  public static let serviceEndpointsCheck = "service-endpoints-check"
  public static let services = "services"
  public static let rejectChain = "reject-chain"

  /// kube-proxy's `hashAndTruncate`: `<8 chars of base32(SHA-256(name))>-<name>`, cut to 240
  /// characters with a trailing `...` (never reached with valid Kubernetes names).
  public static func hashAndTruncate(_ name: String) -> String {
    let full = ChainHash.sha256Base32(name, length: 8) + "-" + name
    guard full.count > chainNameBaseLengthMax else { return full }
    return String(full.prefix(chainNameBaseLengthMax - 3)) + "..."
  }

  /// Appends `hashAndTruncate` of the name written in `input`; `hash`, when given, is its
  /// `nameHash`, kept from an earlier render.
  static func appendHashAndTruncate(
    _ input: TextBuffer, hash: ChainHash.HashText? = nil, to text: inout TextBuffer
  ) {
    // Kubernetes names are ASCII, so bytes are characters; anything longer is cut by the
    // string form.
    guard input.count + 9 <= chainNameBaseLengthMax else {
      return text.append(hashAndTruncate(input.string))
    }
    text.append(hash ?? nameHash(input))
    text.append(byte: UInt8(ascii: "-"))
    text.append(input)
  }

  /// The hash part of `hashAndTruncate` of the name written in `input`.
  static func nameHash(_ input: TextBuffer) -> ChainHash.HashText {
    ChainHash.HashText(sha256Of: input, length: 8)
  }

  /// Appends `ns/svc/proto/port`, the readable part of a service port's chain names; `/` is
  /// legal in nft names but never in Kubernetes names, so it separates the parts
  /// unambiguously.
  static func appendServicePortName(_ name: ServicePortName, to input: inout TextBuffer) {
    input.append(name.namespace)
    input.append(byte: UInt8(ascii: "/"))
    input.append(name.name)
    input.append(byte: UInt8(ascii: "/"))
    input.append(name.proto.lowercased)
    input.append(byte: UInt8(ascii: "/"))
    input.append(name.port)
  }

  /// Appends `__ip/port`, which follows the service port's part in an endpoint's names; IPv6
  /// colons (illegal in nft names) become dots.
  static func appendEndpointName(_ endpoint: EndpointAddress, to input: inout TextBuffer) {
    input.append("__")
    if endpoint.ip.family == .v6 {
      input.append(endpoint.ip.description.replacingColons())
    } else {
      input.append(endpoint.ip)
    }
    input.append(byte: UInt8(ascii: "/"))
    input.append(endpoint.port)
  }

  /// `HASH-ns/svc/proto/port` — the shared base of a service port's chain names.
  public static func servicePortBase(_ name: ServicePortName) -> String {
    var input = TextBuffer()
    appendServicePortName(name, to: &input)
    var base = TextBuffer()
    appendHashAndTruncate(input, to: &base)
    return base.string
  }

  /// `HASH-ns/svc/proto/port__ip/port` — the base of an endpoint's chain and affinity set.
  public static func endpointBase(_ name: ServicePortName, _ endpoint: ProxyEndpoint) -> String {
    var input = TextBuffer()
    appendServicePortName(name, to: &input)
    appendEndpointName(EndpointAddress(endpoint), to: &input)
    var base = TextBuffer()
    appendHashAndTruncate(input, to: &base)
    return base.string
  }

  /// `service-…`: load-balances over the cluster-policy endpoints (numgen vmap).
  public static func serviceCluster(_ name: ServicePortName) -> String {
    "service-" + servicePortBase(name)
  }

  /// `local-…`: load-balances over the node-local endpoints (Local traffic policy).
  public static func serviceLocal(_ name: ServicePortName) -> String {
    "local-" + servicePortBase(name)
  }

  /// `external-…`: entry for NodePort, external-IP and load-balancer traffic.
  public static func serviceExternal(_ name: ServicePortName) -> String {
    "external-" + servicePortBase(name)
  }

  /// `firewall-…`: drops load-balancer traffic outside `loadBalancerSourceRanges`.
  public static func serviceFirewall(_ name: ServicePortName) -> String {
    "firewall-" + servicePortBase(name)
  }

  /// `endpoint-…`: hairpin masquerade and DNAT to one endpoint.
  public static func endpoint(_ name: ServicePortName, _ endpoint: ProxyEndpoint) -> String {
    "endpoint-" + endpointBase(name, endpoint)
  }

  /// `affinity-…`: the per-endpoint set of client addresses for ClientIP session affinity.
  public static func affinitySet(_ name: ServicePortName, _ endpoint: ProxyEndpoint) -> String {
    "affinity-" + endpointBase(name, endpoint)
  }
}

extension String {
  /// The string with every `:` replaced by `.` (IPv6 addresses inside nft names).
  fileprivate func replacingColons() -> String {
    String(map { $0 == ":" ? "." : $0 })
  }
}
