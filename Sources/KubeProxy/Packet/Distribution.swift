import NetAddr

/// The rule path of one (source, destination), compiled: what a kernel holds once
/// kube-proxy has written its rules. While the proxy state is unchanged, a connection's only
/// free choices are its source port and the service chain's random pick, so a plan keeps,
/// per pick, the outcome the walk gave; a later connection draws the same random numbers and
/// takes the outcome without walking the rules again.
///
/// Only paths whose walk depends on nothing else are planned: a pod or node source, an
/// iptables or nftables entry node, a Service port without session affinity (IPVS schedulers
/// and affinity records keep per-connection kernel state, and a cloud load balancer picks a
/// node at random). A path is compiled on its second walk in the same state; any change to
/// the proxy state makes every plan stale.
public final class ConnectPlan {
  let version: Int
  /// The path's two ends.
  let source: ConnectSource
  let destination: ConnectDestination
  let entryNode: String
  /// How the service chain picks among `count` endpoints: nftables' numgen, else iptables'
  /// statistic rules.
  let numgen: Bool
  let count: Int
  /// What each pick leads to, filled in as picks happen.
  var outcomes: [PlannedOutcome?]

  init(
    version: Int, source: ConnectSource, destination: ConnectDestination, entryNode: String,
    numgen: Bool, count: Int
  ) {
    self.version = version
    self.source = source
    self.destination = destination
    self.entryNode = entryNode
    self.numgen = numgen
    self.count = count
    outcomes = Array(repeating: nil, count: count)
  }
}

/// Where one pick of a plan leads: the connection (its id and `kept` filled in per call) or
/// the failure, and the trace with its text written once.
public final class PlannedOutcome {
  /// The connection as the walk made it, or why it failed.
  public let result: Result<Connection, ConnectFailure>
  /// The source step, whose text is written around each call's source port (nil only for
  /// a walk that failed before leaving its source, which no plan holds).
  let source: TraceStep?
  /// Every step after the source.
  let tail: [TraceStep]
  /// The source line before its port (`[node-1] pod ns/client 10.0.1.9:`), written on
  /// first use (most outcomes never need their text).
  public var sourceHead: [UInt8] { text.head }
  /// The source line after its port (` -> 10.96.0.10:80/TCP`).
  public var sourceTail: [UInt8] { text.tail }
  /// The text of every later line (`TraceStep.description`), one string each.
  public var lines: [String] { text.lines }
  private lazy var text: (head: [UInt8], tail: [UInt8], lines: [String]) = Self.write(source, tail)
  /// A place for whoever turns outcomes into results to keep its own form of this one,
  /// made once per outcome.
  public var attachment: AnyObject?

  init(result: Result<Connection, ConnectFailure>, trace: [TraceStep]) {
    self.result = result
    if let first = trace.first, case .source = first.detail {
      source = first
      tail = Array(trace.dropFirst())
    } else {
      source = nil
      tail = trace
    }
  }

  private static func write(_ source: TraceStep?, _ tail: [TraceStep])
    -> (head: [UInt8], tail: [UInt8], lines: [String])
  {
    let out = TraceText()
    var lines: [String] = []
    lines.reserveCapacity(tail.count)
    out.forEachLine(of: tail) { lines.append(String(decoding: $0, as: UTF8.self)) }
    guard let source, case .source(let src, let ip, _, let d) = source.detail else {
      return ([], [], lines)
    }
    out.clear()
    if let node = source.node {
      out.put(byte: UInt8(ascii: "["))
      out.put(node)
      out.put("] ")
    }
    TraceDetail.writeSourceHead(src, ip: ip, to: out)
    let head = Array(out.buffer)
    out.clear()
    TraceDetail.writeSourceTail(d, to: out)
    return (head, Array(out.buffer), lines)
  }
}

/// One connection made along a plan.
public struct PlannedConnection {
  public let id: Int
  public let sourcePort: Int
  public let kept: Bool
  public let outcome: PlannedOutcome

  /// The connection with this call's id and `kept`, or the failure.
  public var result: Result<Connection, ConnectFailure> {
    outcome.result.map { c in
      var c = c
      c.id = id
      c.kept = kept
      return c
    }
  }

  /// The whole outcome, as `connect` returns it.
  public var connectOutcome: ConnectOutcome {
    guard var first = outcome.source else { return ConnectOutcome(result: result, trace: outcome.tail) }
    if case .source(let src, let ip, _, let d) = first.detail {
      first.detail = .source(src, ip: ip, port: sourcePort, destination: d)
    }
    return ConnectOutcome(result: result, trace: [first] + outcome.tail)
  }
}

/// The key of a plan.
struct PlanKey: Hashable {
  var source: ConnectSource
  var destination: ConnectDestination
}

/// The random pick a walk made in a service chain without affinity: `index` of `count`.
struct WalkPick {
  var node: String
  var count: Int
  var index: Int
  var numgen: Bool
}

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

  /// The current plan for connections from `source` to `destination`, once one connection
  /// has compiled it.
  public func plan(from source: ConnectSource, to destination: ConnectDestination) -> ConnectPlan? {
    guard let plan = plans[PlanKey(source: source, destination: destination)],
      plan.version == stateVersion
    else { return nil }
    return plan
  }

  /// One connection along `plan`: the same random draws, connection id and outcome as
  /// `connect`, without walking the rules once the pick's outcome is known. Nil, with nothing
  /// drawn, when the plan is stale.
  public func connect(
    along plan: ConnectPlan, options: ConnectOptions, using rng: inout some RandomNumberGenerator
  ) -> PlannedConnection? {
    guard plan.version == stateVersion else { return nil }
    let id = nextConnectionID
    nextConnectionID += 1
    let sourcePort = options.sourcePort ?? Self.ephemeralPort(using: &rng)
    let index = plan.numgen ? numgen(plan.count, using: &rng) : statistic(plan.count, using: &rng)
    let outcome: PlannedOutcome
    if let known = plan.outcomes[index] {
      outcome = known
    } else {
      // The pick's first time: walk with the draws already made.
      var opts = options
      opts.sourcePort = sourcePort
      opts.keep = false
      var trace: [TraceStep] = []
      let result = route(
        plan.source, plan.destination, opts, id: id, forcedPick: index, trace: &trace, using: &rng)
      let made = PlannedOutcome(result: result, trace: trace)
      plan.outcomes[index] = made
      outcome = made
    }
    if options.keep, case .success = outcome.result {
      openConnections[id] = OpenConnection(node: plan.entryNode, virtualServer: nil)
    }
    return PlannedConnection(id: id, sourcePort: sourcePort, kept: options.keep, outcome: outcome)
  }

  /// After a walk: compiles its plan when the walk was one a plan can replay.
  func recordPlan(
    _ source: ConnectSource, _ destination: ConnectDestination, pick: WalkPick?,
    result: Result<Connection, ConnectFailure>, trace: [TraceStep]
  ) {
    guard let pick, planning else { return }
    if case .external = source { return }
    // Stale plans are not swept on every change (that would cost a change as many releases
    // as there are plans); they are replaced when their key is walked again, and the table
    // starts afresh when full.
    if plans.count >= Self.planLimit { plans.removeAll(keepingCapacity: true) }
    if walkedOnce.count >= Self.planLimit { walkedOnce.removeAll(keepingCapacity: true) }
    let key = PlanKey(source: source, destination: destination)
    let current = plans[key].flatMap { $0.version == stateVersion ? $0 : nil }
    // A path is compiled on its second walk in the same state: a connection made once
    // between two changes (the usual case right after a change) is not worth a plan.
    if current == nil && walkedOnce.updateValue(stateVersion, forKey: key) != stateVersion { return }
    let plan = current ?? ConnectPlan(
      version: stateVersion, source: source, destination: destination, entryNode: pick.node,
      numgen: pick.numgen, count: pick.count)
    guard plan.count == pick.count, plan.numgen == pick.numgen, pick.index < plan.count else { return }
    plan.outcomes[pick.index] = PlannedOutcome(result: result, trace: trace)
    plans[key] = plan
  }

  /// Plans kept at most; a new one past this starts the table afresh.
  static let planLimit = 4096
}
