import NetAddr

/// The Linux IPVS schedulers kube-proxy can select (`--ipvs-scheduler`), each as the kernel's
/// `ip_vs_<name>.c` decides. kube-proxy gives every real server weight 1 (0 while draining), so
/// wrr behaves as rr and the weighted variants compare plain connection counts.
extension IPVSVirtualServerState {
  static let schedulers = [
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "sh", "dh", "sed", "nq", "mh",
  ]

  /// Picks the real server for a new connection from `client:clientPort`: the persistence
  /// template's server while it lives (ClientIP affinity), else the scheduler's choice.
  /// Returns nil when no real server is available (the kernel answers ICMP port unreachable).
  func schedule(client: IPAddress, clientPort: Int, now: Double) -> (index: Int, sticky: Bool)? {
    expire(now: now)
    guard let timeout = persistentTimeout else {
      return pick(client: client, clientPort: clientPort, now: now).map { ($0, false) }
    }
    // A template lives for the timeout after its last use and while connections it controls
    // remain; a template whose server has weight 0 is dropped (expire_quiescent_template=1).
    if let template = templates[client], let index = index(of: template.dest),
      dests[index].weight > 0,
      now < template.lastUse + Double(timeout)
        || conns.values.contains(where: { $0.client == client && $0.dest == template.dest })
    {
      templates[client] = Stamp(dest: template.dest, lastUse: now)
      return (index, true)
    }
    guard let index = pick(client: client, clientPort: clientPort, now: now) else {
      templates[client] = nil
      return nil
    }
    templates[client] = Stamp(dest: dests[index].id, lastUse: now)
    return (index, false)
  }

  /// The scheduler's own choice, as an index into the real-server list.
  func pick(client: IPAddress, clientPort: Int, now: Double) -> Int? {
    let counts = counts()
    let active = { (i: Int) in counts[self.dests[i].id]?.active ?? 0 }
    // ip_vs_dest_conn_overhead: active connections weigh 256 times an inactive one.
    let overhead = { (i: Int) in (active(i) << 8) + (counts[self.dests[i].id]?.inactive ?? 0) }
    switch scheduler {
    case "lc", "wlc": return weightedLeast(cost: overhead)
    case "sed": return weightedLeast { active($0) + 1 }
    case "nq": return neverQueue(active: active)
    case "lblc": return localityLeast(now: now, active: active, overhead: overhead)
    case "lblcr": return localityReplicated(now: now, active: active, overhead: overhead)
    case "sh": return hashed(bucket: KernelHash.hash32(KernelHash.fold(client), bits: 8))
    case "dh":
      let product = UInt64(KernelHash.fold(key.address)) &* 2_654_435_761
      return hashed(bucket: UInt32(truncatingIfNeeded: product & 0xff))
    case "mh": return maglev(client: client, clientPort: clientPort)
    default: return roundRobin()
    }
  }

  /// rr: the next real server after the last one picked, wrapping once around the list.
  private func roundRobin() -> Int? {
    let start = (rrLast ?? -1) + 1
    let order = Array(start..<dests.count) + Array(0..<min(start, dests.count))
    guard let hit = order.first(where: { dests[$0].weight > 0 }) else { return nil }
    rrLast = hit
    return hit
  }

  /// wlc/lc/sed: the first available server, replaced only by one with a strictly smaller
  /// cost per weight (`loh * dw > doh * lw`).
  private func weightedLeast(
    among candidates: [Int]? = nil, cost: (Int) -> Int
  ) -> Int? {
    let indices = candidates ?? Array(dests.indices)
    guard let first = indices.firstIndex(where: { dests[$0].weight > 0 }) else { return nil }
    var least = indices[first]
    var leastCost = cost(least)
    for index in indices[(first + 1)...] {
      let c = cost(index)
      if leastCost * dests[index].weight > c * dests[least].weight {
        least = index
        leastCost = c
      }
    }
    return least
  }

  /// nq: an idle server (no active connection) at once, else the sed choice.
  private func neverQueue(active: (Int) -> Int) -> Int? {
    var least: Int?
    var leastCost = 0
    for index in dests.indices where dests[index].weight > 0 {
      let c = active(index) + 1
      if active(index) == 0 { return index }
      if let l = least, !(leastCost * dests[index].weight > c * dests[l].weight) { continue }
      least = index
      leastCost = c
    }
    return least
  }

  /// lblc/lblcr's overload test: more active connections than weight while some server is
  /// less than half loaded.
  private func overloaded(_ index: Int, active: (Int) -> Int) -> Bool {
    guard active(index) > dests[index].weight else { return false }
    return dests.indices.contains { active($0) * 2 < dests[$0].weight }
  }

  /// lblc: the server this destination address used last, unless unavailable or overloaded;
  /// else the least-connection server, remembered for the address.
  private func localityLeast(now: Double, active: (Int) -> Int, overhead: (Int) -> Int) -> Int? {
    let daddr = key.address
    if let entry = locality[daddr], now < entry.lastUse + IPVSTimeouts.localityExpiration,
      let index = index(of: entry.dest), dests[index].weight > 0,
      !overloaded(index, active: active)
    {
      locality[daddr]?.lastUse = now
      return index
    }
    guard let index = weightedLeast(cost: overhead) else { return nil }
    locality[daddr] = Stamp(dest: dests[index].id, lastUse: now)
    return index
  }

  /// lblcr: the least-loaded member of this address's server set; a new least-connection
  /// server joins the set when that member is overloaded; the busiest member leaves a set
  /// unchanged for `lblcr_expiration`.
  private func localityReplicated(
    now: Double, active: (Int) -> Int, overhead: (Int) -> Int
  )
    -> Int?
  {
    let daddr = key.address
    guard var set = localitySets[daddr] else {
      guard let index = weightedLeast(cost: overhead) else { return nil }
      localitySets[daddr] = DestSet(members: [dests[index].id], lastModified: now)
      return index
    }
    let members = set.members.compactMap { index(of: $0) }
    let least = weightedLeast(among: members, cost: overhead)
    if set.members.count > 1, now > set.lastModified + IPVSTimeouts.localityExpiration,
      let most = mostLoaded(members, overhead: overhead)
    {
      set.members.removeAll { $0 == dests[most].id }
      set.lastModified = now
    }
    if let least, !overloaded(least, active: active) {
      localitySets[daddr] = set
      return least
    }
    guard let index = weightedLeast(cost: overhead) else {
      localitySets[daddr] = set
      return nil
    }
    if !set.members.contains(dests[index].id) {
      set.members.insert(dests[index].id, at: 0)
      set.lastModified = now
    }
    localitySets[daddr] = set
    return index
  }

  /// The member with the highest cost per weight (`ip_vs_dest_set_max`).
  private func mostLoaded(_ members: [Int], overhead: (Int) -> Int) -> Int? {
    guard let first = members.firstIndex(where: { dests[$0].weight > 0 }) else { return nil }
    var most = members[first]
    var mostCost = overhead(most)
    for index in members[(first + 1)...] where dests[index].weight > 0 {
      let c = overhead(index)
      if mostCost * dests[index].weight < c * dests[most].weight {
        most = index
        mostCost = c
      }
    }
    return most
  }

  /// sh/dh: a fixed 256-bucket table filled with the real servers in turn; a bucket whose
  /// server has weight 0 yields nothing (kube-proxy sets no fallback flag).
  private func hashed(bucket: UInt32) -> Int? {
    guard !dests.isEmpty else { return nil }
    let table = bucketTable ?? (0..<256).map { $0 % dests.count }
    bucketTable = table
    let index = table[Int(bucket)]
    return dests[index].weight > 0 ? index : nil
  }
}
