import NetAddr

/// One IPVS virtual server in one node's kernel: its real servers in list order, its
/// connections, its persistence templates and whatever its scheduler remembers.
final class IPVSVirtualServerState {
  struct Dest {
    var endpoint: ProxyEndpoint
    var weight: Int
    var id: String { endpoint.description }
  }

  struct Conn {
    var dest: String
    var client: IPAddress
    /// ESTABLISHED TCP/SCTP: counted as ActiveConn; anything else is InActConn.
    var active: Bool
    /// When the entry expires (nil while the connection is open).
    var expires: Double?
  }

  struct Stamp {
    var dest: String
    var lastUse: Double
  }

  struct DestSet {
    /// Newest member first (the kernel inserts at the head).
    var members: [String]
    var lastModified: Double
  }

  let key: IPVSVirtualServerKey
  let scheduler: String
  var persistentTimeout: Int?
  private(set) var dests: [Dest] = []
  var conns: [Int: Conn] = [:]
  /// rr: index of the last real server picked (nil: the list head).
  var rrLast: Int?
  /// lblc: destination address → real server.
  var locality: [IPAddress: Stamp] = [:]
  /// lblcr: destination address → server set.
  var localitySets: [IPAddress: DestSet] = [:]
  /// Persistence templates: client address → real server.
  var templates: [IPAddress: Stamp] = [:]
  /// sh/dh bucket tables and the mh lookup table, rebuilt when the real servers change.
  var bucketTable: [Int]?
  var maglevTable: [Int]?

  init(key: IPVSVirtualServerKey, scheduler: String, persistentTimeout: Int?) {
    self.key = key
    self.scheduler = scheduler
    self.persistentTimeout = persistentTimeout
  }

  // MARK: - Real servers

  /// Brings the real servers in line with kube-proxy's endpoint list: new ones appended with
  /// weight 1; removed TCP ones kept at weight 0 while connections drain
  /// (`graceful_termination.go`), removed UDP/SCTP ones deleted at once.
  func reconcile(_ reals: [ProxyEndpoint], now: Double) {
    expire(now: now)
    let wanted = Dictionary(reals.map { ($0.description, $0) }, uniquingKeysWith: { a, _ in a })
    let live = Set(conns.values.map(\.dest))
    var changed = false
    var index = 0
    while index < dests.count {
      let id = dests[index].id
      if let endpoint = wanted[id] {
        dests[index].endpoint = endpoint
        if dests[index].weight != 1 {
          dests[index].weight = 1
          changed = true
        }
      } else if key.proto == .tcp && live.contains(id) {
        if dests[index].weight != 0 {
          dests[index].weight = 0
          changed = true
        }
      } else {
        removeDest(at: index)
        changed = true
        continue
      }
      index += 1
    }
    let present = Set(dests.map(\.id))
    for endpoint in reals where !present.contains(endpoint.description) {
      dests.append(Dest(endpoint: endpoint, weight: 1))
      changed = true
    }
    if changed {
      bucketTable = nil
      maglevTable = nil
    }
  }

  /// Deletes a real server; rr's position moves back to the previous entry (`ip_vs_rr_del_dest`).
  private func removeDest(at index: Int) {
    let id = dests[index].id
    dests.remove(at: index)
    conns = conns.filter { $0.value.dest != id }
    if let last = rrLast {
      if last == index {
        rrLast = index == 0 ? nil : index - 1
      } else if last > index {
        rrLast = last - 1
      }
    }
  }

  // MARK: - Connections

  /// Forgets connections whose linger time is over.
  func expire(now: Double) {
    conns = conns.filter { ($0.value.expires ?? .infinity) > now }
  }

  /// (ActiveConn, InActConn) per real server id.
  func counts() -> [String: (active: Int, inactive: Int)] {
    var result: [String: (active: Int, inactive: Int)] = [:]
    for conn in conns.values {
      var entry = result[conn.dest] ?? (0, 0)
      if conn.active { entry.active += 1 } else { entry.inactive += 1 }
      result[conn.dest] = entry
    }
    return result
  }

  /// Records a connection to `dest`. A kept TCP/SCTP connection is ESTABLISHED (active); a
  /// finished one lingers as inactive; UDP entries are always inactive.
  func open(id: Int, dest: String, client: IPAddress, kept: Bool, now: Double) {
    let connectionOriented = key.proto != .udp
    conns[id] = Conn(
      dest: dest, client: client, active: kept && connectionOriented,
      expires: kept ? nil : now + IPVSTimeouts.linger(key.proto))
  }

  /// Closes a kept connection: it lingers as inactive for the protocol's timeout.
  func close(id: Int, now: Double) {
    guard var conn = conns[id] else { return }
    conn.active = false
    conn.expires = now + IPVSTimeouts.linger(key.proto)
    conns[id] = conn
  }

  /// The kernel view for ipvsadm.
  func snapshot(now: Double) -> IPVSKernelVirtualServer {
    expire(now: now)
    let counts = counts()
    return IPVSKernelVirtualServer(
      key: key, scheduler: scheduler, persistentTimeout: persistentTimeout,
      flags: scheduler == "mh" ? ["mh-port"] : [],
      realServers: dests.map {
        IPVSRealServerState(
          endpoint: $0.endpoint, weight: $0.weight,
          activeConnections: counts[$0.id]?.active ?? 0,
          inactiveConnections: counts[$0.id]?.inactive ?? 0)
      })
  }

  /// Index of the real server with this id.
  func index(of id: String) -> Int? { dests.firstIndex { $0.id == id } }
}
