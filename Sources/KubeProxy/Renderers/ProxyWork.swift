import Crypto
import NetAddr

/// One node's kube-proxy state in all three modes at once, reduced to what a sync writes:
/// the iptables chains and their rules, the IPVS virtual and real servers (and the
/// iptables-restore input of IPVS mode), the nftables chains, rules and set/map elements.
/// Two snapshots, before and after a change, give the work `ProxyWork` reports.
///
/// A chain is held as a `ChainDigest` (its rule count, their bytes and a SHA-256 of the
/// rules in order), not as its text: at 10,000 Services a snapshot has some 800,000 rules,
/// and `ProxyWork` only asks whether a chain changed and how much it writes.
public struct ProxyRuleSnapshot: Sendable {
  /// iptables mode: `table/CHAIN` → its `-A` lines, and the chains in write order.
  var iptablesChains: [String: ChainDigest] = [:]
  var iptablesOrder: [String] = []
  /// IPVS mode: `proto address:port` → its real servers.
  var ipvs: [String: Set<RealServer>] = [:]
  var ipvsIPTables: (bytes: Int, rules: Int) = (0, 0)
  /// nftables mode: chain → rules (creation order), set or map → elements.
  var nftChains: [String: ChainDigest] = [:]
  var nftOrder: [String] = []
  var nftElements: [String: Set<String>] = [:]

  /// An IPVS real server as a sync programs it.
  struct RealServer: Hashable {
    let address: IPAddress
    let port: Int
    let weight: Int
  }

  /// The state of nothing: what a first sync starts from.
  public init() {}

  /// Renders `node`'s rules in each mode with its settings (the mode itself aside); `names`
  /// keeps the chain-name hashes between renders.
  public init(
    node: ProxyNode, config: ProxyConfig, decisions: [ServicePortDecision],
    names: ChainNameCache? = nil
  ) {
    var c = config
    c.mode = .iptables
    var text = TextBuffer()
    renderIPTablesRestore(into: &text, node: node, config: c, decisions: decisions, names: names)
    parseIPTables(text)
    c.mode = .ipvs
    for vs in ipvsVirtualServers(node: node, config: c, decisions: decisions) {
      let key = "\(vs.proto.rawValue.uppercased()) \(vs.address):\(vs.port)"
      ipvs[key, default: []].formUnion(
        vs.realServers.map { RealServer(address: $0.address, port: $0.port, weight: $0.weight) })
    }
    let ipvsText = renderIPVSIPTablesRestore(node: node, config: c, decisions: decisions)
    ipvsIPTables = (
      ipvsText.utf8.count, ipvsText.split(separator: "\n").filter { $0.hasPrefix("-A ") }.count
    )
    c.mode = .nftables
    var writer = NFTablesWriter(
      node: node, config: c, family: .v4, mark: "0x00004000", names: names)
    let ports = writer.writeSetupAndElements(decisions)
    for chain in writer.listing.chains {
      nftOrder.append(chain.name)
      var digest = ChainDigester()
      for rule in chain.rules { digest.add(rule) }
      nftChains[chain.name] = digest.finish()
    }
    text.removeAll()
    writer.writeServiceChains(ports, into: &text)
    parseNFTablesChains(text)
    for set in writer.listing.sets { nftElements[set.name] = Set(set.elements) }
  }

  /// Reads chains as the listing writes a service port's: `\tchain <name> {`, one rule per
  /// `\t\t` line, `\t}`, blank lines between chains.
  private mutating func parseNFTablesChains(_ text: TextBuffer) {
    var chain: String? = nil
    var digest = ChainDigester()
    func finish(_ chains: inout [String: ChainDigest]) {
      if let chain { chains[chain] = digest.finish() }
    }
    text.forEachLine { line in
      if line.starts(with: "\tchain ".utf8) && line.reversed().starts(with: "{ ".utf8) {
        finish(&nftChains)
        let name = String(decoding: line.dropFirst(7).dropLast(2), as: UTF8.self)
        nftOrder.append(name)
        chain = name
        digest = ChainDigester()
      } else if chain != nil, line.starts(with: "\t\t".utf8) {
        digest.add(UnsafeBufferPointer(rebasing: line.dropFirst(2)))
      }
    }
    finish(&nftChains)
  }

  private mutating func parseIPTables(_ text: TextBuffer) {
    var table = ""
    var digests: [String: ChainDigester] = [:]
    text.forEachLine { line in
      guard let first = line.first else { return }
      if first == UInt8(ascii: "*") {
        table = String(decoding: line.dropFirst(), as: UTF8.self)
      } else if first == UInt8(ascii: ":") {
        let name = line.dropFirst().prefix { $0 != UInt8(ascii: " ") }
        let key = "\(table)/\(String(decoding: name, as: UTF8.self))"
        if digests[key] == nil {
          digests[key] = ChainDigester()
          iptablesOrder.append(key)
        }
      } else if line.starts(with: "-A ".utf8) {
        let name = line.dropFirst(3).prefix { $0 != UInt8(ascii: " ") }
        let key = "\(table)/\(String(decoding: name, as: UTF8.self))"
        digests[key, default: ChainDigester()].add(UnsafeBufferPointer(rebasing: line))
      }
    }
    iptablesChains = digests.mapValues { $0.finish() }
  }

  /// Rules (iptables `-A` lines) in iptables mode.
  public var iptablesRules: Int { iptablesChains.values.reduce(0) { $0 + $1.rules } }
  /// IPVS virtual servers and real servers.
  public var ipvsVirtualServerCount: Int { ipvs.count }
  public var ipvsRealServerCount: Int { ipvs.values.reduce(0) { $0 + $1.count } }
  /// iptables rules kube-proxy writes in IPVS mode.
  public var ipvsIPTablesRules: Int { ipvsIPTables.rules }
  /// nftables rules and set/map elements.
  public var nftRules: Int { nftChains.values.reduce(0) { $0 + $1.rules } }
  public var nftElementCount: Int { nftElements.values.reduce(0) { $0 + $1.count } }
}

/// One chain's rules as `ProxyWork` needs them: how many, how many bytes (without line
/// ends), and a SHA-256 of the rules in order, each ended by a newline, so that two chains
/// with the same digest hold the same rules.
struct ChainDigest: Hashable, Sendable {
  var rules = 0
  var bytes = 0
  /// The SHA-256 in four words (zero until the chain is finished).
  var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

  static func == (a: ChainDigest, b: ChainDigest) -> Bool {
    a.rules == b.rules && a.bytes == b.bytes && a.digest == b.digest
  }

  func hash(into hasher: inout Hasher) {
    hasher.combine(rules)
    hasher.combine(bytes)
    hasher.combine(digest.0)
  }
}

/// Builds a `ChainDigest` one rule at a time.
struct ChainDigester {
  private var hash = SHA256()
  private var digest = ChainDigest()

  mutating func add(_ rule: UnsafeBufferPointer<UInt8>) {
    hash.update(bufferPointer: UnsafeRawBufferPointer(rule))
    withUnsafeBytes(of: UInt8(ascii: "\n")) { hash.update(bufferPointer: $0) }
    digest.rules += 1
    digest.bytes += rule.count
  }

  mutating func add(_ rule: String) {
    var rule = rule
    rule.withUTF8 { add($0) }
  }

  func finish() -> ChainDigest {
    var done = digest
    hash.finalize().withUnsafeBytes { bytes in
      let word = { bytes.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self) }
      done.digest = (word(0), word(1), word(2), word(3))
    }
    return done
  }
}

extension TextBuffer {
  /// Calls `body` with each line's bytes (without its newline), blank lines skipped.
  func forEachLine(_ body: (UnsafeBufferPointer<UInt8>.SubSequence) -> Void) {
    withUnsafeBytes { bytes in
      var start = 0
      while start < bytes.count {
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        if end > start { body(bytes[start..<end]) }
        start = end + 1
      }
    }
  }
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
    // iptables: the restore input, table by table (its size counted, not written).
    var tables: [String] = []
    for key in after.iptablesOrder + before.iptablesOrder {
      let table = String(key.prefix { $0 != "/" })
      if !tables.contains(table) { tables.append(table) }
    }
    for table in tables {
      iptables.bytes += "*\(table)\n".utf8.count + "COMMIT\n".utf8.count
      for key in after.iptablesOrder where key.hasPrefix(table + "/") {
        let name = key.dropFirst(table.count + 1)
        let chain = after.iptablesChains[key] ?? ChainDigest()
        let perService = Self.serviceChainPrefixes.contains { name.hasPrefix($0) }
        if perService && before.iptablesChains[key] == chain { continue }
        iptables.bytes += ":\(name) - [0:0]\n".utf8.count + chain.bytes + chain.rules
        iptables.chains += 1
        iptables.rules += chain.rules
      }
      for key in before.iptablesOrder
      where key.hasPrefix(table + "/") && after.iptablesChains[key] == nil {
        let name = key.dropFirst(table.count + 1)
        iptables.bytes += ":\(name) - [0:0]\n".utf8.count + "-X \(name)\n".utf8.count
        iptables.deletedChains += 1
      }
    }

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

    // nftables: one transaction (its size counted, not written).
    let table = "ip kube-proxy"
    for name in after.nftOrder {
      let chain = after.nftChains[name] ?? ChainDigest()
      let old = before.nftChains[name]
      if old == chain { continue }
      nftables.bytes += "add chain \(table) \(name)\n".utf8.count
      if old != nil { nftables.bytes += "flush chain \(table) \(name)\n".utf8.count }
      // `add rule <table> <chain> <rule>\n` per rule.
      nftables.bytes += chain.rules * "add rule \(table) \(name) \n".utf8.count + chain.bytes
      nftables.chains += 1
      nftables.rules += chain.rules
    }
    for name in before.nftOrder where after.nftChains[name] == nil {
      nftables.bytes += "delete chain \(table) \(name)\n".utf8.count
      nftables.deletedChains += 1
    }
    var tx = ""
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
    nftables.bytes += tx.utf8.count
  }
}
