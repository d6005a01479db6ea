/// A node's `kube-proxy` tables (from `nft list ruleset`) compared with the ones kube-proxy's
/// nftables mode would write for it: chains, rules, sets and maps, and map and set elements
/// the node has that it should not (a kube-proxy that stopped syncing), and those it lacks.
/// Rules are compared without their counters and `# handle`s, elements without comments,
/// timeouts or counters, and in any order (nft lists map elements in the kernel's hash
/// order). Elements of dynamic sets (the session-affinity sets) are written by packets, not
/// by kube-proxy, and are not compared. Every other table is ignored.
public struct NftRuleDiff: Hashable, Sendable {
  /// One difference: a whole chain, set or map, or one rule or element of it.
  public struct Entry: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case chain, rule, set, element }
    public var kind: Kind
    /// The node has it and the lab would not write it (else: the node lacks it).
    public var stale: Bool
    /// `ip kube-proxy`.
    public var table: String
    /// The chain, set or map.
    public var object: String
    /// The rule or element as listed; "" for a whole chain, set or map.
    public var item = ""
  }

  /// Every difference: per table, chains then their rules, then sets and their elements.
  public var entries: [Entry] = []

  public var inSync: Bool { entries.isEmpty }

  /// The entries of one kind, stale (the node's extra) or missing.
  public func entries(_ kind: Entry.Kind, stale: Bool) -> [Entry] {
    entries.filter { $0.kind == kind && $0.stale == stale }
  }

  /// Compares the node's `kube-proxy` tables with `expected` (what kube-proxy writes), family
  /// by family: an expected table the node lacks is missing entirely.
  public init(node: NftRuleset, expected: NftRuleset) {
    for want in expected.tables {
      let have = node.table(want.family, want.name)
      compare(.chain, .rule, want.id, Self.chains(have?.chains ?? []), Self.chains(want.chains))
      compare(.set, .element, want.id, Self.sets(have?.sets ?? []), Self.sets(want.sets))
    }
  }

  /// Named objects and their items (nil: not compared).
  typealias Objects = [(name: String, items: [String]?)]

  static func chains(_ chains: [NftRuleset.Chain]) -> Objects {
    chains.map { ($0.name, $0.rules.map(\.uncounted)) }
  }

  /// Sets and maps; a dynamic set's elements are the packets', not kube-proxy's.
  static func sets(_ sets: [NftRuleset.Set]) -> Objects {
    sets.map { ($0.name, $0.flags.contains("dynamic") ? nil : $0.elements.map(\.text)) }
  }

  /// The objects only the node has (stale), those it lacks (missing), then the items of
  /// those both have.
  mutating func compare(
    _ kind: Entry.Kind, _ itemKind: Entry.Kind, _ table: String, _ have: Objects,
    _ want: Objects
  ) {
    let wanted = Set(want.map(\.name))
    for h in have where !wanted.contains(h.name) {
      entries.append(Entry(kind: kind, stale: true, table: table, object: h.name))
    }
    let had = Dictionary(have.map { ($0.name, $0.items) }, uniquingKeysWith: { a, _ in a })
    for w in want {
      guard let items = had[w.name] else {
        entries.append(Entry(kind: kind, stale: false, table: table, object: w.name))
        continue
      }
      if let haveItems = items, let wantItems = w.items {
        add(itemKind, table, w.name, haveItems, wantItems)
      }
    }
  }

  /// The rules or elements of one object the node has beyond the lab's, and those it lacks.
  mutating func add(
    _ kind: Entry.Kind, _ table: String, _ object: String, _ have: [String], _ want: [String]
  ) {
    let (extra, lacking) = Self.difference(have, want)
    for (items, stale) in [(extra, true), (lacking, false)] {
      entries += items.map {
        Entry(kind: kind, stale: stale, table: table, object: object, item: $0)
      }
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
