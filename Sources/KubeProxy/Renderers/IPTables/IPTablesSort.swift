/// Puts iptables rules into the canonical order kube-proxy's own tests compare in
/// (`sortIPTablesRules`), so output no longer depends on the order services were walked:
/// tables by name; chains KUBE-NODEPORTS, KUBE-SERVICES, other KUBE-* alphabetically, then
/// the rest alphabetically; rules of KUBE-NODEPORTS and KUBE-SERVICES stably by the service
/// name in their comment, nat's "must be the last rule" rule last; other chains untouched.
public func sortIPTablesRules(_ text: String) throws(IPTablesDumpError) -> String {
  var dump = try IPTablesDump(parsing: text)
  dump.tables.sort { $0.name < $1.name }
  for t in dump.tables.indices {
    dump.tables[t].chains.sort { chainOrder($0.name, $1.name) }
    for c in dump.tables[t].chains.indices {
      let chain = dump.tables[t].chains[c]
      switch chain.name {
      case IPTablesChain.nodePorts:
        dump.tables[t].chains[c].rules = stableSorted(chain.rules, by: orderByCommentServiceName)
      case IPTablesChain.services:
        let isNAT = dump.tables[t].name == "nat"
        dump.tables[t].chains[c].rules = stableSorted(chain.rules) { a, b in
          if isNAT && isLastRule(a) { return false }
          if isNAT && isLastRule(b) { return true }
          return orderByCommentServiceName(a, b)
        }
      default:
        break
      }
    }
  }
  return dump.text
}

/// The chain order of `sortIPTablesRules`.
func chainOrder(_ a: String, _ b: String) -> Bool {
  func rank(_ name: String) -> Int {
    switch name {
    case IPTablesChain.nodePorts: 0
    case IPTablesChain.services: 1
    default: name.hasPrefix("KUBE-") ? 2 : 3
    }
  }
  let (ra, rb) = (rank(a), rank(b))
  return ra != rb ? ra < rb : a < b
}

/// Orders two rules by the service name at the start of their comments (up to the first
/// space or colon); rules without a comment are unordered.
func orderByCommentServiceName(_ a: IPTablesRule, _ b: IPTablesRule) -> Bool {
  guard let ca = a.comment?.value, let cb = b.comment?.value else { return false }
  func serviceName(_ comment: String) -> Substring {
    comment.prefix { $0 != " " && $0 != ":" }
  }
  return serviceName(ca) < serviceName(cb)
}

/// The nat KUBE-SERVICES rule that jumps to KUBE-NODEPORTS and must stay last.
private func isLastRule(_ rule: IPTablesRule) -> Bool {
  rule.comment?.value.contains("must be the last rule") ?? false
}

/// A stable merge sort: equal elements keep their relative order.
func stableSorted<T>(_ items: [T], by less: (T, T) -> Bool) -> [T] {
  guard items.count > 1 else { return items }
  let middle = items.count / 2
  let left = stableSorted(Array(items[..<middle]), by: less)
  let right = stableSorted(Array(items[middle...]), by: less)
  var merged: [T] = []
  merged.reserveCapacity(items.count)
  var (i, j) = (0, 0)
  while i < left.count && j < right.count {
    // Take from the right only when strictly smaller, which keeps the sort stable.
    if less(right[j], left[i]) {
      merged.append(right[j])
      j += 1
    } else {
      merged.append(left[i])
      i += 1
    }
  }
  return merged + left[i...] + right[j...]
}
