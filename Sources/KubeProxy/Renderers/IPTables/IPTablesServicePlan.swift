import NetAddr

/// Everything kube-proxy's iptables backend decides about one service port before writing a
/// rule (the named booleans of `syncProxyRules`), derived from one `ServicePortDecision`.
struct IPTablesServicePlan {
  let decision: ServicePortDecision
  /// `ns/svc:port`, the text of every rule comment.
  let spn: String
  /// Lower-case protocol, as `-m tcp -p tcp` wants it.
  let proto: String

  /// KUBE-SVC-, KUBE-SVL-, KUBE-EXT- and KUBE-FW- of this port.
  let chains: PortChainNames
  var clusterPolicyChain: String { chains.cluster }
  var localPolicyChain: String { chains.local }
  var externalChain: String { chains.external }
  var firewallChain: String { chains.firewall }

  /// The service has a usable endpoint anywhere in the cluster.
  let hasEndpoints: Bool
  /// ClusterIP traffic has somewhere to go (iTP=Local needs a local endpoint).
  let hasInternalEndpoints: Bool
  /// External traffic has somewhere to go (eTP=Local needs a local endpoint).
  let hasExternalEndpoints: Bool
  let usesClusterPolicyChain: Bool
  let usesLocalPolicyChain: Bool
  /// The chain ClusterIP traffic jumps to (KUBE-SVC, or KUBE-SVL under iTP=Local).
  let internalTrafficChain: String
  /// The chain external traffic ends in after the EXT chain's special cases.
  let externalPolicyChain: String
  /// The EXT chain exists even without external endpoints, for the short-circuit rules.
  let usesExternalTrafficChain: Bool
  /// `loadBalancerSourceRanges` are enforced through a KUBE-FW chain.
  let usesFirewallChain: Bool
  /// Where load-balancer IP traffic goes first (KUBE-FW or KUBE-EXT).
  let loadBalancerTrafficChain: String
  /// REJECT (no endpoints) or DROP (iTP=Local, none here) for ClusterIP traffic, with comment.
  let internalFilter: (target: String, comment: String)?
  /// REJECT (no endpoints) or DROP (eTP=Local, none here) for external traffic, with comment.
  let externalFilter: (target: String, comment: String)?

  /// Derives every decision exactly as kube-proxy's `syncProxyRules` does; `chains` are the
  /// port's chain names (`.unnamed` for a backend with names of its own).
  init(_ decision: ServicePortDecision, chains: PortChainNames) {
    self.decision = decision
    self.chains = chains
    let port = decision.servicePort
    spn = port.name.description
    proto = port.name.proto.lowercased

    hasEndpoints = decision.hasAnyEndpoints
    usesClusterPolicyChain = !decision.clusterEndpoints.isEmpty && port.usesClusterEndpoints
    usesLocalPolicyChain = !decision.localEndpoints.isEmpty && port.usesLocalEndpoints
    let noLocal = decision.localEndpoints.isEmpty
    internalTrafficChain = port.internalPolicyLocal ? chains.local : chains.cluster
    hasInternalEndpoints = hasEndpoints && !(port.internalPolicyLocal && noLocal)
    externalPolicyChain = port.externalPolicyLocal ? chains.local : chains.cluster
    hasExternalEndpoints = hasEndpoints && !(port.externalPolicyLocal && noLocal)
    usesExternalTrafficChain = hasEndpoints && port.externallyAccessible
    usesFirewallChain =
      hasEndpoints && !port.loadBalancerVIPs.isEmpty && !port.loadBalancerSourceRanges.isEmpty
    loadBalancerTrafficChain = usesFirewallChain ? chains.firewall : chains.external

    if !hasEndpoints {
      // No endpoints anywhere: refuse the connection so clients fail fast.
      let reject = (target: "REJECT", comment: quoted("\(spn) has no endpoints"))
      internalFilter = reject
      externalFilter = reject
    } else {
      // Local policy without a local endpoint: drop what the short-circuit rules did not
      // take (the node also fails the load balancer's health check).
      let drop = (target: "DROP", comment: quoted("\(spn) has no local endpoints"))
      internalFilter = hasInternalEndpoints ? nil : drop
      externalFilter = hasExternalEndpoints ? nil : drop
    }
  }

  /// Appends ` -m <p> -p <p> -d <ip> --dport <port>`: the match on one service address and
  /// port.
  func appendDestinationMatch(_ ip: IPAddress, port: Int, to text: inout TextBuffer) {
    appendProtocolMatch(to: &text)
    text.append(" -d ")
    text.append(ip)
    text.append(" --dport ")
    text.append(port)
  }

  /// Appends ` -m <p> -p <p>` (a literal per protocol: written once per endpoint).
  func appendProtocolMatch(to text: inout TextBuffer) {
    switch decision.servicePort.name.proto {
    case .tcp: text.append(" -m tcp -p tcp")
    case .udp: text.append(" -m udp -p udp")
    case .sctp: text.append(" -m sctp -p sctp")
    }
  }
}

/// kube-proxy quotes a comment in the restore input itself when it contains spaces.
func quoted(_ comment: String) -> String { "\"\(comment)\"" }
