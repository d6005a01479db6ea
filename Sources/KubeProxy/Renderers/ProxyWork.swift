import NetAddr

/// One node's kube-proxy state in all three modes at once, reduced to what a sync writes:
/// the iptables chains and their rules, the IPVS virtual and real servers (and the
/// iptables-restore input of IPVS mode), the nftables chains, rules and set/map elements.
/// Two snapshots, before and after a change, give the work `ProxyWork` reports.
public struct ProxyRuleSnapshot: Sendable {
  /// iptables mode: `table/CHAIN` → its `-A` lines, and the chains in write order.
  var iptablesChains: [String: [String]] = [:]
  var iptablesOrder: [String] = []
  /// IPVS mode: `proto address:port` → its real servers `address:port weight`.
  var ipvs: [String: Set<String>] = [:]
  var ipvsIPTables: (bytes: Int, rules: Int) = (0, 0)
  /// nftables mode: chain → rules (creation order), set or map → elements.
  var nftChains: [String: [String]] = [:]
  var nftOrder: [String] = []
  var nftElements: [String: Set<String>] = [:]

  /// The state of nothing: what a first sync starts from.
  public init() {}

  /// Renders `node`'s rules in each mode with its settings (the mode itself aside).
  public init(node: ProxyNode, config: ProxyConfig, decisions: [ServicePortDecision]) {
    var c = config
    c.mode = .iptables
    parseIPTables(renderIPTablesRestore(node: node, config: c, decisions: decisions))
    c.mode = .ipvs
    for vs in ipvsVirtualServers(node: node, config: c, decisions: decisions) {
      let key = "\(vs.proto.rawValue.uppercased()) \(vs.address):\(vs.port)"
      ipvs[key, default: []].formUnion(
        vs.realServers.map { "\($0.address):\($0.port) \($0.weight)" })
    }
    let ipvsText = renderIPVSIPTablesRestore(node: node, config: c, decisions: decisions)
    ipvsIPTables = (
      ipvsText.utf8.count, ipvsText.split(separator: "\n").filter { $0.hasPrefix("-A ") }.count
    )
    c.mode = .nftables
    var writer = NFTablesWriter(node: node, config: c, family: .v4, mark: "0x00004000")
    let ports = writer.writeSetupAndElements(decisions)
    for chain in writer.listing.chains {
      nftOrder.append(chain.name)
      nftChains[chain.name] = chain.rules
    }
    var serviceChains = TextBuffer()
    writer.writeServiceChains(ports, into: &serviceChains)
    parseNFTablesChains(serviceChains.string)
    for set in writer.listing.sets { nftElements[set.name] = Set(set.elements) }
  }

  /// Reads chains as the listing writes a service port's: `\tchain <name> {`, one rule per
  /// `\t\t` line, `\t}`, blank lines between chains.
  private mutating func parseNFTablesChains(_ text: String) {
    var chain: String? = nil
    for line in text.split(separator: "\n") {
      if line.hasPrefix("\tchain ") && line.hasSuffix(" {") {
        let name = String(line.dropFirst(7).dropLast(2))
        nftOrder.append(name)
        nftChains[name] = []
        chain = name
      } else if let chain, line.hasPrefix("\t\t") {
        nftChains[chain, default: []].append(String(line.dropFirst(2)))
      }
    }
  }

  private mutating func parseIPTables(_ text: String) {
    var table = ""
    for line in text.split(separator: "\n") {
      if line.hasPrefix("*") {
        table = String(line.dropFirst())
      } else if line.hasPrefix(":") {
        let name = line.dropFirst().prefix { $0 != " " }
        let key = "\(table)/\(name)"
        if iptablesChains[key] == nil {
          iptablesChains[key] = []
          iptablesOrder.append(key)
        }
      } else if line.hasPrefix("-A ") {
        let name = line.dropFirst(3).prefix { $0 != " " }
        iptablesChains["\(table)/\(name)", default: []].append(String(line))
      }
    }
  }

  /// Rules (iptables `-A` lines) in iptables mode.
  public var iptablesRules: Int { iptablesChains.values.reduce(0) { $0 + $1.count } }
  /// IPVS virtual servers and real servers.
  public var ipvsVirtualServerCount: Int { ipvs.count }
  public var ipvsRealServerCount: Int { ipvs.values.reduce(0) { $0 + $1.count } }
  /// iptables rules kube-proxy writes in IPVS mode.
  public var ipvsIPTablesRules: Int { ipvsIPTables.rules }
  /// nftables rules and set/map elements.
  public var nftRules: Int { nftChains.values.reduce(0) { $0 + $1.count } }
  public var nftElementCount: Int { nftElements.values.reduce(0) { $0 + $1.count } }
}

/// What a real kube-proxy hands the kernel's tools for one sync from `before` to `after`, in
/// each mode, as the lab models it:
///
/// - iptables (`pkg/proxy/iptables`, partial syncs): one `iptables-restore --noflush` input
///   holding every chain of `*filter` and the top-level `*nat` chains in full (KUBE-SERVICES
///   with one rule per service port, so it grows with the cluster), plus the per-service chains
///   (KUBE-SVC-, KUBE-SVL-, KUBE-EXT-, KUBE-FW-, KUBE-SEP-) that are new or changed, and a
///   `-X` for each stale one.
/// - IPVS (`pkg/proxy/ipvs`): netlink operations for the virtual and real servers added or
///   removed, and its constant handful of iptables rules written in full every sync.
/// - nftables (`pkg/proxy/nftables`): one `nft -f` transaction with the chains that are new
///   or changed (flushed, then their rules added), the chains deleted, and the set and map
///   elements added or deleted; unchanged chains and elements are not in it.
///
/// Which chains count as changed is found by comparing the two snapshots (the lab does not
/// track kube-proxy's per-Service change marks).
public struct ProxyWork: Hashable, Sendable {
  public struct IPTables: Hashable, Sendable {
    /// `-A` lines in the input, chains declared (written), chains deleted, input size.
    public var rules = 0, chains = 0, deletedChains = 0, bytes = 0
  }
  public struct IPVS: Hashable, Sendable {
    public var virtualServersAdded = 0, virtualServersRemoved = 0
    public var realServersAdded = 0, realServersRemoved = 0
    /// The iptables-restore input of IPVS mode (written in full).
    public var iptablesRules = 0, iptablesBytes = 0
  }
  public struct NFTables: Hashable, Sendable {
    /// Rules added, chains flushed or created, chains deleted, elements added or deleted,
    /// transaction size.
    public var rules = 0, chains = 0, deletedChains = 0, elementsAdded = 0, elementsDeleted = 0,
      bytes = 0
  }
  public var iptables = IPTables()
  public var ipvs = IPVS()
  public var nftables = NFTables()

  /// The prefixes of the per-service chains a partial iptables sync skips when unchanged.
  static let serviceChainPrefixes = [
    "KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-", "KUBE-SEP-",
  ]

  public init(from before: ProxyRuleSnapshot, to after: ProxyRuleSnapshot) {
    // iptables: the restore input, table by table.
    var input = ""
    var tables: [String] = []
    for key in after.iptablesOrder + before.iptablesOrder {
      let table = String(key.prefix { $0 != "/" })
      if !tables.contains(table) { tables.append(table) }
    }
    for table in tables {
      var declarations = ""
      var rules = ""
      for key in after.iptablesOrder where key.hasPrefix(table + "/") {
        let name = key.dropFirst(table.count + 1)
        let lines = after.iptablesChains[key] ?? []
        let perService = Self.serviceChainPrefixes.contains { name.hasPrefix($0) }
        if perService && before.iptablesChains[key] == lines { continue }
        declarations += ":\(name) - [0:0]\n"
        for line in lines { rules += line + "\n" }
        iptables.chains += 1
        iptables.rules += lines.count
      }
      for key in before.iptablesOrder
      where key.hasPrefix(table + "/") && after.iptablesChains[key] == nil {
        let name = key.dropFirst(table.count + 1)
        declarations += ":\(name) - [0:0]\n"
        rules += "-X \(name)\n"
        iptables.deletedChains += 1
      }
      input += "*\(table)\n" + declarations + rules + "COMMIT\n"
    }
    iptables.bytes = input.utf8.count

    // IPVS: servers added and removed.
    for (key, real) in after.ipvs {
      guard let old = before.ipvs[key] else {
        ipvs.virtualServersAdded += 1
        ipvs.realServersAdded += real.count
        continue
      }
      ipvs.realServersAdded += real.subtracting(old).count
      ipvs.realServersRemoved += old.subtracting(real).count
    }
    for (key, old) in before.ipvs where after.ipvs[key] == nil {
      ipvs.virtualServersRemoved += 1
      ipvs.realServersRemoved += old.count
    }
    ipvs.iptablesRules = after.ipvsIPTables.rules
    ipvs.iptablesBytes = after.ipvsIPTables.bytes

    // nftables: one transaction.
    var tx = ""
    let table = "ip kube-proxy"
    for name in after.nftOrder {
      let rules = after.nftChains[name] ?? []
      let old = before.nftChains[name]
      if old == rules { continue }
      tx += "add chain \(table) \(name)\n"
      if old != nil { tx += "flush chain \(table) \(name)\n" }
      for rule in rules { tx += "add rule \(table) \(name) \(rule)\n" }
      nftables.chains += 1
      nftables.rules += rules.count
    }
    for name in before.nftOrder where after.nftChains[name] == nil {
      tx += "delete chain \(table) \(name)\n"
      nftables.deletedChains += 1
    }
    for (set, elements) in after.nftElements.sorted(by: { $0.key < $1.key }) {
      let old = before.nftElements[set] ?? []
      for e in elements.subtracting(old).sorted() {
        tx += "add element \(table) \(set) { \(e) }\n"
        nftables.elementsAdded += 1
      }
      for e in old.subtracting(elements).sorted() {
        tx += "delete element \(table) \(set) { \(e) }\n"
        nftables.elementsDeleted += 1
      }
    }
    for (set, old) in before.nftElements where after.nftElements[set] == nil {
      nftables.elementsDeleted += old.count
    }
    nftables.bytes = tx.utf8.count
  }
}
