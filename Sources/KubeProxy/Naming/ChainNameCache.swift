import NetAddr

/// The hashed chain names of every service port and endpoint a renderer wrote, kept for the
/// next render. A chain name's hash (SHA-256, base32) depends only on the service port's name
/// and the endpoint's `ip:port`, so a kept hash is always the one a fresh computation would
/// give; what changes between renders is only which ports and endpoints exist.
///
/// `ProxyCluster` holds one (`chainNames`) and the Lab's renders pass it; without one a
/// renderer computes every hash afresh (the reference the tests compare the cache with).
/// Forgetting is the only invalidation, all in `PortNameTable`: `finishRender` drops the ports
/// a render no longer wrote once they outnumber the ones it did, `lookUp` a port's endpoints
/// no longer named once they outnumber twice the current ones.
public final class ChainNameCache {
  /// iptables mode: KUBE-SVC/SVL/EXT/FW names per port, KUBE-SEP hashes per endpoint.
  let iptables = PortNameTable<PortChainNames>()
  /// nftables mode: service-/local-/external-/firewall- names per port, the hash of each
  /// endpoint's chain and affinity-set base.
  let nftables = PortNameTable<PortChainNames>()

  public init() {}

  /// Service ports and endpoints held (iptables, nftables).
  public var counts:
    (iptables: (ports: Int, endpoints: Int), nftables: (ports: Int, endpoints: Int))
  {
    (iptables.counts, nftables.counts)
  }
}

/// The four chains of one service port in one backend: the backend's prefixes on one base
/// (iptables: the port's hash; nftables: the hash and the readable name).
struct PortChainNames {
  let cluster: String
  let local: String
  let external: String
  let firewall: String

  private init(base: String, _ prefixes: (String, String, String, String)) {
    cluster = prefixes.0 + base
    local = prefixes.1 + base
    external = prefixes.2 + base
    firewall = prefixes.3 + base
  }

  /// KUBE-SVC-, KUBE-SVL-, KUBE-EXT- and KUBE-FW-, named by one hash
  /// (`IPTablesChain.serviceCluster` and its siblings).
  static func iptables(_ name: ServicePortName) -> PortChainNames {
    PortChainNames(
      base: IPTablesChain.portProtoHash(name), ("KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-"))
  }

  /// service-, local-, external- and firewall- (`NFTablesName.serviceCluster` and its
  /// siblings).
  static func nftables(_ name: ServicePortName) -> PortChainNames {
    PortChainNames(
      base: NFTablesName.servicePortBase(name), ("service-", "local-", "external-", "firewall-"))
  }

  /// No names, for the nftables backend's `IPTablesServicePlan`, whose chains are named apart.
  static let unnamed = PortChainNames(base: "", ("", "", "", ""))
}

/// An endpoint's identity in chain names.
struct EndpointAddress: Hashable {
  let ip: IPAddress
  let port: Int

  init(_ endpoint: ProxyEndpoint) {
    self.init(ip: endpoint.ip, port: endpoint.port)
  }

  init(ip: IPAddress, port: Int) {
    self.ip = ip
    self.port = port
  }
}

/// One naming scheme's names: per service port, the port's chain names and its endpoints'
/// hashes.
final class PortNameTable<PortNames> {
  struct Entry {
    var names: PortNames
    var endpoints: [EndpointAddress: ChainHash.HashText] = [:]
    /// The endpoints the port was last asked for and their hashes: usually asked for again.
    var last: (endpoints: [EndpointAddress], hashes: [ChainHash.HashText]) = ([], [])
    /// The render that last used this entry.
    var render: Int
  }

  private var entries: [ServicePortName: Entry] = [:]
  private var render = 0
  private var used = 0

  var counts: (ports: Int, endpoints: Int) {
    (entries.count, entries.values.reduce(0) { $0 + $1.endpoints.count })
  }

  /// The names of `port` and the hashes of `endpoints` (in their order): kept ones, the
  /// others made by `names` and `hash` and kept.
  func lookUp(
    _ port: ServicePortName, _ endpoints: [EndpointAddress],
    into hashes: inout [ChainHash.HashText],
    names: () -> PortNames, hash: (EndpointAddress) -> ChainHash.HashText
  ) -> PortNames {
    withEntry(port, names) { entry in
      if entry.last.endpoints == endpoints {
        hashes.append(contentsOf: entry.last.hashes)
        return entry.names
      }
      let start = hashes.count
      for key in endpoints {
        if let known = entry.endpoints[key] {
          hashes.append(known)
        } else {
          let fresh = hash(key)
          entry.endpoints[key] = fresh
          hashes.append(fresh)
        }
      }
      // Endpoints come and go (a replaced pod has a new address): forget the ones this
      // render did not name once they outnumber those it did.
      if entry.endpoints.count > 2 * endpoints.count + 16 {
        let current = Set(endpoints)
        entry.endpoints = entry.endpoints.filter { current.contains($0.key) }
      }
      entry.last = (endpoints, Array(hashes[start...]))
      return entry.names
    }
  }

  /// The names of `port`: kept ones, else made by `names` and kept.
  func names(_ port: ServicePortName, _ names: () -> PortNames) -> PortNames {
    withEntry(port, names) { $0.names }
  }

  private func withEntry<R>(
    _ port: ServicePortName, _ names: () -> PortNames, _ body: (inout Entry) -> R
  ) -> R {
    let render = self.render
    return modify(&entries[port, default: Entry(names: names(), render: -1)]) { entry in
      if entry.render != render {
        entry.render = render
        used += 1
      }
      return body(&entry)
    }
  }

  private func modify<R>(_ entry: inout Entry, _ body: (inout Entry) -> R) -> R {
    body(&entry)
  }

  /// Ends a render: when the ports it did not write outnumber those it did, they are
  /// forgotten (deleted Services must not keep their names for ever).
  func finishRender() {
    if entries.count > 2 * used + 1024 {
      let render = self.render
      entries = entries.filter { $0.value.render == render }
    }
    render += 1
    used = 0
  }
}
