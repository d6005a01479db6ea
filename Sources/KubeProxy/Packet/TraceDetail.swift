import NetAddr

/// The destination match of a Service rule, as the mode writes it.
struct PacketMatch {
  var mode: ProxyConfig.Mode
  /// iptables' NodePort rules match the port only.
  var nodePort: Bool
  var destination: ConnectDestination

  /// `ip daddr 10.96.0.10 tcp dport 80` (nftables), `-m tcp -p tcp -d 10.96.0.10 --dport 80`
  /// (iptables; NodePorts without `-d`).
  func write(to out: TraceText) {
    let d = destination
    if mode == .nftables {
      out.put(d.ip.family == .v4 ? "ip daddr " : "ip6 daddr ")
      out.put(d.ip)
      out.put(byte: UInt8(ascii: " "))
      out.put(lower: d.proto)
      out.put(" dport ")
      out.put(d.port)
      return
    }
    out.put("-m ")
    out.put(lower: d.proto)
    out.put(" -p ")
    out.put(lower: d.proto)
    if !nodePort {
      out.put(" -d ")
      out.put(d.ip)
    }
    out.put(" --dport ")
    out.put(d.port)
  }

  var text: String {
    let out = TraceText()
    write(to: out)
    return out.string
  }
}

/// What a trace step says, kept as the values it is made of; the text is written only when a
/// trace or `hops` is shown (`write(to:)`), never while the packet walks. Indirect: a step is
/// copied as one reference however many values it holds.
indirect enum TraceDetail: Sendable {
  /// Text formatted when the step was made (rare steps: failures, firewalls, routes).
  case text(String)
  /// `pod ns/client 10.0.1.9:40000 -> 10.96.0.10:80/TCP`.
  case source(ConnectSource, ip: IPAddress, port: Int, destination: ConnectDestination)
  /// `"ns/web:http cluster IP" <match> -j KUBE-SVC-…` (NodePorts: no address label).
  case serviceRule(ServicePortName, kind: ServiceAddressKind, match: PacketMatch, jump: String)
  /// The cluster chain's masquerade rule: outside the detector's CIDR, or every source
  /// (masquerade-all) when `cidr` is nil.
  case clusterMasquerade(ServicePortName, match: PacketMatch, cidr: CIDR?)
  /// The service chain's random pick of endpoint `index` of `count`.
  case pick(
    ServicePortName, ip: IPAddress, port: Int, count: Int, index: Int, chain: String,
    mode: ProxyConfig.Mode)
  /// The DNAT to the endpoint, per mode.
  case dnat(ServicePortName, ip: IPAddress, port: Int, mode: ProxyConfig.Mode)
  /// IPVS's real server (no persistence template).
  case realServer(ip: IPAddress, port: Int)
  /// KUBE-POSTROUTING's masquerade.
  case masquerade(randomFully: Bool, from: IPAddress, to: IPAddress)
  /// The veth to a pod on the same node.
  case veth(IPAddress, node: String)
  /// The route to another node's pod CIDR through a tunnel device.
  case tunnel(CIDR, via: IPAddress, device: String, vxlan: Bool, from: IPAddress)
  /// A BGP-learned route, no tunnel.
  case bgp(CIDR, via: IPAddress)
  /// Delivery to a pod's socket.
  case deliverPod(namespace: String, name: String, ip: IPAddress, port: Int, proto: ProxyProtocol)

  /// A source step's text up to its source port: `pod ns/client 10.0.1.9:`.
  static func writeSourceHead(_ source: ConnectSource, ip: IPAddress, to out: TraceText) {
    switch source {
    case .pod(let name):
      out.put("pod ")
      out.put(name)
    case .node(let name):
      out.put("node ")
      out.put(name)
    case .external:
      out.put("external client")
    }
    out.put(byte: UInt8(ascii: " "))
    if ip.family == .v6 { out.put(byte: UInt8(ascii: "[")) }
    out.put(ip)
    out.put(ip.family == .v6 ? "]:" : ":")
  }

  /// A source step's text after its source port: ` -> 10.96.0.10:80/TCP`.
  static func writeSourceTail(_ d: ConnectDestination, to out: TraceText) {
    out.put(" -> ")
    out.put(d.ip, port: d.port)
    out.put(byte: UInt8(ascii: "/"))
    out.put(d.proto)
  }

  /// Writes the step's text.
  func write(to out: TraceText) {
    switch self {
    case .text(let s):
      out.put(s)
    case .source(let source, let ip, let port, let d):
      Self.writeSourceHead(source, ip: ip, to: out)
      out.put(port)
      Self.writeSourceTail(d, to: out)
    case .serviceRule(let spn, let kind, let match, let chain):
      out.put(byte: UInt8(ascii: "\""))
      out.put(spn)
      if kind != .nodePort {
        out.put(byte: UInt8(ascii: " "))
        out.put(kind.label)
      }
      out.put("\" ")
      match.write(to: out)
      out.put(byte: UInt8(ascii: " "))
      Self.jump(chain, nft: match.mode == .nftables, out)
    case .clusterMasquerade(let spn, let match, let cidr):
      let nft = match.mode == .nftables
      out.put(byte: UInt8(ascii: "\""))
      out.put(spn)
      out.put(" cluster IP\" ")
      match.write(to: out)
      if let cidr {
        out.put(nft ? " ip saddr != " : " ! -s ")
        out.put(cidr)
      }
      out.put(nft ? " jump mark-for-masquerade" : " -j KUBE-MARK-MASQ")
    case .pick(let spn, let ip, let port, let count, let index, let chain, let mode):
      Self.pick(spn, ip, port, count, index, chain, mode, out)
    case .dnat(let spn, let ip, let port, let mode):
      switch mode {
      case .nftables:
        out.put("dnat to ")
        out.put(ip, port: port)
      case .iptables:
        out.put(byte: UInt8(ascii: "\""))
        out.put(spn)
        out.put("\" -j DNAT --to-destination ")
        out.put(ip, port: port)
      case .ipvs:
        out.put("DNAT to ")
        out.put(ip, port: port)
        out.put(" (Masq forwarding)")
      }
    case .realServer(let ip, let port):
      out.put("-> ")
      out.put(ip, port: port)
      out.put(" Masq weight 1")
    case .masquerade(let randomFully, let from, let to):
      out.put("\"kubernetes service traffic requiring SNAT\" -j MASQUERADE")
      if randomFully { out.put(" --random-fully") }
      out.put(": ")
      out.put(from)
      out.put(" -> ")
      out.put(to)
    case .veth(let ip, let node):
      out.put("veth: ")
      out.put(ip)
      out.put(" is a pod on ")
      out.put(node)
    case .tunnel(let cidr, let via, let device, let vxlan, let from):
      out.put("route ")
      out.put(cidr)
      out.put(" via ")
      out.put(via)
      out.put(" dev ")
      out.put(device)
      out.put(vxlan ? ": VXLAN (UDP 4789) tunnel " : ": IP-in-IP tunnel ")
      out.put(from)
      out.put(" -> ")
      out.put(via)
    case .bgp(let cidr, let via):
      out.put("route ")
      out.put(cidr)
      out.put(" via ")
      out.put(via)
      out.put(" (BGP), no tunnel")
    case .deliverPod(let namespace, let name, let ip, let port, let proto):
      out.put("delivered to pod ")
      out.put(namespace)
      out.put(byte: UInt8(ascii: "/"))
      out.put(name)
      out.put(" at ")
      out.put(ip, port: port)
      out.put(byte: UInt8(ascii: "/"))
      out.put(proto)
    }
  }

  /// `goto <chain>` (nftables) or `-j <chain>` (iptables).
  static func jump(_ chain: String, nft: Bool, _ out: TraceText) {
    out.put(nft ? "goto " : "-j ")
    out.put(chain)
  }

  /// nftables' `numgen` verdict map entry, or iptables' `statistic` rule (the last rule of the
  /// chain matches without it).
  private static func pick(
    _ spn: ServicePortName, _ ip: IPAddress, _ port: Int, _ count: Int, _ index: Int,
    _ chain: String, _ mode: ProxyConfig.Mode, _ out: TraceText
  ) {
    if mode == .nftables {
      out.put("numgen random mod ")
      out.put(count)
      out.put(" vmap { …, ")
      out.put(index)
      out.put(" : goto ")
      out.put(chain)
      out.put(", … }")
      return
    }
    out.put(byte: UInt8(ascii: "\""))
    out.put(spn)
    out.put(" -> ")
    out.put(ip, port: port)
    out.put("\" ")
    if index != count - 1 {
      out.put("-m statistic --mode random --probability ")
      probability(count - index, out)
      out.put(byte: UInt8(ascii: " "))
    }
    out.put("-j ")
    out.put(chain)
  }

  /// kube-proxy's `%0.10f` of 1/k.
  static func probability(_ k: Int, _ out: TraceText) {
    let scaled = Int((1e10 / Double(k)).rounded())
    out.put(scaled / 10_000_000_000)
    out.put(byte: UInt8(ascii: "."))
    out.put(scaled % 10_000_000_000, width: 10)
  }
}
