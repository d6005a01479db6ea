import NetAddr

/// The objects of an nftables table, printed the way `nft list table` prints them: the table
/// comment, every named set and map (creation order), then every chain (creation order), a
/// blank line between objects, one tab of indentation per level.
struct NFTablesListing {
  struct SetObject {
    var kind: String  // "set" or "map"
    var name: String
    var type: String
    var flags: [String] = []
    var timeoutSeconds: Int? = nil
    var comment: String? = nil
    /// Printed elements (`key [comment "…"] [: value]`).
    var elements: [String] = []
    /// The elements already added: a set holds each key once (a ClusterIP with several ports
    /// is one `cluster-ips` element).
    var present: Set<String> = []
    /// nft puts two plain IPv4 addresses on a line; concatenations and IPv6 one per line.
    var twoPerLine = false
    /// nft lists the elements of a set of single addresses in address order; elements with
    /// concatenated keys come in the kernel's hash order (here: the order they were added).
    var sortedByAddress = false
  }

  struct ChainObject {
    var name: String
    var comment: String? = nil
    /// `type nat hook prerouting priority dstnat; policy accept;` for base chains.
    var baseDeclaration: String? = nil
    var rules: [String] = []
  }

  var family: String
  var sets: [SetObject] = []
  var chains: [ChainObject] = []
  private var chainIndex: [String: Int] = [:]

  init(family: String) { self.family = family }

  /// Adds a chain unless it exists (kube-proxy's `ensureChain`).
  mutating func ensureChain(_ name: String, comment: String? = nil, base: String? = nil) {
    guard chainIndex[name] == nil else { return }
    chainIndex[name] = chains.count
    chains.append(ChainObject(name: name, comment: comment, baseDeclaration: base))
  }

  /// Appends a rule to an existing (or new) chain.
  mutating func add(_ chain: String, _ rule: String) {
    ensureChain(chain)
    if let index = chainIndex[chain] { chains[index].rules.append(rule) }
  }

  /// Appends an element to the named set or map; adding one it holds already changes nothing,
  /// as with `nft add element`.
  mutating func addElement(_ set: String, _ element: String) {
    guard let index = sets.firstIndex(where: { $0.name == set }),
      sets[index].present.insert(element).inserted
    else { return }
    sets[index].elements.append(element)
  }

  /// The `nft list table` text.
  var text: String {
    var out = "table \(family) \(NFTablesName.table) {\n\tcomment \"rules for kube-proxy\"\n"
    let blocks = sets.map(render) + chains.map(render)
    out += blocks.joined(separator: "\n")
    return out + "}\n"
  }

  private func render(_ set: SetObject) -> String {
    var lines = ["\t\(set.kind) \(set.name) {", "\t\ttype \(set.type)"]
    // The kernel gives a dynamic set (one a rule adds to) its default size, which nft lists.
    if set.flags.contains("dynamic") { lines.append("\t\tsize 65535") }
    if !set.flags.isEmpty { lines.append("\t\tflags " + set.flags.joined(separator: ",")) }
    if let timeout = set.timeoutSeconds { lines.append("\t\ttimeout " + nftDuration(timeout)) }
    if let comment = set.comment { lines.append("\t\tcomment \"\(comment)\"") }
    if !set.elements.isEmpty {
      var body = ""
      let elements =
        set.sortedByAddress
        ? set.elements.sorted {
          (IPAddress($0) ?? IPAddress(v4: 0)) < (IPAddress($1) ?? IPAddress(v4: 0))
        }
        : set.elements
      for (i, element) in elements.enumerated() {
        if i > 0 { body += (set.twoPerLine && i % 2 == 1) ? ", " : ",\n\t\t\t     " }
        body += element
      }
      lines.append("\t\telements = { \(body) }")
    }
    return (lines + ["\t}"]).map { $0 + "\n" }.joined()
  }

  private func render(_ chain: ChainObject) -> String {
    var lines = ["\tchain \(chain.name) {"]
    if let comment = chain.comment { lines.append("\t\tcomment \"\(comment)\"") }
    if let base = chain.baseDeclaration { lines.append("\t\t" + base) }
    lines += chain.rules.map { "\t\t" + $0 }
    return (lines + ["\t}"]).map { $0 + "\n" }.joined()
  }
}

/// nft's time format: `3h`, `1d2h`, `10s`, largest units first, zero parts omitted.
func nftDuration(_ seconds: Int) -> String {
  var rest = seconds
  var out = ""
  for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
    out += "\(rest / size)\(unit)"
    rest %= size
  }
  return out.isEmpty ? "0s" : out
}
