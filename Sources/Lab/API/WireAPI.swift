import Cluster
import CoreDNS
import LuaKit
import NetAddr
import Wire

/// `serveDNS` and `dnsLog`: the lab's CoreDNS on real UDP and TCP sockets.
enum WireAPI {
  /// The servers this lab started, kept for `dnsLog` after they stop.
  final class Servers {
    var all: [WireServer] = []
    var running: [WireServer] { all.filter(\.isRunning) }

    /// Publishes the live engine to every running server.
    func publish(_ live: DNSServer) {
      for s in all where s.isRunning { s.publish(live) }
    }
  }

  /// Attaches the publishing to the current DNS engine, again after every `reset`.
  final class Publisher: ClusterFollower {
    let lab: LabSession
    let servers: Servers
    init(lab: LabSession, servers: Servers) {
      self.lab = lab
      self.servers = servers
    }
    func load(from cluster: Cluster) {
      let live = DNSAPI.dns(lab).server
      let servers = self.servers
      live.onChange = { [unowned live] in servers.publish(live) }
      servers.publish(live)
    }
    func apply(_ change: ClusterChange, in cluster: Cluster) {}
  }

  static let defaultListen = "127.0.0.1:5353"

  /// Returns the lab's servers: the kernel lab adds its CoreDNS pods' servers there, so that
  /// `dnsLog` shows their queries and every change reaches them.
  @discardableResult
  static func register(_ lab: LabSession, in state: LuaState) throws -> Servers {
    let servers = Servers()
    lab.follow { Publisher(lab: $0, servers: servers) }
    try state.register(
      "serveDNS",
      help: HelpEntry(
        usage: "serveDNS(opts)",
        summary:
          "serves the lab's CoreDNS over UDP and TCP in the background; "
          + "returns a handle with :stop() and :stats()",
        details: """
          serveDNS{listen = {"127.0.0.1:5353"}}. opts: listen (list of IP:PORT or [IPv6]:PORT; \
          default 127.0.0.1:5353; port 0 picks a free port), connections (open TCP connections, \
          128), idleTimeout (seconds, 10), logEntries (query log size, 10000). Every address must \
          be named: the wildcard 0.0.0.0 / :: is refused. Every change to the cluster is visible \
          to the next query. The handle's addresses field lists the bound addresses; :stats() \
          counts queries, replies, truncations, drops and connections. Try: dig @127.0.0.1 -p 5353 \
          web.default.svc.cluster.local
          """)
    ) { call in
      var f = Fields(try call.optTable(1), path: "opts", function: "serveDNS")
      let listen = try f.strings("listen") ?? [defaultListen]
      var limits = WireServer.Limits()
      if let n = try f.int("connections") {
        guard n >= 1 else { throw call.error("opts.connections: must be at least 1") }
        limits.connections = n
      }
      if let t = try f.number("idleTimeout") {
        guard t > 0 else { throw call.error("opts.idleTimeout: must be positive") }
        limits.idleTimeout = t
      }
      if let n = try f.int("logEntries") {
        guard n >= 0 else { throw call.error("opts.logEntries: must not be negative") }
        limits.logEntries = n
      }
      try f.rejectUnknown()
      guard !listen.isEmpty else {
        throw call.error("opts.listen: at least one address is required")
      }
      for a in listen {
        if let ip = a.hasPrefix("[")
          ? IPAddress(String(a.dropFirst().prefix { $0 != "]" }))
          : IPAddress(String(a.prefix { $0 != ":" })),
          ip == IPAddress(v4: 0) || ip == IPAddress(v6High: 0, low: 0)
        {
          throw call.error(
            "refusing to listen on the wildcard address \(a): name the address to serve on")
        }
      }
      let live = DNSAPI.dns(lab).server
      let server: WireServer
      do {
        server = try WireServer(listen: listen, engine: live, limits: limits)
      } catch {
        throw call.error("\(error)")
      }
      server.start()
      servers.all.append(server)
      return try call.result(.table(handle(server, call.state)))
    }
    try state.register(
      "dnsLog",
      help: HelpEntry(
        usage: "dnsLog(opts)",
        summary:
          "the queries the DNS servers started by serveDNS received: {time, "
          + "client, transport, name, type, rcode, tc}",
        details:
          "Oldest first, across every server of this lab; opts: clear (true empties the log after "
          + "reading it). Each server keeps its last logEntries queries."
      )
    ) { call in
      var f = Fields(try call.optTable(1), path: "opts", function: "dnsLog")
      let clear = try f.bool("clear") ?? false
      try f.rejectUnknown()
      let entries = servers.all.flatMap { $0.queryLog() }.sorted { $0.time < $1.time }
      if clear { for s in servers.all { s.clearLog() } }
      let rows: [LuaValue] = entries.map { e in
        .table(
          LuaTable(map: [
            "time": .number(e.time), "client": .string(e.client), "transport": .string(e.transport),
            "name": .string(e.name), "type": .string(e.type), "rcode": .string(e.rcode),
            "tc": .boolean(e.truncated),
          ]))
      }
      return try call.result(.table(LuaTable(array: rows)))
    }
    return servers
  }

  /// The handle `serveDNS` returns: `addresses`, `:stop()`, `:stats()`.
  static func handle(_ server: WireServer, _ state: LuaState) throws -> LuaTable {
    let stop = try state.makeFunction(name: "stop") { call in
      server.stop()
      return 0
    }
    let stats = try state.makeFunction(name: "stats") { call in
      let s = server.currentStats()
      let fields: [String: Int] = [
        "udpQueries": s.udpQueries, "tcpQueries": s.tcpQueries, "replies": s.replies,
        "truncated": s.truncated, "dropped": s.dropped, "tcpConnections": s.tcpConnections,
        "rejectedConnections": s.rejectedConnections, "idleClosed": s.idleClosed,
        "openConnections": s.openConnections, "logDropped": s.logDropped,
      ]
      var t = LuaTable()
      for (k, v) in fields { t.map[.string(k)] = .integer(Int64(v)) }
      t.map["running"] = .boolean(server.isRunning)
      return try call.result(.table(t))
    }
    return LuaTable(map: [
      "addresses": .table(LuaTable(array: server.addresses.map { .string($0) })),
      "stop": .function(stop), "stats": .function(stats),
    ])
  }
}
