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

  /// Writes the start of the `nft list table` text: the table line and comment, then every
  /// set, map and chain, a blank line between objects. The caller writes the chains created
  /// after these (each after a blank line) and the closing brace.
  func writeHeaderSetsAndChains(into text: inout TextBuffer) {
    text.append("table ")
    text.append(family)
    text.append(byte: UInt8(ascii: " "))
    text.append(NFTablesName.table)
    text.append(" {\n\tcomment \"rules for kube-proxy\"\n")
    for (i, set) in sets.enumerated() {
      if i > 0 { text.newline() }
      write(set, into: &text)
    }
    for (i, chain) in chains.enumerated() {
      if i > 0 || !sets.isEmpty { text.newline() }
      text.startChain(chain.name)
      if let comment = chain.comment {
        text.append("\t\tcomment \"")
        text.append(comment)
        text.append("\"\n")
      }
      if let base = chain.baseDeclaration { text.rule(base) }
      for rule in chain.rules { text.rule(rule) }
      text.append("\t}\n")
    }
  }

  private func write(_ set: SetObject, into text: inout TextBuffer) {
    text.append("\t")
    text.append(set.kind)
    text.append(byte: UInt8(ascii: " "))
    text.append(set.name)
    text.append(" {\n\t\ttype ")
    text.append(set.type)
    text.newline()
    // The kernel gives a dynamic set (one a rule adds to) its default size, which nft lists.
    if set.flags.contains("dynamic") { text.append("\t\tsize 65535\n") }
    if !set.flags.isEmpty {
      text.append("\t\tflags ")
      text.append(set.flags.joined(separator: ","))
      text.newline()
    }
    if let timeout = set.timeoutSeconds {
      text.append("\t\ttimeout ")
      text.append(nftDuration(timeout))
      text.newline()
    }
    if let comment = set.comment {
      text.append("\t\tcomment \"")
      text.append(comment)
      text.append("\"\n")
    }
    if !set.elements.isEmpty {
      text.append("\t\telements = { ")
      for (i, element) in orderedElements(set).enumerated() {
        if i > 0 {
          text.append((set.twoPerLine && i % 2 == 1) ? ", " : ",\n\t\t\t     ")
        }
        text.append(element)
      }
      text.append(" }\n")
    }
    text.append("\t}\n")
  }

  /// The elements in listing order: by address for a set of single addresses (each parsed
  /// once), else as added.
  private func orderedElements(_ set: SetObject) -> [String] {
    guard set.sortedByAddress else { return set.elements }
    return set.elements.map { (IPAddress($0) ?? IPAddress(v4: 0), $0) }
      .sorted { $0.0 < $1.0 }.map(\.1)
  }
}

extension TextBuffer {
  /// Appends `\tchain <name> {` and the end of the line.
  mutating func startChain(_ name: String) {
    append("\tchain ", name, " {\n")
  }

  /// Appends one rule line of a chain: two tabs, the rule, the end of the line.
  mutating func rule(_ rule: String) {
    append("\t\t", rule, "\n")
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
