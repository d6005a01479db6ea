/// Names of the iptables chains kube-proxy writes (`pkg/proxy/iptables/proxier.go`).
///
/// iptables limits a chain name to 28 characters, so per-service chains carry a 16-character
/// hash of the service port instead of its name; the fixed chains are plain constants.
public enum IPTablesChain {
  /// nat and filter: entry point for every ClusterIP, external IP and load-balancer IP
  /// (hooked from PREROUTING/OUTPUT in nat; FORWARD/OUTPUT in filter for REJECT/DROP).
  public static let services = "KUBE-SERVICES"
  /// filter: REJECT/DROP for external destinations (external IPs, LB IPs, NodePorts) that
  /// have no usable endpoint (hooked from INPUT/FORWARD on new connections).
  public static let externalServices = "KUBE-EXTERNAL-SERVICES"
  /// nat: NodePort dispatch (the last rule of KUBE-SERVICES jumps here for local
  /// destinations); filter: ACCEPT for health-check node ports.
  public static let nodePorts = "KUBE-NODEPORTS"
  /// nat: SNATs (MASQUERADE) packets that carry the masquerade mark.
  public static let postrouting = "KUBE-POSTROUTING"
  /// nat: sets the masquerade mark on packets that must be SNATed on the way out.
  public static let markMasq = markMasqLiteral.description
  /// `markMasq` as a literal (the renderers write it once per endpoint).
  static let markMasqLiteral: StaticString = "KUBE-MARK-MASQ"
  /// filter: lets marked and established service traffic through FORWARD.
  public static let forward = "KUBE-FORWARD"
  /// filter: drops load-balancer traffic that `loadBalancerSourceRanges` did not allow.
  public static let proxyFirewall = "KUBE-PROXY-FIREWALL"
  /// filter: kubelet's anti-martian rule for `route_localnet` (localhost NodePorts).
  public static let firewall = "KUBE-FIREWALL"
  /// mangle/nat/filter: empty canary whose disappearance tells kube-proxy the tables were
  /// flushed behind its back.
  public static let proxyCanary = "KUBE-PROXY-CANARY"

  /// The chains kube-proxy declares in the filter table of every restore, in write order.
  public static let filterTopLevel = [
    services, externalServices, forward, nodePorts, proxyFirewall,
  ]
  /// The chains kube-proxy declares in the nat table of every restore, in write order.
  public static let natTopLevel = [services, nodePorts, postrouting, markMasq]

  /// kube-proxy's `portProtoHash`: SHA-256 of the service-port name string (`ns/svc:port`, or
  /// `ns/svc` for an unnamed port) followed by the lower-case protocol, base32, first 16
  /// characters — short enough that `KUBE-SVC-` plus the hash fits iptables' 28-character
  /// limit, and stable across restarts so chains survive partial syncs.
  public static func portProtoHash(_ name: ServicePortName) -> String {
    ChainHash.sha256Base32(name.description + name.proto.lowercased, length: 16)
  }

  /// `KUBE-SVC-<hash>`: picks one of the cluster-policy endpoints at random.
  public static func serviceCluster(_ name: ServicePortName) -> String {
    "KUBE-SVC-" + portProtoHash(name)
  }

  /// `KUBE-SVL-<hash>`: picks one of the node-local endpoints (Local traffic policy).
  public static func serviceLocal(_ name: ServicePortName) -> String {
    "KUBE-SVL-" + portProtoHash(name)
  }

  /// `KUBE-EXT-<hash>`: entry for NodePort, external-IP and load-balancer traffic; decides on
  /// masquerading and short-circuits pod/node traffic before the policy chain.
  public static func serviceExternal(_ name: ServicePortName) -> String {
    "KUBE-EXT-" + portProtoHash(name)
  }

  /// `KUBE-FW-<hash>`: admits load-balancer traffic from `loadBalancerSourceRanges` only.
  public static func serviceFirewall(_ name: ServicePortName) -> String {
    "KUBE-FW-" + portProtoHash(name)
  }

  /// `KUBE-SEP-<hash>`: one endpoint of one service port (hairpin masquerade, then DNAT); the
  /// hash covers the service-port name, protocol and the endpoint's `ip:port` (IPv6
  /// bracketed), so the same pod behind two ports gets two chains.
  public static func serviceEndpoint(_ name: ServicePortName, endpoint: String) -> String {
    var input = TextBuffer()
    appendServiceEndpointHashPrefix(name, to: &input)
    input.append(endpoint)
    return serviceEndpointPrefix + serviceEndpointHash(input).string
  }

  /// The endpoint chain of `endpoint` for `name`.
  public static func serviceEndpoint(_ name: ServicePortName, _ endpoint: ProxyEndpoint) -> String {
    serviceEndpoint(name, endpoint: endpoint.description)
  }

  /// The prefix of every endpoint chain.
  static let serviceEndpointPrefix = "KUBE-SEP-"

  /// Appends the service port's part of an endpoint chain's hash input (`ns/svc:porttcp`);
  /// the endpoint's `ip:port` follows it.
  static func appendServiceEndpointHashPrefix(_ name: ServicePortName, to input: inout TextBuffer) {
    input.append(name.description)
    input.append(name.proto.lowercased)
  }

  /// The hash part of an endpoint chain's name, from its whole input.
  static func serviceEndpointHash(_ input: TextBuffer) -> ChainHash.HashText {
    ChainHash.HashText(sha256Of: input, length: 16)
  }

  /// Whether `chain` is a per-service chain kube-proxy owns (and deletes when stale).
  public static func isServiceChain(_ chain: String) -> Bool {
    ["KUBE-SVC-", "KUBE-SVL-", "KUBE-SEP-", "KUBE-FW-", "KUBE-EXT-"].contains {
      chain.hasPrefix($0)
    }
  }
}
