import NetAddr

/// `distribution`: many connections over one path, counted per backend.
///
/// Its one cache is the path compiled for the call: while nothing changes (and nothing can
/// during one call), a connection through a netfilter service chain without session affinity
/// has only two free choices, its source port and the chain's random pick; every other step
/// follows from the pick. So after the first walk the call keeps, per pick, where the walk
/// led, draws the same random numbers a walk would draw, and walks again only for a pick it
/// has not seen. The cache lives and dies with the call: there is nothing to invalidate.
extension ProxyCluster {
  /// Ephemeral source ports, Linux's default `ip_local_port_range`.
  static let ephemeralPorts = 32768...60999

  /// A random ephemeral port: the draws and the value of `Int.random(in: ephemeralPorts)`
  /// (Lemire's multiply-and-reject, as the standard library's `next(upperBound:)`), without
  /// its unspecialized generic path.
  static func ephemeralPort(using rng: inout some RandomNumberGenerator) -> Int {
    let bound = UInt64(ephemeralPorts.count)
    var m = rng.next().multipliedFullWidth(by: bound)
    if m.low < bound {
      let t = (0 &- bound) % bound
      while m.low < t { m = rng.next().multipliedFullWidth(by: bound) }
    }
    return ephemeralPorts.lowerBound + Int(m.high)
  }

  /// `count` connections; counts per backend pod name, failures under their reason word.
  /// The same counts, connection ids and random draws as `count` calls of `connect`.
  public func distribution(
    from source: ConnectSource, to destination: ConnectDestination, count: Int,
    options: ConnectOptions = ConnectOptions(), using rng: inout some RandomNumberGenerator
  ) -> [String: Int] {
    var counts: [String: Int] = [:]
    func tally(_ result: Result<Connection, ConnectFailure>) {
      switch result {
      case .success(let connection):
        counts[connection.pod?.name ?? connection.podIP.description, default: 0] += 1
      case .failure(let failure):
        counts[failure.kind.rawValue, default: 0] += 1
      }
    }
    var path: CompiledPath?
    for _ in 0..<count {
      if let compiled = path {
        tally(compiled.connect(self, source, destination, options, using: &rng))
        continue
      }
      let outcome = connect(from: source, to: destination, options: options, using: &rng)
      tally(outcome.result)
      if compilingPaths, !options.keep {
        path = compiledPath(source, destination, after: outcome)
      }
    }
    return counts
  }

  /// The path of a walk that a compiled path can replay: a pod or node source, a pick in an
  /// iptables or nftables service chain, a Service port without session affinity (IPVS
  /// schedulers and affinity records keep per-connection state, and a load balancer outside
  /// picks a node at random).
  func compiledPath(
    _ source: ConnectSource, _ destination: ConnectDestination, after outcome: ConnectOutcome
  ) -> CompiledPath? {
    if case .external = source { return nil }
    for step in outcome.trace {
      guard case .pick(_, _, _, let count, _, _, let mode) = step.detail else { continue }
      guard mode != .ipvs, let name = step.node, let node = nodes[name],
        let match = matchService(destination, node: node, config: config(for: name)),
        servicePorts[match.0]?.stickyMaxAgeSeconds == nil
      else { return nil }
      return CompiledPath(numgen: mode == .nftables, count: count)
    }
    return nil
  }

  /// One walk with its draws already made: the source port and the service chain's pick.
  fileprivate func walk(
    _ source: ConnectSource, _ destination: ConnectDestination, _ options: ConnectOptions,
    sourcePort: Int, pick: Int, using rng: inout some RandomNumberGenerator
  ) -> Result<Connection, ConnectFailure> {
    let id = nextConnectionID
    nextConnectionID += 1
    var opts = options
    opts.sourcePort = sourcePort
    var trace: [TraceStep] = []
    return route(source, destination, opts, id: id, forcedPick: pick, trace: &trace, using: &rng)
  }
}

/// Where each pick of one service chain leads, filled in as picks happen.
final class CompiledPath {
  /// How the chain picks among `count` endpoints: nftables' numgen, else iptables'
  /// statistic rules.
  let numgen: Bool
  let count: Int
  var outcomes: [Result<Connection, ConnectFailure>?]

  init(numgen: Bool, count: Int) {
    self.numgen = numgen
    self.count = count
    outcomes = Array(repeating: nil, count: count)
  }

  /// One connection: the draws of a walk, then the pick's known outcome or a walk.
  func connect(
    _ proxy: ProxyCluster, _ source: ConnectSource, _ destination: ConnectDestination,
    _ options: ConnectOptions, using rng: inout some RandomNumberGenerator
  ) -> Result<Connection, ConnectFailure> {
    let sourcePort = options.sourcePort ?? ProxyCluster.ephemeralPort(using: &rng)
    let index = numgen ? proxy.numgen(count, using: &rng) : proxy.statistic(count, using: &rng)
    if let known = outcomes[index] {
      proxy.nextConnectionID += 1
      return known
    }
    let made = proxy.walk(
      source, destination, options, sourcePort: sourcePort, pick: index, using: &rng)
    outcomes[index] = made
    return made
  }
}
