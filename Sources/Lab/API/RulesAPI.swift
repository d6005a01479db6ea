import Cluster
import Foundation
import KubeProxy
import LuaKit
import NetAddr

/// `traceRules` and `diffRules`: a real node's `iptables-save` dump or `nft list ruleset`
/// listing, walked and compared.
enum RulesAPI {
  static func register(_ lab: LabSession, in state: LuaState) throws {
    try state.register(
      "traceRules",
      help: HelpEntry(
        usage: "traceRules(rules, packet, opts)",
        summary:
          "walk a packet {src=, dst=, proto=, dport=, sport=, iif=, oif=, local=, mark=, "
          + "ctstate=} through a node's iptables-save text or nft list ruleset text (or its "
          + "path): every table and chain in hook and priority order (kube-proxy's, Calico's, "
          + "Docker's); opts: nodeIPs, node, ipsets",
        details:
          "Returns the trace as `trace` does (steps, text; prints as numbered steps) with "
          + "verdict, path (local, forward, output), dnat, snat, probability, unknowns (what the "
          + "rules cannot show: conntrack state, marks, ipsets, interfaces, xt matches, and what "
          + "was assumed) and outcomes (every branch of the random statistic matches, numgen and "
          + "meta random, with its probability and steps). nft text is told apart by its first "
          + "line (`table ip kube-proxy {`); its base chains run by hook and priority, several "
          + "tables on one hook. Each rule step carries the rule's counters when the rules have "
          + "them (iptables-save -c, nft's counter statements)."
      )
    ) { call in
      let text = try rulesText(call, 1)
      let packetTable = try call.checkTable(2)
      var f = Fields(packetTable, path: "packet", function: call.functionName)
      let packet = try readPacket(&f, call)
      try f.rejectUnknown()
      var o = Fields(try call.optTable(3), path: "opts", function: call.functionName)
      var nodeIPs: [IPAddress] =
        try o.strings("nodeIPs")?.map { (s: String) throws -> IPAddress in
          guard let ip = IPAddress(s) else {
            throw call.error("opts.nodeIPs: \"\(s)\" is not an IP address")
          }
          return ip
        } ?? []
      if let n = try o.string("node") {
        guard let node = lab.cluster.node(n) else { throw call.error("nodes \"\(n)\" not found") }
        nodeIPs.append(node.internalIP)
      }
      var ipsets: [String: [CIDR]] = [:]
      if let t = try o.table("ipsets") {
        for (k, v) in t.map {
          guard case .string(let name) = k, case .table(let members) = v else {
            throw call.error(
              "opts.ipsets: a table of set name → list of addresses or CIDRs expected")
          }
          ipsets[name] = try members.array.map { m in
            guard let s = m.stringValue,
              let c = CIDR(s.contains("/") ? s : (s.contains(":") ? "\(s)/128" : "\(s)/32"))
            else {
              throw call.error(
                "opts.ipsets.\(name): \"\(m.stringValue ?? m.type.name)\" is not an address or CIDR"
              )
            }
            return c
          }
        }
      }
      try o.rejectUnknown()
      if packet.local { nodeIPs.append(packet.source) }
      let outcomes: [IPTablesPacketTrace]
      if NftRuleset.isListing(text) {
        outcomes = NftPacketTracer(ruleset: try parseNft(text, call), nodeIPs: nodeIPs).trace(
          packet)
      } else {
        let dump = try parse(text, call)
        outcomes = IPTablesPacketTracer(dump: dump, nodeIPs: nodeIPs, ipsets: ipsets).trace(
          packet)
      }
      try call.push(traceTable(outcomes))
      try call.setMetatable(named: TrafficAPI.traceMetatable)
      return 1
    }
    try state.register(
      "diffRules",
      help: HelpEntry(
        usage: "diffRules(node, rules)",
        summary:
          "the kube-proxy chains and rules a real node's iptables-save text or nft list "
          + "ruleset text (or its path) has that the lab's kube-proxy would not write for that "
          + "node (stale), and those it lacks (missing)",
        details:
          "iptables-save text: compares the filter and nat tables' KUBE-* chains (not the "
          + "canaries), rules in a canonical form (iptables-save's /32s, match order and MARK "
          + "spelling do not count). Returns {inSync, staleChains, missingChains, staleRules, "
          + "missingRules, text}; each entry is {table, chain, rule}. nft text (a node in "
          + "nftables mode): compares the kube-proxy tables' chains, rules (without counters), "
          + "sets, maps and their elements (in any order, without comments; not the affinity "
          + "sets' elements); the result also has staleSets, missingSets, staleElements, "
          + "missingElements, entries {table, set, element}. Other tables and chains (Calico, "
          + "Docker, the node's own) are ignored."
      )
    ) { call in
      let (p, node) = try ProxyStateAPI.proxyNode(call, lab)
      let text = try rulesText(call, 2)
      let config = p.config(for: node.name)
      if NftRuleset.isListing(text) {
        guard config.mode == .nftables else {
          throw call.error(
            "node \(node.name) runs kube-proxy in \(config.mode.rawValue) mode: diffRules compares"
              + " nft text with nftables mode rules (give the node's iptables-save text)"
          )
        }
        let have = try parseNft(text, call)
        var families: [IPFamily] = [.v4]
        if have.table("ip6", NFTablesName.table) != nil { families.append(.v6) }
        var mine = NftRuleset()
        for family in families {
          let expected = renderNFTablesRuleset(
            node: node, config: config, decisions: p.decisions(node: node.name), family: family,
            names: p.chainNames)
          do { mine.tables += try NftRuleset(parsing: expected).tables } catch {
            throw call.error("internal: \(error)")
          }
        }
        try call.push(nftDiffTable(NftRuleDiff(node: have, expected: mine), node: node.name))
        try call.setMetatable(named: TrafficAPI.traceMetatable)
        return 1
      }
      guard config.mode == .iptables else {
        throw call.error(
          "node \(node.name) runs kube-proxy in \(config.mode.rawValue) mode: diffRules compares"
            + " iptables mode rules (give the node's nft list ruleset text)"
        )
      }
      let expected = renderIPTablesRestore(
        node: node, config: config, decisions: p.decisions(node: node.name), names: p.chainNames)
      let mine: IPTablesDump
      do { mine = try IPTablesDump(parsing: expected) } catch {
        throw call.error("internal: \(error)")
      }
      let diff = IPTablesRuleDiff(node: try parse(text, call), expected: mine)
      try call.push(diffTable(diff, node: node.name))
      try call.setMetatable(named: TrafficAPI.traceMetatable)
      return 1
    }
  }

  /// The rules argument: the dump text itself, or the path of a file holding it.
  static func rulesText(_ call: LuaCall, _ i: Int) throws -> String {
    let arg = try call.checkString(i)
    if arg.contains("\n") || arg.hasPrefix("*") || arg.hasPrefix("table ") { return arg }
    guard let data = FileManager.default.contents(atPath: arg) else {
      throw call.error(
        "cannot read \"\(arg)\" (give the iptables-save or nft list ruleset text, or the path"
          + " of a file holding it)"
      )
    }
    return String(decoding: data, as: UTF8.self)
  }

  static func parse(_ text: String, _ call: LuaCall) throws -> IPTablesDump {
    do { return try IPTablesDump(parsingNumbered: text) } catch { throw call.error("\(error)") }
  }

  static func parseNft(_ text: String, _ call: LuaCall) throws -> NftRuleset {
    do { return try NftRuleset(parsing: text) } catch { throw call.error("\(error)") }
  }

  static func readPacket(_ f: inout Fields, _ call: LuaCall) throws -> IPTablesPacket {
    func ip(_ key: String) throws -> IPAddress {
      guard let s = try f.string(key) else {
        throw call.error("packet.\(key): an IP address is required")
      }
      guard let ip = IPAddress(s) else {
        throw call.error("packet.\(key): \"\(s)\" is not an IP address")
      }
      return ip
    }
    func port(_ key: String) throws -> Int? {
      guard let p = try f.int(key) else { return nil }
      guard (0...65535).contains(p) else {
        throw call.error("packet.\(key): \(p) is not a port (0-65535)")
      }
      return p
    }
    var p = IPTablesPacket(source: try ip("src"), destination: try ip("dst"))
    p.proto = (try f.string("proto") ?? "tcp").lowercased()
    guard ["tcp", "udp", "sctp", "icmp", "icmpv6"].contains(p.proto) else {
      throw call.error("packet.proto: \"\(p.proto)\" must be tcp, udp, sctp or icmp")
    }
    p.destinationPort = try port("dport")
    p.sourcePort = try port("sport") ?? (p.proto == "icmp" ? nil : 40000)
    p.inInterface = try f.string("iif")
    p.outInterface = try f.string("oif")
    p.local = try f.bool("local") ?? false
    if let m = try f.int("mark") { p.mark = UInt32(truncatingIfNeeded: m) }
    if let s = try f.string("ctstate") {
      guard ["NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"].contains(s) else {
        throw call.error(
          "packet.ctstate: \"\(s)\" must be NEW, ESTABLISHED, RELATED, INVALID or UNTRACKED")
      }
      p.ctstate = s
    }
    return p
  }

  static func stepsValue(_ steps: [IPTablesPacketTrace.Step]) -> LuaValue {
    .list(
      steps.map { s in
        var r = Record()
        r["kind"] = .string(s.kind)
        if let t = s.table { r["table"] = .string(t) }
        if let c = s.chain { r["chain"] = .string(c) }
        r["text"] = .string(s.text)
        if let p = s.packets { r["packets"] = .integer(Int64(clamping: p)) }
        if let b = s.bytes { r["bytes"] = .integer(Int64(clamping: b)) }
        if s.line > 0 { r["line"] = .int(s.line) }
        return r.value
      })
  }

  static func lines(_ steps: [IPTablesPacketTrace.Step]) -> [String] {
    steps.enumerated().map { i, s in
      let place = [s.table, s.chain].compactMap { $0 }.joined(separator: "/")
      let counters = s.packets.map { "[\($0):\(s.bytes ?? 0)] " } ?? ""
      return "\(i + 1). \(place.isEmpty ? "" : "\(place): ")\(counters)\(s.text)"
    }
  }

  static func outcomeRecord(_ t: IPTablesPacketTrace) -> Record {
    var r = Record()
    r["verdict"] = .string(t.verdict)
    r["path"] = .string(t.path)
    if let d = t.dnat { r["dnat"] = .string(d) }
    if let s = t.snat { r["snat"] = .string(s) }
    r["probability"] = .number(t.probability)
    r["unknowns"] = .strings(t.unknowns)
    r["steps"] = stepsValue(t.steps)
    return r
  }

  static func traceTable(_ outcomes: [IPTablesPacketTrace]) -> LuaValue {
    guard let main = outcomes.first else { return .nil }
    var r = outcomeRecord(main)
    r["ok"] = .boolean(main.verdict == "ACCEPT")
    r["outcomes"] = .list(outcomes.map { outcomeRecord($0).value })
    var text = lines(main.steps)
    if outcomes.count > 1 {
      text.append(
        "→ this is one of \(outcomes.count) branches of the random rules "
          + "(\(IPTablesPacketTracer.percent(main.probability))); the others:"
      )
      for o in outcomes.dropFirst() {
        text.append(
          "   \(IPTablesPacketTracer.percent(o.probability)): "
            + "\(o.verdict)\(o.dnat.map { " (DNAT to \($0))" } ?? "")"
        )
      }
    }
    if !main.unknowns.isEmpty {
      text.append("→ not shown by the rules: " + main.unknowns.joined(separator: "; "))
    }
    r["text"] = .string(text.joined(separator: "\n"))
    return r.value
  }

  static func nftDiffTable(_ d: NftRuleDiff, node: String) -> LuaValue {
    typealias Kind = NftRuleDiff.Entry.Kind
    let fields: [(Kind, String, String, String)] = [
      (.chain, "Chains", "chain", "rule"), (.rule, "Rules", "chain", "rule"),
      (.set, "Sets", "set", "element"), (.element, "Elements", "set", "element"),
    ]
    var r = Record()
    r["inSync"] = .boolean(d.inSync)
    for (kind, suffix, object, item) in fields {
      for stale in [true, false] {
        r[(stale ? "stale" : "missing") + suffix] = .list(
          d.entries(kind, stale: stale).map { x in
            var e = Record()
            e["table"] = .string(x.table)
            e[object] = .string(x.object)
            if !x.item.isEmpty { e[item] = .string(x.item) }
            return e.value
          })
      }
    }
    var lines: [String] = []
    if d.inSync { lines.append("\(node): the node's kube-proxy rules are the ones the lab writes") }
    for kind in [Kind.chain, .set, .rule, .element] {
      for stale in [true, false] {
        lines += d.entries(kind, stale: stale).map { nftDiffLine($0) }
      }
    }
    r["text"] = .string(lines.joined(separator: "\n"))
    return r.value
  }

  /// `+ ip kube-proxy chain services-… (…)` for what the node has beyond the lab, `-` for
  /// what it lacks.
  static func nftDiffLine(_ e: NftRuleDiff.Entry) -> String {
    let sign = e.stale ? "+" : "-"
    switch e.kind {
    case .chain, .set:
      let what = e.kind == .chain ? "chain" : "set"
      let why = e.stale ? "the lab would not write it: stale" : "the node lacks it"
      return "\(sign) \(e.table) \(what) \(e.object) (\(why))"
    case .rule: return "\(sign) \(e.table) chain \(e.object): \(e.item)"
    case .element: return "\(sign) \(e.table) element \(e.object) { \(e.item) }"
    }
  }

  static func diffTable(_ d: IPTablesRuleDiff, node: String) -> LuaValue {
    func entries(_ e: [IPTablesRuleDiff.Entry]) -> LuaValue {
      .list(
        e.map { x in
          var r = Record()
          r["table"] = .string(x.table)
          r["chain"] = .string(x.chain)
          if !x.rule.isEmpty { r["rule"] = .string(x.rule) }
          return r.value
        })
    }
    var r = Record()
    r["inSync"] = .boolean(d.inSync)
    r["staleChains"] = entries(d.staleChains)
    r["missingChains"] = entries(d.missingChains)
    r["staleRules"] = entries(d.staleRules)
    r["missingRules"] = entries(d.missingRules)
    var lines: [String] = []
    if d.inSync { lines.append("\(node): the node's kube-proxy rules are the ones the lab writes") }
    for e in d.staleChains {
      lines.append("+ \(e.table) \(e.chain) (chain the lab would not write: stale)")
    }
    for e in d.missingChains { lines.append("- \(e.table) \(e.chain) (chain the node lacks)") }
    for e in d.staleRules { lines.append("+ \(e.table) \(e.rule)") }
    for e in d.missingRules { lines.append("- \(e.table) \(e.rule)") }
    r["text"] = .string(lines.joined(separator: "\n"))
    return r.value
  }
}
