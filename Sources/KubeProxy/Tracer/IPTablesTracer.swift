import NetAddr

/// What happens to one packet in a set of iptables rules.
public struct IPTablesTraceResult: Hashable, Sendable {
  /// Every rule that matched, in order (the raw `-A …` lines).
  public var matches: [String] = []
  /// Terminal outcomes: DNAT destinations (`ip:port`) reachable by the random choices, or
  /// `ACCEPT`, `DROP`, `REJECT` from the filter table.
  public var outputs: [String] = []
  /// The packet carries the masquerade mark (it will be SNATed in KUBE-POSTROUTING).
  public var masquerade = false

  /// The outputs joined as kube-proxy's tests print them (`10.180.0.4:80, 10.180.0.5:80`).
  public var output: String { outputs.joined(separator: ", ") }
}

/// A virtual walk of a packet through kube-proxy's iptables rules (kube-proxy's test
/// `tracePacket`): nat PREROUTING (or KUBE-SERVICES directly when the dump has no built-in
/// chains), the DNAT it picked, then the filter chains kube-proxy fills. Probabilistic jumps
/// are all followed, so every endpoint a packet may reach is listed; rules that depend on
/// history (affinity `--rcheck`, marks, conntrack state) never match.
public struct IPTablesTracer: Sendable {
  public let dump: IPTablesDump
  /// Addresses that `--src-type LOCAL` / `--dst-type LOCAL` treat as the node's own.
  public let localAddresses: Set<IPAddress>

  /// Parses `rules` (restore input or save output); `nodeIPs` are the node's addresses
  /// (loopback is always local).
  public init(rules: String, nodeIPs: [IPAddress]) throws(IPTablesDumpError) {
    dump = try IPTablesDump(parsing: rules)
    let loopback = ["127.0.0.1", "::1"].compactMap { IPAddress($0) }
    localAddresses = Set(nodeIPs + loopback)
  }

  /// Traces a new connection from `source` to `destination`:`port`; `sourceIsLocal` overrides
  /// whether the source counts as a local address.
  public func trace(
    source: IPAddress, proto: ProxyProtocol = .tcp, destination: IPAddress, port: Int,
    sourceIsLocal: Bool? = nil
  ) -> IPTablesTraceResult {
    var walk = Walk(
      tracer: self, source: source, proto: proto.lowercased, destination: destination,
      port: String(port), sourceIsLocal: sourceIsLocal ?? localAddresses.contains(source))
    let nat = dump.table("nat")
    let entry = nat?.chain("PREROUTING") != nil ? "PREROUTING" : IPTablesChain.services
    _ = walk.run(table: "nat", chain: entry, depth: 0)
    // The DNAT decided in PREROUTING changes the destination the filter table sees.
    if let first = walk.result.outputs.first, let dnat = Self.host(of: first) {
      walk.destination = dnat
    }
    for chain in [
      IPTablesChain.services, IPTablesChain.externalServices, IPTablesChain.nodePorts,
      IPTablesChain.proxyFirewall,
    ] {
      _ = walk.run(table: "filter", chain: chain, depth: 0)
    }
    return walk.result
  }

  /// The address part of `ip:port` or `[ip6]:port`.
  static func host(of endpoint: String) -> IPAddress? {
    if endpoint.hasPrefix("["), let close = endpoint.firstIndex(of: "]") {
      return IPAddress(String(endpoint[endpoint.index(after: endpoint.startIndex)..<close]))
    }
    return IPAddress(String(endpoint.prefix { $0 != ":" }))
  }
}

/// The state of one trace: the packet and what happened so far.
private struct Walk {
  let tracer: IPTablesTracer
  let source: IPAddress
  let proto: String
  var destination: IPAddress
  let port: String
  let sourceIsLocal: Bool
  var result = IPTablesTraceResult()

  /// Runs the packet through `chain`; true when a terminal target was reached.
  mutating func run(table: String, chain: String, depth: Int) -> Bool {
    guard depth < 64, let rules = tracer.dump.table(table)?.chain(chain)?.rules else {
      return false
    }
    for rule in rules {
      guard let jump = rule.jump?.value, matches(rule) else { continue }
      result.matches.append(rule.raw)
      switch jump {
      case IPTablesChain.markMasq:
        result.masquerade = true
      case "ACCEPT", "REJECT", "DROP":
        result.outputs.append(jump)
        return true
      case "DNAT":
        result.outputs.append(rule.dnatDestination?.value ?? "")
        return true
      default:
        // A probabilistic jump may not be taken: keep walking this chain to collect the
        // other endpoints; a certain jump that terminated ends this chain too.
        let terminated = run(table: table, chain: jump, depth: depth + 1)
        if terminated && rule.probability == nil { return true }
      }
    }
    return false
  }

  /// Whether every match of `rule` holds for the packet.
  func matches(_ rule: IPTablesRule) -> Bool {
    if let s = rule.source, !addressMatches(s, source) { return false }
    if let t = rule.sourceType, !t.matches(sourceIsLocal ? "LOCAL" : "not-matched") { return false }
    if let p = rule.proto, !p.matches(proto) { return false }
    if let d = rule.destination, !addressMatches(d, destination) { return false }
    if let t = rule.destinationType {
      let local = tracer.localAddresses.contains(destination)
      if !t.matches(local ? "LOCAL" : "not-matched") { return false }
    }
    if let p = rule.destinationPort, !p.matches(port) { return false }
    // Anything that depends on earlier packets does not match a new connection.
    return rule.affinityCheck == nil && rule.markCheck == nil && rule.ctStateCheck == nil
  }

  /// `-s`/`-d` with an address or CIDR, honouring `!`.
  func addressMatches(_ value: IPTablesValue, _ ip: IPAddress) -> Bool {
    let hit: Bool
    if value.value.contains("/") {
      hit = CIDR(value.value)?.contains(ip) ?? false
    } else {
      hit = IPAddress(value.value) == ip
    }
    return hit != value.negated
  }
}
