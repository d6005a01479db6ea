/// A node's `kube-proxy` tables (from `nft list ruleset`) compared with the ones kube-proxy's
/// nftables mode would write for it: chains, rules, sets and maps, and map and set elements
/// the node has that it should not (a kube-proxy that stopped syncing), and those it lacks.
/// Rules are compared without their counters and `# handle`s, elements without comments,
/// timeouts or counters, and in any order (nft lists map elements in the kernel's hash
/// order). Elements of dynamic sets (the session-affinity sets) are written by packets, not
/// by kube-proxy, and are not compared. Every other table is ignored.
public struct NftRuleDiff: Hashable, Sendable {
  public struct Entry: Hashable, Sendable {
    /// `ip kube-proxy`.
    public var table: String
    /// The chain, set or map.
    public var object: String
    /// The rule or element as listed; "" for the whole chain, set or map.
    public var item: String
  }

  public var staleChains: [Entry] = []
  public var missingChains: [Entry] = []
  public var staleRules: [Entry] = []
  public var missingRules: [Entry] = []
  public var staleSets: [Entry] = []
  public var missingSets: [Entry] = []
  public var staleElements: [Entry] = []
  public var missingElements: [Entry] = []

  public var inSync: Bool {
    [staleChains, missingChains, staleRules, missingRules, staleSets, missingSets, staleElements,
      missingElements].allSatisfy(\.isEmpty)
  }

  /// Compares the node's `kube-proxy` tables with `expected` (what kube-proxy writes), family
  /// by family: an expected table the node lacks is missing entirely.
  public init(node: NftRuleset, expected: NftRuleset) {
    for want in expected.tables {
      let have = node.table(want.family, want.name)
      compareChains(have, want)
      compareSets(have, want)
    }
  }

  mutating func compareChains(_ have: NftRuleset.Table?, _ want: NftRuleset.Table) {
    let id = want.id
    let haveChains = have?.chains ?? []
    for c in haveChains where want.chain(c.name) == nil {
      staleChains.append(Entry(table: id, object: c.name, item: ""))
    }
    for c in want.chains {
      guard let h = have?.chain(c.name) else {
        missingChains.append(Entry(table: id, object: c.name, item: ""))
        continue
      }
      let (extra, lacking) = Self.difference(h.rules.map(\.uncounted), c.rules.map(\.uncounted))
      staleRules += extra.map { Entry(table: id, object: c.name, item: $0) }
      missingRules += lacking.map { Entry(table: id, object: c.name, item: $0) }
    }
  }

  mutating func compareSets(_ have: NftRuleset.Table?, _ want: NftRuleset.Table) {
    let id = want.id
    for s in have?.sets ?? [] where want.set(s.name) == nil {
      staleSets.append(Entry(table: id, object: s.name, item: ""))
    }
    for s in want.sets {
      guard let h = have?.set(s.name) else {
        missingSets.append(Entry(table: id, object: s.name, item: ""))
        continue
      }
      if s.flags.contains("dynamic") || h.flags.contains("dynamic") { continue }
      let (extra, lacking) = Self.difference(h.elements.map(\.text), s.elements.map(\.text))
      staleElements += extra.map { Entry(table: id, object: s.name, item: $0) }
      missingElements += lacking.map { Entry(table: id, object: s.name, item: $0) }
    }
  }

  /// What `have` holds beyond `want`, and what it lacks, counting repeats.
  static func difference(_ have: [String], _ want: [String]) -> ([String], [String]) {
    var counts: [String: Int] = [:]
    for w in want { counts[w, default: 0] += 1 }
    var extra: [String] = []
    for h in have {
      if let n = counts[h], n > 0 { counts[h] = n - 1 } else { extra.append(h) }
    }
    var remaining: [String: Int] = [:]
    for h in have { remaining[h, default: 0] += 1 }
    var lacking: [String] = []
    for w in want {
      if let n = remaining[w], n > 0 { remaining[w] = n - 1 } else { lacking.append(w) }
    }
    return (extra, lacking)
  }
}
