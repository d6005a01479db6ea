import NetAddr

/// What one selector reads from the packet.
enum NftField {
  case address(IPAddress)
  case number(UInt64)
  case proto(String)
  /// Interface names, `fib … type` results, `meta nfproto`, `meta pkttype`.
  case name(String)
  /// `ct state`, `ct status`: the packet has each of these flags.
  case flags(Set<String>)
  /// The header is not in this packet (`ip6 saddr` of an IPv4 packet, `tcp dport` of UDP):
  /// nft's comparison breaks off, whatever the operator.
  case absent
  /// The listing cannot tell (a mark set elsewhere, an unknown interface): the sentence says
  /// what is missing, and the comparison is taken to be false.
  case unknown(String)
}

extension NftWalk {
  /// Whether `m` holds for the packet; `notes` gets what the listing could not show.
  mutating func evaluate(
    _ m: NftMatch, _ table: NftRuleset.Table, _ notes: inout [String]
  ) -> Bool {
    // iptables-nft's translation of `-m statistic --mode random --probability p`:
    // `meta random & 2147483647 < n`, n = p · 2³¹.
    if m.selectors == ["meta random"], m.maskOp == "&", m.op == "<",
      case .literal(let v) = m.value, let n = Double(v[0])
    {
      let p = min(1, n / 2_147_483_648)
      let take = choose([p, 1 - p]) == 0
      let percent = IPTablesPacketTracer.percent
      notes.append(
        "random: matches \(percent(p)) of the packets that reach it; this branch "
          + "\(take ? "matches" : "does not") (\(percent(take ? p : 1 - p)))")
      return take
    }
    var fields: [NftField] = []
    for selector in m.selectors {
      var field = self.field(selector)
      if let op = m.maskOp, let mask = m.mask { field = Self.masked(field, op, mask) }
      if case .absent = field { return false }
      noteAssumedState(selector, &notes)
      if case .unknown(let why) = field {
        notes.append("\(why): assumed not \(Self.valueText(m.value))")
        unknown(why)
      }
      fields.append(field)
    }
    let hit: Bool
    switch m.value {
    case .literal(let values):
      guard values.count == fields.count else { return false }
      if m.op != "==" && m.op != "!=" {
        guard case .number(let have) = fields[0], let want = Self.integer(values[0]) else {
          return false
        }
        switch m.op {
        case "<": return have < want
        case ">": return have > want
        case "<=": return have <= want
        default: return have >= want
        }
      }
      hit = zip(fields, values).allSatisfy { Self.compare($0, $1) }
    case .set(let name):
      hit = (table.set(name)?.elements ?? []).contains { Self.matches($0, fields) }
    case .anonymous(let elements):
      hit = elements.contains { Self.matches($0, fields) }
    }
    return hit != (m.op == "!=")
  }

  /// The verdict `selectors` find in a verdict map; nil when no element matches.
  mutating func lookup(
    _ selectors: [String], _ map: NftValue, _ table: NftRuleset.Table, _ notes: inout [String]
  ) -> NftVerdict? {
    let elements: [NftElement]
    var name = "the map"
    switch map {
    case .set(let n):
      name = "@\(n)"
      elements = table.set(n)?.elements ?? []
    case .anonymous(let e): elements = e
    case .literal: return nil
    }
    if selectors.count == 1, selectors[0].hasPrefix("numgen random mod ") {
      return numgen(selectors[0], elements, &notes)
    }
    let fields = selectors.map { field($0) }
    for selector in selectors { noteAssumedState(selector, &notes) }
    for f in fields {
      if case .absent = f { return nil }
      if case .unknown(let why) = f {
        notes.append("\(why): no element of \(name) assumed to match")
        unknown(why)
        return nil
      }
    }
    guard let hit = elements.first(where: { Self.matches($0, fields) }) else { return nil }
    notes.append("\(name): \(hit.text)")
    return hit.verdict
  }

  /// `numgen random mod N [offset K] vmap { … }`: the N values, grouped by the element they
  /// find, are the branches (`1-3 : goto b` of `mod 4` is one branch of three chances in four).
  mutating func numgen(
    _ selector: String, _ elements: [NftElement], _ notes: inout [String]
  ) -> NftVerdict? {
    let words = selector.split(separator: " ")
    guard words.count >= 4, let n = Int(words[3]), n > 0, n <= 4096 else { return nil }
    let offset = words.count >= 6 ? Int(words[5]) ?? 0 : 0
    var groups: [(element: Int?, values: [Int])] = []
    for k in offset..<(offset + n) {
      let hit = elements.firstIndex { Self.matches($0, [.number(UInt64(k))]) }
      if let g = groups.firstIndex(where: { $0.element == hit }) {
        groups[g].values.append(k)
      } else {
        groups.append((hit, [k]))
      }
    }
    let chosen = groups[choose(groups.map { Double($0.values.count) / Double(n) })]
    let element = chosen.element.map { elements[$0] }
    let share = IPTablesPacketTracer.percent(Double(chosen.values.count) / Double(n))
    let values = chosen.values.count == 1 ? "\(chosen.values[0])" : "\(chosen.values.count) values"
    notes.append(
      "random: \(values) of \(n) (\(share)) → \(element?.value ?? "no element: no verdict")")
    return element?.verdict
  }

  /// A `ct state` read when the packet's state was not given: said, and taken as new.
  mutating func noteAssumedState(_ selector: String, _ notes: inout [String]) {
    guard selector == "ct state" && packet.ctstate == nil else { return }
    notes.append(
      "conntrack state not in the listing: assumed new (a connection's first packet;"
        + " give ctstate=)")
    unknown("conntrack state assumed NEW")
  }

  // MARK: - Fields

  /// What `selector` reads from the packet at this point of the walk.
  func field(_ selector: String) -> NftField {
    let v4 = packet.destination.family == .v4
    switch selector {
    case "ip saddr": return v4 ? .address(packet.source) : .absent
    case "ip daddr": return v4 ? .address(packet.destination) : .absent
    case "ip6 saddr": return v4 ? .absent : .address(packet.source)
    case "ip6 daddr": return v4 ? .absent : .address(packet.destination)
    case "meta l4proto", "ip protocol", "ip6 nexthdr", "ct protocol", "ct original protocol":
      return .proto(packet.proto)
    case "meta nfproto": return .name(v4 ? "ipv4" : "ipv6")
    case "meta pkttype": return .name("unicast")
    case "meta mark":
      return markKnown ? .number(UInt64(mark)) : .unknown("the packet's mark is not known here")
    case "meta iifname", "meta iif":
      if packet.local { return .name("") }
      return packet.inInterface.map { .name($0) }
        ?? .unknown("the input interface is not known (give iif=)")
    case "meta oifname", "meta oif":
      if hook == "prerouting" || hook == "input" { return .name("") }
      return packet.outInterface.map { .name($0) }
        ?? .unknown("the output interface is not known (give oif=)")
    case "ct state":
      return .flags([(packet.ctstate ?? "NEW").lowercased()])
    case "ct status":
      guard (packet.ctstate ?? "NEW") == "NEW" else {
        return .unknown("the conntrack status of an established connection is not in the listing")
      }
      var flags: Set<String> = []
      if trace.dnat != nil { flags.insert("dnat") }
      if trace.snat != nil { flags.insert("snat") }
      return .flags(flags)
    case "fib daddr type": return .name(addressType(packet.destination))
    case "fib saddr type": return .name(addressType(packet.source))
    default:
      return portField(selector) ?? otherField(selector)
    }
  }

  /// `th dport`, `tcp dport`, `udp sport`…: absent when the packet is of another protocol.
  func portField(_ selector: String) -> NftField? {
    let words = selector.split(separator: " ")
    guard words.count == 2, words[1] == "dport" || words[1] == "sport" else { return nil }
    let header = String(words[0])
    let hasPorts = ["tcp", "udp", "sctp", "udplite", "dccp"].contains(packet.proto)
    guard header == "th" ? hasPorts : header == packet.proto else { return .absent }
    let port = words[1] == "dport" ? packet.destinationPort : packet.sourcePort
    return port.map { .number(UInt64($0)) } ?? .absent
  }

  /// Fields the listing cannot decide, said as what is missing.
  func otherField(_ selector: String) -> NftField {
    if selector.hasPrefix("fib ") && (selector.hasSuffix(" oif") || selector.hasSuffix("oifname")) {
      // The reverse-path checks (`fib saddr . iif oif 0 drop`, `… oif missing drop`).
      return .name("(a route the node's routing table gives)")
    }
    if selector.hasPrefix("ct ") {
      return .unknown("\(selector) is conntrack state the listing does not show")
    }
    let headers = ["icmp": "icmp", "icmpv6": "icmpv6", "tcp": "tcp", "udp": "udp", "sctp": "sctp"]
    if let h = selector.split(separator: " ").first.flatMap({ headers[String($0)] }),
      h != packet.proto
    {
      return .absent
    }
    return .unknown("\(selector) cannot be evaluated from the listing")
  }

  /// `local`, `multicast`, `broadcast` or `unicast`, as `fib … type` answers.
  func addressType(_ ip: IPAddress) -> String {
    if tracer.localAddresses.contains(ip) { return "local" }
    if CIDR("224.0.0.0/4")?.contains(ip) == true || CIDR("ff00::/8")?.contains(ip) == true {
      return "multicast"
    }
    return ip == IPAddress("255.255.255.255") ? "broadcast" : "unicast"
  }

  // MARK: - Comparisons

  /// `field & mask` (or `|`, `^`) for numeric fields.
  static func masked(_ field: NftField, _ op: String, _ mask: String) -> NftField {
    guard case .number(let v) = field, let m = integer(mask) else { return field }
    switch op {
    case "&", "and": return .number(v & m)
    case "|", "or": return .number(v | m)
    case "^", "xor": return .number(v ^ m)
    default: return field
    }
  }

  /// Whether an element's key holds the packet's fields (one part per field).
  static func matches(_ element: NftElement, _ fields: [NftField]) -> Bool {
    element.key.count == fields.count && zip(fields, element.key).allSatisfy { compare($0, $1) }
  }

  /// Whether the field equals (or lies in) one listed value: an address, prefix or range, a
  /// number or range, a protocol, a name (`"cali*"` matches by prefix), a list of flags.
  static func compare(_ field: NftField, _ value: String) -> Bool {
    switch field {
    case .address(let ip):
      if value.contains("/") { return CIDR(value)?.contains(ip) ?? false }
      if let dash = value.firstIndex(of: "-"),
        let lo = IPAddress(String(value[..<dash])),
        let hi = IPAddress(String(value[value.index(after: dash)...]))
      {
        return lo <= ip && ip <= hi
      }
      return IPAddress(value) == ip
    case .number(let n):
      let ends = value.split(separator: "-")
      if ends.count == 2, let lo = integer(String(ends[0])), let hi = integer(String(ends[1])) {
        return lo <= n && n <= hi
      }
      return integer(value) == n || services[value] == n
    case .proto(let p):
      let numbers = ["6": "tcp", "17": "udp", "132": "sctp", "1": "icmp", "58": "icmpv6"]
      let want = numbers[value] ?? (value == "ipv6-icmp" ? "icmpv6" : value)
      return want == p
    case .name(let name):
      let v = value.hasPrefix("\"") ? String(value.dropFirst().dropLast()) : value
      return v.hasSuffix("*") ? name.hasPrefix(v.dropLast()) : name == v
    case .flags(let have):
      return value.split(separator: ",").contains { have.contains(String($0)) }
    case .absent, .unknown:
      return false
    }
  }

  /// The right side of a match as listed.
  static func valueText(_ value: NftValue) -> String {
    switch value {
    case .literal(let v): return v.joined(separator: " . ")
    case .set(let name): return "in @\(name)"
    case .anonymous(let e): return "in { " + e.map(\.text).joined(separator: ", ") + " }"
    }
  }

  /// A decimal or `0x` number.
  static func integer(_ s: String) -> UInt64? {
    s.hasPrefix("0x") ? UInt64(s.dropFirst(2), radix: 16) : UInt64(s)
  }

  /// Port names `nft list -S` prints, for listings taken that way.
  static let services: [String: UInt64] = [
    "http": 80, "https": 443, "domain": 53, "ssh": 22, "ntp": 123, "bootps": 67, "bootpc": 68,
  ]
}
