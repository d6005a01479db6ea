/// The kube-proxy chains and rules of a real node's dump compared with the ones kube-proxy
/// would write for that node: what the node has that it should not (stale rules, a
/// kube-proxy that stopped syncing) and what it lacks. Only kube-proxy's own chains of the
/// filter and nat tables are compared (`KUBE-*`, not the canaries); rules are compared in
/// a canonical form, since `iptables-save` rewrites them (`-d 10.0.0.1` becomes
/// `-d 10.0.0.1/32`, matches reorder, `-m tcp` moves).
public struct IPTablesRuleDiff: Hashable, Sendable {
  public struct Entry: Hashable, Sendable {
    public var table: String
    public var chain: String
    /// The rule as written in its dump; "" for a whole chain.
    public var rule: String
  }

  /// Chains the node has that kube-proxy would not write.
  public var staleChains: [Entry] = []
  /// Chains kube-proxy would write that the node lacks.
  public var missingChains: [Entry] = []
  /// Rules of chains both have, present on the node only.
  public var staleRules: [Entry] = []
  /// Rules of chains both have, missing on the node.
  public var missingRules: [Entry] = []

  public var inSync: Bool {
    staleChains.isEmpty && missingChains.isEmpty && staleRules.isEmpty && missingRules.isEmpty
  }

  static let ignoredChains: Set<String> = ["KUBE-KUBELET-CANARY", "KUBE-PROXY-CANARY"]

  /// Compares `node` (the real dump) with `expected` (what kube-proxy writes).
  public init(node: IPTablesDump, expected: IPTablesDump) {
    for table in ["filter", "nat"] {
      let have = Self.kubeChains(node.table(table))
      let want = Self.kubeChains(expected.table(table))
      for c in have.keys.sorted() where want[c] == nil {
        staleChains.append(Entry(table: table, chain: c, rule: ""))
      }
      for c in want.keys.sorted() where have[c] == nil {
        missingChains.append(Entry(table: table, chain: c, rule: ""))
      }
      for c in have.keys.sorted() {
        guard let h = have[c], let w = want[c] else { continue }
        var wantKeys: [String: Int] = [:]
        for r in w { wantKeys[Self.canonical(r), default: 0] += 1 }
        var haveKeys: [String: Int] = [:]
        for r in h { haveKeys[Self.canonical(r), default: 0] += 1 }
        for r in h {
          let k = Self.canonical(r)
          if (wantKeys[k] ?? 0) > 0 {
            wantKeys[k, default: 0] -= 1
          } else {
            staleRules.append(Entry(table: table, chain: c, rule: r.raw))
          }
        }
        for r in w {
          let k = Self.canonical(r)
          if (haveKeys[k] ?? 0) > 0 {
            haveKeys[k, default: 0] -= 1
          } else {
            missingRules.append(Entry(table: table, chain: c, rule: r.raw))
          }
        }
      }
    }
  }

  static func kubeChains(_ t: IPTablesDump.Table?) -> [String: [IPTablesRule]] {
    var out: [String: [IPTablesRule]] = [:]
    for c in t?.chains ?? []
    where c.name.hasPrefix("KUBE-") && !ignoredChains.contains(c.name) && !c.deleted {
      out[c.name] = c.rules
    }
    return out
  }

  /// A rule with its matches in a fixed order, addresses as CIDRs, and `-m` modules left out.
  static func canonical(_ r: IPTablesRule) -> String {
    var rule = r
    if rule.target == nil && rule.matches.isEmpty { try? rule.parseMatches() }
    // Defaults iptables-save writes out that kube-proxy's input leaves implicit.
    let defaults: Set<String> = ["--mask 255.255.255.255", "--rsource"]
    let parts = rule.matches.compactMap { m -> String? in
      if defaults.contains(m.text) { return nil }
      var values = m.values
      if m.option == "--probability", let p = Double(m.value) { values = ["\(p)"] }
      if ["-s", "-d", "--source", "--destination"].contains(m.option) {
        values = values.map { v in v.contains("/") ? v : (v.contains(":") ? "\(v)/128" : "\(v)/32")
        }
      }
      let option =
        ["--source": "-s", "--destination": "-d", "--protocol": "-p"][m.option] ?? m.option
      return ([m.negated ? "!" : "", option] + values).joined(separator: " ")
    }.sorted()
    let target =
      rule.target.map { t in
        let options = t.options.compactMap { o -> String? in
          switch (t.name, o.0) {
          case ("MARK", "--or-mark"): return "--set-xmark \(o.1)/\(o.1)"
          case ("MARK", "--xor-mark"): return "--set-xmark \(o.1)/0x0"
          case ("REJECT", "--reject-with") where o.1 == "icmp-port-unreachable": return nil
          default: return "\(o.0) \(o.1)"
          }
        }
        return "\(t.isGoto ? "-g" : "-j") \(t.name) " + options.joined(separator: " ")
      } ?? ""
    return "\(rule.chain)|\(parts.joined(separator: "|"))|\(target)"
  }
}
