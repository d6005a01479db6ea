import NetAddr

/// Walks packets through an `nft list ruleset` listing: on each netfilter hook the base chains
/// of every table of the packet's family (`ip`, `ip6`, `inet`) in priority order (raw −300,
/// mangle −150, dstnat −100, filter 0, srcnat 100; equal priorities in listing order),
/// following jumps, gotos and verdict maps into every chain — kube-proxy's table, Calico's,
/// Docker's, iptables-nft's `nat` and `filter`. As in the kernel, an `accept` ends only the
/// base chain it happens in (the next base chain on the hook still sees the packet), `drop`
/// and `reject` end the walk, and once a `nat` chain translated the connection the later
/// `nat` chains of that hook are not consulted. Where the walk forks on `numgen random` or
/// `meta random`, each branch is one outcome with its probability.
public struct NftPacketTracer: Sendable {
  public let ruleset: NftRuleset
  public let localAddresses: Set<IPAddress>
  /// Every base chain by hook, in the order the kernel runs them: by priority, then in
  /// listing order (positions in `ruleset.tables` and their chains).
  let hooks: [String: [(table: Int, chain: Int)]]

  public init(ruleset: NftRuleset, nodeIPs: [IPAddress]) {
    self.ruleset = ruleset
    let loopback = ["127.0.0.1", "::1"].compactMap { IPAddress($0) }
    localAddresses = Set(nodeIPs + loopback)
    var hooks: [String: [(table: Int, chain: Int)]] = [:]
    for (t, table) in ruleset.tables.enumerated() {
      for (c, chain) in table.chains.enumerated() {
        if let hook = chain.hook { hooks[hook, default: []].append((t, c)) }
      }
    }
    let priority = { (p: (table: Int, chain: Int)) in
      ruleset.tables[p.table].chains[p.chain].priority
    }
    // A stable sort: equal priorities keep listing order.
    self.hooks = hooks.mapValues { list in
      list.enumerated().sorted {
        priority($0.element) != priority($1.element)
          ? priority($0.element) < priority($1.element) : $0.offset < $1.offset
      }.map(\.element)
    }
  }

  /// Every outcome of `packet`, the most likely first (ties in rule order).
  public func trace(_ packet: IPTablesPacket) -> [IPTablesPacketTrace] {
    var outcomes: [IPTablesPacketTrace] = []
    var script: [Int] = []
    while outcomes.count < IPTablesPacketTracer.maxOutcomes {
      var walk = NftWalk(tracer: self, packet: packet, script: script, mark: packet.mark ?? 0)
      walk.run()
      outcomes.append(walk.trace)
      // The next branch: the last random choice with an untried option takes the next one.
      guard let last = walk.decisions.lastIndex(where: { $0.choice + 1 < $0.count }) else {
        break
      }
      script = walk.decisions[..<last].map(\.choice) + [walk.decisions[last].choice + 1]
    }
    let key = { (p: Double) in (p * 1e9).rounded() }
    return outcomes.enumerated().sorted { a, b in
      key(a.element.probability) != key(b.element.probability)
        ? key(a.element.probability) > key(b.element.probability) : a.offset < b.offset
    }.map(\.element)
  }

  /// The base chains on `hook` that see a packet of `family`, in the order the kernel runs
  /// them.
  func baseChains(hook: String, family: IPFamily) -> [(NftRuleset.Table, NftRuleset.Chain)] {
    let families: Set<String> = family == .v4 ? ["ip", "inet"] : ["ip6", "inet"]
    return (hooks[hook] ?? []).compactMap { p in
      let table = ruleset.tables[p.table]
      return families.contains(table.family) ? (table, table.chains[p.chain]) : nil
    }
  }
}

/// The state of one walk through the listing.
struct NftWalk {
  let tracer: NftPacketTracer
  var packet: IPTablesPacket
  /// Scripted choices of the random statements met, in order; past its end the first option.
  let script: [Int]
  var decisions: [(choice: Int, count: Int)] = []
  /// The packet's mark as the rules set it (unknown once set from conntrack).
  var mark: UInt32
  var markKnown = true
  var hook = ""
  var trace = IPTablesPacketTrace()

  mutating func run() {
    guard runHook(packet.local ? "output" : "prerouting") else { return }
    let local = tracer.localAddresses.contains(packet.destination)
    switch trace.route(packet, local: local, input: "input", forward: "forward") {
    case "output": guard runHook("postrouting") else { return }
    case "local": guard runHook("input") else { return }
    default: guard runHook("forward"), runHook("postrouting") else { return }
    }
    step("verdict", nil, nil, trace.endText(packet))
  }

  /// Runs the base chains on `hook`; false when the packet went no further.
  mutating func runHook(_ name: String) -> Bool {
    hook = name
    var translatedBy: String? = nil
    for (table, chain) in tracer.baseChains(hook: name, family: packet.destination.family) {
      if chain.type == "nat" {
        if let state = packet.ctstate, state != "NEW" {
          step(
            "note", table.id, chain.name,
            "skipped: only a connection's first packet goes through nat chains; a \(state)"
              + " packet gets the translation conntrack recorded for it"
          )
          continue
        }
        if let by = translatedBy {
          step(
            "note", table.id, chain.name,
            "skipped: \(by) already translated this connection on the \(name) hook")
          continue
        }
      }
      var result = runChain(table, chain.name, depth: 0)
      if case .fellThrough = result { result = .returned }
      if case .returned = result {
        let policy = chain.policy ?? "accept"
        step("policy", table.id, chain.name, "policy \(policy)")
        result = .verdict(policy.uppercased())
      }
      guard case .verdict(let v) = result else { continue }
      if ["DNAT", "SNAT", "MASQUERADE", "REDIRECT"].contains(v) {
        translatedBy = "\(table.id) \(chain.name)"
      } else if v != "ACCEPT" {
        trace.verdict = v
        step("verdict", table.id, chain.name, "\(v): the packet goes no further")
        return false
      }
    }
    return true
  }

  /// Runs `name`'s rules in order until one decides.
  mutating func runChain(_ table: NftRuleset.Table, _ name: String, depth: Int) -> TraceChainEnd {
    guard depth < 64, let chain = table.chain(name) else { return .fellThrough }
    for rule in chain.rules {
      if let end = runRule(table, chain.name, rule, depth: depth) { return end }
    }
    return .fellThrough
  }

  /// Runs one rule's statements; nil when the walk goes on with the next rule.
  mutating func runRule(
    _ table: NftRuleset.Table, _ chain: String, _ rule: NftRule, depth: Int
  ) -> TraceChainEnd? {
    var notes: [String] = []
    var kind = "rule"
    func text() -> String {
      rule.uncounted + (notes.isEmpty ? "" : " — " + notes.joined(separator: "; "))
    }
    for statement in rule.statements {
      switch statement {
      case .match(let m):
        guard evaluate(m, table, &notes) else {
          if !notes.isEmpty { step("unknown", table.id, chain, text(), rule) }
          return nil
        }
      case .vmap(let selectors, let map):
        guard let verdict = lookup(selectors, map, table, &notes) else {
          if !notes.isEmpty { step("unknown", table.id, chain, text(), rule) }
          return nil
        }
        return apply(verdict, table, chain, rule, text(), kind: kind, depth: depth)
      case .verdict(let v):
        return apply(v, table, chain, rule, text(), kind: kind, depth: depth)
      case .nat(let nat, let to):
        step(nat == "dnat" || nat == "redirect" ? "dnat" : "snat", table.id, chain, text(), rule)
        translate(nat, to)
        return .verdict(nat.uppercased())
      case .setMark(let expression):
        setMark(expression)
        kind = "mark"
      case .update(let set, _):
        notes.append("adds the source to @\(set) for later packets")
      case .opaque(let what):
        notes.append("\(what) cannot be decided from the listing: assumed not to match")
        unknown("\(what) cannot be evaluated")
        step("unknown", table.id, chain, text(), rule)
        return nil
      case .opaqueTarget(let what):
        step("unknown", table.id, chain, text() + " — the trace cannot follow \(what)", rule)
        unknown("\(what) in \(table.id) \(chain) ends the trace")
        return .verdict(what)
      case .mangle, .counter, .comment, .action:
        continue
      }
    }
    step(kind, table.id, chain, text(), rule)
    return nil
  }

  /// A verdict reached by `rule` (directly or through a verdict map).
  mutating func apply(
    _ verdict: NftVerdict, _ table: NftRuleset.Table, _ chain: String, _ rule: NftRule,
    _ text: String, kind: String, depth: Int
  ) -> TraceChainEnd? {
    switch verdict {
    case .accept:
      step(kind, table.id, chain, text, rule)
      return .verdict("ACCEPT")
    case .drop, .reject:
      step("verdict", table.id, chain, text, rule)
      return .verdict(verdict == .drop ? "DROP" : "REJECT")
    case .return:
      step(kind, table.id, chain, text, rule)
      return .returned
    case .continue:
      step(kind, table.id, chain, text, rule)
      return nil
    case .jump(let target), .goto(let target):
      step(kind, table.id, chain, text, rule)
      let end = runChain(table, target, depth: depth + 1)
      if case .verdict = end { return end }
      let isGoto = verdict == .goto(target)
      if case .fellThrough = end {
        let back = isGoto ? "returns to the chain that called \(chain)" : "back to \(chain)"
        step("note", table.id, target, "no rule matched: \(back)")
      }
      return isGoto ? .returned : nil
    }
  }

  // MARK: - Statements that change the packet

  mutating func translate(_ kind: String, _ to: String?) {
    switch kind {
    case "dnat":
      let (ip, port) = IPTablesPacketTracer.split(to ?? "")
      if let ip { packet.destination = ip }
      if let port { packet.destinationPort = port }
    case "redirect":
      packet.destination =
        tracer.localAddresses.first { $0.family == packet.destination.family && !$0.isLoopback }
        ?? packet.destination
      if let to, to.hasPrefix(":"), let port = Int(to.dropFirst().prefix { $0 != "-" }) {
        packet.destinationPort = port
      }
    case "masquerade":
      trace.snat = "masqueraded (the address of the interface it leaves by)"
      return
    default:
      trace.snat = to ?? "SNAT"
      return
    }
    trace.dnat = IPTablesPacketTracer.endpoint(packet.destination, packet.destinationPort)
  }

  /// `meta mark set 0x4000`, `… set meta mark | 0x4000`, iptables-nft's `… set mark or 0x4000`.
  mutating func setMark(_ expression: [String]) {
    if expression.count == 1, let v = IPTablesPacketTracer.number(expression[0]) {
      mark = v
      markKnown = true
      return
    }
    guard expression.count == 3, expression[0] == "meta mark",
      let operand = IPTablesPacketTracer.number(expression[2])
    else {
      markKnown = false
      unknown("the mark set from \(expression.joined(separator: " ")) is not in the listing")
      return
    }
    switch expression[1] {
    case "|", "or": mark |= operand
    case "&", "and": mark &= operand
    case "^", "xor": mark ^= operand
    default: markKnown = false
    }
  }

  // MARK: - Steps

  mutating func step(
    _ kind: String, _ table: String?, _ chain: String?, _ text: String, _ rule: NftRule? = nil
  ) {
    trace.steps.append(
      IPTablesPacketTrace.Step(
        kind: kind, table: table, chain: chain, text: text, packets: rule?.packets,
        bytes: rule?.bytes, line: rule?.line ?? 0))
  }

  mutating func unknown(_ sentence: String) {
    if !trace.unknowns.contains(sentence) { trace.unknowns.append(sentence) }
  }

  /// Picks one of `probabilities.count` branches (the scripted one, else the first).
  mutating func choose(_ probabilities: [Double]) -> Int {
    let index = decisions.count
    let choice = index < script.count ? script[index] : 0
    decisions.append((choice, probabilities.count))
    trace.probability *= probabilities[choice]
    return choice
  }
}
