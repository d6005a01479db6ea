import NetAddr

/// One line saying why the backend sees the source address it sees, read from a connection's
/// trace: nothing when the packet kept its source; else which node masqueraded it, why the
/// packet was marked for it, and why that address (kube-proxy's KUBE-POSTROUTING MASQUERADE
/// takes the address of the interface the packet leaves by; on a Calico IP-in-IP or VXLAN
/// route that is the tunnel device, whose address Calico allocates from the node's own pod
/// block, hence a source such as 10.244.2.0).
public enum SourceReason {
  /// Why the source the backend sees differs from the client's own address; nil when the
  /// connection kept its source (or the trace holds no step that changed it).
  public static func explain(_ trace: [TraceStep]) -> String? {
    // The last rewrite of the source is the one the backend sees.
    for (i, step) in trace.enumerated().reversed() where step.kind == .snat {
      let node = step.node ?? "the node"
      switch step.detail {
      case .masquerade(_, let from, let to):
        let before = trace[..<i].filter { $0.node == step.node }
        return
          "\(node)'s \(step.chain ?? "KUBE-POSTROUTING") masqueraded the packet "
          + "(\(marked(before, from: from, trace: trace)))"
          + ", and MASQUERADE takes the address of the interface it leaves by: "
          + interface(trace[i...], node: node, address: to)
      case .text(let text)
      where step.chain == "cali-nat-outgoing" || text.hasPrefix("cali-nat-outgoing"):
        return "Calico's natOutgoing on \(node) masqueraded the pod's address: the destination is"
          + " outside the IP pools, so the packet leaves with \(node)'s own address"
      case .text(let text):
        guard let (from, to) = rewrite(in: text) else { continue }
        let leaves = interface(trace[i...], node: node, address: to)
        if step.chain == "cali-POSTROUTING" {
          return
            "Calico's cali-POSTROUTING on \(node) masqueraded the node's own address, as it does"
            + " for every host address leaving by its tunnel: " + leaves
        }
        let before = trace[..<i].filter { $0.node == step.node }
        return
          "\(node)'s \(step.chain ?? "KUBE-POSTROUTING") masqueraded the packet "
          + "(\(marked(before, from: from, trace: trace)))"
          + ", and MASQUERADE takes the address of the interface it leaves by: " + leaves
      default:
        continue
      }
    }
    // A process on a node reaching a pod on another node: the kernel picks the source of the
    // tunnel route, as MASQUERADE would.
    if let first = trace.first, case .source(.node(let name), let ip, _, _) = first.detail,
      let hop = tunnelHop(trace, node: name), case .tunnel(_, _, _, _, let nodeIP) = hop.detail,
      ip != nodeIP
    {
      return "a process on \(name) reaching a pod on another node uses the source of the route it"
        + " takes: " + interface([hop], node: name, address: ip)
    }
    return nil
  }

  /// The `from -> to` rewrite a rule's text ends with (`...: 10.0.0.1 -> 10.244.1.0`).
  private static func rewrite(in text: String) -> (IPAddress, IPAddress)? {
    guard let colon = text.range(of: ": ", options: .backwards) else { return nil }
    let parts = text[colon.upperBound...].split(separator: " ")
    guard parts.count >= 3, parts[1] == "->", let from = IPAddress(String(parts[0])),
      let to = IPAddress(String(parts[2]))
    else { return nil }
    return (from, to)
  }

  /// Why kube-proxy marked the packet for masquerading, from the steps before on that node.
  private static func marked(_ steps: [TraceStep], from: IPAddress, trace: [TraceStep]) -> String {
    if case .deliverPod(_, _, let ip, _, _)? = trace.last?.detail, ip == from {
      return "hairpin: the backend is the client itself, reached through the Service"
    }
    for step in steps.reversed() {
      if case .clusterMasquerade(_, _, let cidr) = step.detail {
        return cidr.map {
          "its source \(from) is outside the pod network \($0), "
            + "so the Service's chain marked it for SNAT"
        } ?? "masqueradeAll marks every packet to a Service"
      }
      let text = step.text
      if text.contains("(hairpin)") {
        return "hairpin: the backend is the client itself, reached through the Service"
      }
      if text.contains("masquerade LOCAL traffic") {
        return "it came from the node itself to an external address of the Service"
      }
      if text.contains("external destinations")
        || text.hasSuffix("-j KUBE-MARK-MASQ") && text.hasPrefix("KUBE-")
      {
        return
          "it reached a node port or an external address of a "
          + "Service with externalTrafficPolicy: Cluster,"
          + " so the reply must come back through this node"
      }
      if text.contains("KUBE-MARK-MASQ") || text.contains("mark-for-masquerade") {
        return "its source \(from) is outside the pod network, so kube-proxy marked it for SNAT"
      }
    }
    return "kube-proxy marked it for SNAT"
  }

  /// Which interface the packet leaves `node` by and whose address `address` is.
  private static func interface(
    _ steps: ArraySlice<TraceStep>, node: String, address: IPAddress
  ) -> String {
    if let hop = tunnelHop(Array(steps), node: node),
      case .tunnel(let cidr, let via, let device, let vxlan, _) = hop.detail
    {
      return
        "the route to \(cidr) (via \(via)) goes through "
        + "\(vxlan ? "the VXLAN device" : "the IP-in-IP device")"
        + " \(device), whose address \(address) is \(node)'s tunnel "
        + "address, allocated from its own pod block"
    }
    for step in steps where step.node == node {
      switch step.detail {
      case .veth:
        return
          "the pod's veth, which has no address of its own, so the "
          + "kernel picks \(node)'s address \(address)"
      case .bgp(let cidr, let via):
        return
          "the route to \(cidr) via \(via) (BGP, no tunnel) leaves by \(node)'s "
          + "network interface, whose address is \(address)"
      default:
        continue
      }
    }
    return "\(address) is \(node)'s own address"
  }

  private static func tunnelHop(_ steps: [TraceStep], node: String) -> TraceStep? {
    steps.first { step in
      if step.node == node, case .tunnel = step.detail { return true }
      return false
    }
  }
}
