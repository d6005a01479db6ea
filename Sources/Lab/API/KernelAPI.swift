import Cluster
import CoreDNS
import Foundation
import Kernel
import KubeProxy
import LuaKit
import NetAddr
import Wire

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// `materialize`, `teardown`, `kernelConnect`: the lab on this machine's kernel (root), kept
/// in step with every change made afterwards.
enum KernelAPI {
  /// The kernel lab of one session, and the external clients it was built with.
  final class Binding {
    var kernel: KernelLab?
    var externals: [IPAddress] = []
    /// Whether the kernel has nfacct counters (probed once, as kube-proxy does at start-up).
    var nfacct = true
    /// Set by `svclab up` to show what each re-sync did and how long it took.
    var verbose = true
  }

  /// The svclab executable (responders and probes run as its subcommands).
  static var program: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
  }

  static func register(_ lab: LabSession, in state: LuaState, wire: WireAPI.Servers) throws {
    let binding = Binding()
    lab.afterChange.append { [unowned lab] in resync(binding, lab) }
    try state.register(
      "materialize",
      help: HelpEntry(
        usage: "materialize(opts)",
        summary:
          "build the lab on this machine's kernel (root): network namespaces per node and pod "
          + "named svl-…, Calico-style wiring, each node's kube-proxy rules, a responder on every "
          + "container port, the CoreDNS pods served on port 53 by the lab's DNS engine (queries "
          + "in dnsLog()); opts: external (client addresses outside the cluster, default "
          + "{\"203.0.113.7\"}); returns the lines about what was skipped",
        details:
          "Later changes are applied to the kernel as kube-proxy would (changed chains only). "
          + "Everything is removed by teardown(), at exit, and by `svclab down`."
      )
    ) { call in
      var f = Fields(try call.optTable(1), path: "opts", function: call.functionName)
      let externalTexts = try f.strings("external") ?? ["203.0.113.7"]
      try f.rejectUnknown()
      var externals: [IPAddress] = []
      /// Whether the kernel has nfacct counters (probed once, as kube-proxy does at start-up).
      var nfacct = true
      for text in externalTexts {
        guard let ip = IPAddress(text), ip.family == .v4 else {
          throw call.error("opts.external: \"\(text)\" is not an IPv4 address")
        }
        externals.append(ip)
      }
      if let reason = KernelLab.missing() { throw call.error(reason) }
      let prefix = ProcessInfo.processInfo.environment["SVCLAB_NETNS_PREFIX"] ?? "svl-"
      let kernel = binding.kernel ?? KernelLab(names: KernelNames(prefix: prefix), program: program)
      binding.externals = externals
      kernel.dnsHook = dnsHook(lab, wire)
      var lines: [String]
      do {
        if binding.kernel == nil { binding.nfacct = kernel.nfacctAvailable() }
        lines = try kernel.materialize(layout(lab, externals: externals, nfacct: binding.nfacct))
        if !binding.nfacct {
          lines.insert(
            "nfacct counters are unavailable on this kernel: the rules are rendered as kube-proxy "
              + "renders them then, without their -m nfacct matches",
            at: 0)
        }
      } catch {
        throw call.error("\(error)")
      }
      binding.kernel = kernel
      return try call.result(.strings(lines))
    }
    try state.register(
      "kernelSupport",
      help: HelpEntry(
        usage: "kernelSupport()",
        summary:
          "whether materialize() can run here: true, or false and what it needs "
          + "(root, iproute2, iptables, network namespaces)"
      )
    ) { call in
      if let reason = KernelLab.missing() {
        try call.pushBoolean(false)
        try call.pushString(reason)
        return 2
      }
      return try call.result(.boolean(true))
    }
    try state.register(
      "teardown",
      help: HelpEntry(
        usage: "teardown()",
        summary:
          "remove everything materialize() built (namespaces, links, rules, responders, files)")
    ) { call in
      do { try binding.kernel?.teardown() } catch { throw call.error("\(error)") }
      binding.kernel = nil
      return 0
    }
    try state.register(
      "kernelConnections",
      help: HelpEntry(
        usage: "kernelConnections(from, target, count, opts)",
        summary:
          "count real connections from one client process, as kernelConnect makes "
          + "them: a list of {pod, sourceIP} or {reason}"
      )
    ) { call in
      guard let kernel = binding.kernel, kernel.layout != nil else {
        throw call.error("the lab is not on the kernel: call materialize() first")
      }
      let count = try call.checkInteger(3)
      guard (1...10_000).contains(count) else {
        throw call.error("count must be between 1 and 10000, got \(count)")
      }
      let req: TrafficRequest
      do {
        req = try TrafficRequest(call, from: 1, target: 2, opts: 4, lab)
      } catch let f as TrafficFailure {
        var r = Record()
        r["reason"] = .string(f.reason)
        return try call.result(.list(Array(repeating: r.value, count: count)))
      }
      let source = try probeSource(req, binding, call)
      let results: [KernelLab.ProbeResult]
      do {
        results = try kernel.probe(
          from: source, to: req.destination.ip.description, port: req.destination.port,
          proto: req.destination.proto.rawValue, timeoutMs: 1000, count: count)
      } catch { throw call.error("\(error)") }
      return try call.result(
        .list(
          results.map { res in
            var r = Record()
            if let name = res.name {
              r["pod"] = .string(name)
              r["sourceIP"] = LuaValue.optional(res.peer)
            } else {
              r["reason"] = .string(res.failure ?? "failed")
            }
            return r.value
          }))
    }
    try state.register(
      "kernelConnect",
      help: HelpEntry(
        usage: "kernelConnect(from, target, opts)",
        summary:
          "one real connection on the materialized lab, as connect() takes it: {pod, "
          + "sourceIP} from the responder's answer, or nil and \"refused\", \"timed out\" "
          + "(after 1 s) or \"unreachable\"; opts: port, protocol"
      )
    ) { call in
      guard let kernel = binding.kernel, kernel.layout != nil else {
        throw call.error("the lab is not on the kernel: call materialize() first")
      }
      let timeout = 1000
      guard let req = try TrafficRequest.orReason(call, lab) else { return 2 }
      let source = try probeSource(req, binding, call)
      let result: KernelLab.ProbeResult
      do {
        result = try kernel.probe(
          from: source, to: req.destination.ip.description, port: req.destination.port,
          proto: req.destination.proto.rawValue, timeoutMs: timeout)
      } catch { throw call.error("\(error)") }
      guard let name = result.name else {
        try call.pushNil()
        try call.pushString(result.failure ?? "failed")
        return 2
      }
      var r = Record()
      r["pod"] = .string(name)
      r["sourceIP"] = LuaValue.optional(result.peer)
      return try call.result(r.value)
    }
  }

  /// The CoreDNS pods served by the wire DNS server: bound to the pod's address on port 53
  /// (UDP and TCP) from a thread inside the pod's namespace, answering from the lab's engine,
  /// its queries in `dnsLog()`. Queries to the kube-dns ClusterIP reach it through the node's
  /// real DNAT.
  static func dnsHook(
    _ lab: LabSession, _ servers: WireAPI.Servers
  ) -> (String, KernelPod) throws -> () -> Void {
    { [unowned lab] ns, pod in
      let live = DNSAPI.dns(lab).server
      let listen = "\(pod.ip):\(KernelLab.dnsPort)"
      let server = try inNamespace(ns) { try WireServer(listen: [listen], engine: live) }
      server.start()
      servers.all.append(server)
      return { server.stop() }
    }
  }

  /// The box a namespace thread hands its outcome back in.
  private final class Outcome: @unchecked Sendable {
    var result: Result<WireServer, Error>?
    let body: () throws -> WireServer
    init(_ body: @escaping () throws -> WireServer) { self.body = body }
  }

  /// glibc's setns(2), looked up at run time: Swift's Glibc module leaves out the
  /// _GNU_SOURCE declarations. CLONE_NEWNET is 0x40000000 (linux/sched.h).
  private typealias SetNS = @convention(c) (Int32, Int32) -> Int32
  private static let cloneNewNet: Int32 = 0x4000_0000

  /// Runs `body` on a thread of its own that has entered the network namespace
  /// /run/netns/`ns` (setns affects only the calling thread, which then ends); sockets
  /// created there stay in that namespace.
  static func inNamespace(
    _ ns: String, _ body: @escaping () throws -> WireServer
  ) throws -> WireServer {
    guard let symbol = dlsym(nil /* RTLD_DEFAULT */, "setns") else {
      throw KernelError("setns is not available in this C library")
    }
    let setns = unsafeBitCast(symbol, to: SetNS.self)
    let outcome = Outcome(body)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      defer { done.signal() }
      let fd = open("/run/netns/\(ns)", O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else {
        outcome.result = .failure(
          KernelError("cannot open /run/netns/\(ns): \(String(cString: strerror(errno)))"))
        return
      }
      defer { close(fd) }
      guard setns(fd, cloneNewNet) == 0 else {
        outcome.result = .failure(
          KernelError("setns into \(ns): \(String(cString: strerror(errno)))"))
        return
      }
      outcome.result = Result { try outcome.body() }
    }
    thread.name = "svclab-netns"
    thread.start()
    done.wait()
    return try outcome.result!.get()
  }

  /// Where a probe starts: the namespace of the source `connect` would use.
  static func probeSource(
    _ req: TrafficRequest, _ binding: Binding, _ call: LuaCall
  ) throws -> KernelLab.ProbeSource {
    switch req.source {
    case .pod(let key): return .pod(namespace: key.namespace, name: key.name)
    case .node(let name): return .node(name)
    case .external(let ip):
      guard binding.externals.contains(ip) else {
        throw call.error(
          "no external client \(ip) on the kernel: materialize({external = {\"\(ip)\"}})")
      }
      return .external(ip)
    }
  }

  /// After a change to a materialized lab: the kernel follows, and the time is shown.
  static func resync(_ binding: Binding, _ lab: LabSession) {
    guard let kernel = binding.kernel, kernel.layout != nil else { return }
    let clock = ContinuousClock()
    let start = clock.now
    do {
      let lines = try kernel.sync(layout(lab, externals: binding.externals, nfacct: binding.nfacct))
      let elapsed = clock.now - start
      let ms =
        Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
      if binding.verbose && !lines.isEmpty {
        print(
          "kernel: re-synced in \(String(format: "%.0f", ms)) ms: \(lines.joined(separator: "; "))")
      }
    } catch {
      print("kernel: re-sync failed: \(error)")
    }
  }

  /// The lab as the kernel module takes it: IPv4 nodes and pods, each node's rules rendered
  /// by the same renderers as `iptablesSave` and `nftRuleset`.
  static func layout(_ lab: LabSession, externals: [IPAddress], nfacct: Bool) -> KernelLayout {
    var options = IPTablesRenderOptions()
    options.nfacctCounters = nfacct
    let p = TrafficAPI.proxy(lab).synced()
    let network: KernelLayout.PodNetwork
    switch p.podNetwork {
    case .bgp: network = .bgp
    case .vxlan: network = .vxlan
    case .ipip: network = .ipip
    }
    var nodes: [KernelNode] = []
    for name in p.nodes.keys.sorted() {
      guard let n = p.nodes[name], let ip = n.ips.first(where: { $0.family == .v4 }) else {
        continue
      }
      let config = p.config(for: name)
      let decisions = p.decisions(node: name)
      let mode: KernelNode.ProxyMode
      switch config.mode {
      case .iptables: mode = .iptables
      case .nftables: mode = .nftables
      case .ipvs: mode = .ipvs
      }
      nodes.append(
        KernelNode(
          name: name, ip: ip, podCIDR: n.podCIDR,
          tunnelAddress: p.podNetwork == .bgp ? nil : n.podCIDR.network, proxyMode: mode,
          iptablesRestore: mode == .iptables
            ? renderIPTablesRestore(node: n, config: config, decisions: decisions, options: options)
            : "",
          nftRuleset: mode == .nftables
            ? renderNFTablesRuleset(node: n, config: config, decisions: decisions) : "",
          localhostNodePorts: config.localhostNodePorts,
          listeners: n.listeners.sorted { $0.key < $1.key }.map {
            KernelListener(
              name: ip.description, port: $0.value.port, proto: $0.value.proto.rawValue)
          }))
    }
    var pods: [KernelPod] = []
    for (key, pod) in p.pods.sorted(by: { "\($0.key)" < "\($1.key)" }) {
      guard let node = p.nodes[pod.nodeName] else { continue }
      let addresses = pod.hostNetwork ? node.ips : pod.ips
      guard let ip = addresses.first(where: { $0.family == .v4 }) else { continue }
      let clusterPod = lab.cluster.pod(ClusterKey(namespace: key.namespace, name: key.name))
      pods.append(
        KernelPod(
          namespace: pod.namespace, name: pod.name, node: pod.nodeName, ip: ip,
          hostNetwork: pod.hostNetwork,
          ports: pod.listening.filter { $0.proto != .sctp }.map {
            KernelListener(name: pod.name, port: $0.port, proto: $0.proto.rawValue)
          },
          resolvConf: clusterPod.map { DNSQueries.podResolvConf($0, lab).text } ?? "",
          servesDNS: pod.namespace == "kube-system" && clusterPod?.labels["k8s-app"] == "kube-dns"))
    }
    // The underlay routes each load-balancer and external IP to one node, as a cloud or a
    // static route would: for externalTrafficPolicy Local a node whose health check passes.
    var routes: [IPAddress: String] = [:]
    let nodeNames = nodes.map(\.name)
    for s in lab.cluster.services() {
      let local = s.spec.externalTrafficPolicy?.rawValue == "Local"
      let healthy = nodeNames.first {
        p.healthCheck(node: $0, service: ProxyFollower.name(s.metadata.key))?.statusCode == 200
      }
      let target = (local ? healthy : nil) ?? nodeNames.first
      guard let target else { continue }
      for ip in s.status.loadBalancerIngress where ip.family == .v4 { routes[ip] = target }
      for text in s.spec.externalIPs {
        if let ip = IPAddress(text), ip.family == .v4 { routes[ip] = target }
      }
    }
    return KernelLayout(
      nodes: nodes, pods: pods, podNetwork: network,
      clusterCIDR: lab.cluster.podCIDRs.first { $0.family == .v4 }, natOutgoing: true,
      externalClients: externals, underlayRoutes: routes)
  }
}
