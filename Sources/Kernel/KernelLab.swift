import Foundation
import NetAddr

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// The lab on this machine's kernel: an underlay namespace, a namespace per node and per pod,
/// Calico-style wiring, kube-proxy's rules as the lab renders them, and a responder on every
/// container port. Built by `materialize`, kept in step by `sync`, removed by `teardown`.
public final class KernelLab {
  public let names: KernelNames
  public let runner: CommandRunner
  /// The svclab executable: responders and probes run as `svclab responder|probe`.
  public let program: String
  /// What is built now (nil before `materialize` and after `teardown`).
  public private(set) var layout: KernelLayout?
  /// Lines about what could not be built here and why (IP-in-IP without the module, nft
  /// rejecting kube-proxy's table, IPVS); shown by `svclab up`.
  public private(set) var notes: [String] = []
  /// Called for each CoreDNS pod once its namespace is wired: where the wire DNS server is
  /// started, bound to the pod's address on port 53, inside the pod's namespace (the
  /// Wire module's server); it returns what stops that server, called when the pod goes and
  /// at teardown, before its namespace is deleted. The pod's other ports (metrics) get the
  /// plain responder. Without a hook the pod gets the plain responder on every port.
  public var dnsHook: ((_ namespace: String, _ pod: KernelPod) throws -> () -> Void)?
  /// The port the hook's server takes over from the responder.
  public static let dnsPort = 53

  private var responders: [String: [Process]] = [:]
  /// What stops each CoreDNS pod's DNS server (from `dnsHook`), by pod key.
  private var dnsStoppers: [String: () -> Void] = [:]
  private var loadedRules: [String: String] = [:]
  private var guardian: Process?
  private var ipipAvailable: Bool?

  public init(
    names: KernelNames = KernelNames(), runner: CommandRunner = CommandRunner(), program: String
  ) {
    self.names = names
    self.runner = runner
    self.program = program
  }

  deinit { try? teardown() }

  // MARK: - Preconditions

  /// Why the lab cannot be built here, or nil: it needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN
  /// for `ip netns`), iproute2 and iptables-restore, and a kernel with network namespaces.
  public static func missing(runner: CommandRunner = CommandRunner()) -> String? {
    if geteuid() != 0 {
      return
        "it needs root: network namespaces, links and rules are created with `ip netns add`, `ip "
        + "link` and `iptables-restore` (run it with sudo, or as root)"
    }
    for tool in ["ip", "iptables-restore", "sysctl"] {
      guard (try? runner.attempt(["which", tool]).status) == 0 else {
        return "it needs `\(tool)` (Debian: apt-get install iproute2 iptables procps)"
      }
    }
    guard FileManager.default.fileExists(atPath: "/proc/self/ns/net") else {
      return "this kernel has no network namespaces (/proc/self/ns/net is missing)"
    }
    return nil
  }

  /// Whether this kernel has nfacct counters (kube-proxy probes this at start-up and writes its
  /// `-m nfacct` matches only when it does): a rule using one is loaded into a scratch namespace.
  public func nfacctAvailable() -> Bool {
    let ns = "\(names.prefix)probe"
    guard (try? runner.run(["ip", "netns", "add", ns])) != nil else { return false }
    defer { _ = try? runner.attempt(["ip", "netns", "del", ns]) }
    let input =
      "*filter\n:KUBE-PROBE - [0:0]\n"
      + "-A KUBE-PROBE -m nfacct --nfacct-name svclab_probe -j ACCEPT\nCOMMIT\n"
    return
      (try? runner.attempt(
        ["ip", "netns", "exec", ns, "iptables-restore", "--noflush"], input: input
      ).status) == 0
  }

  // MARK: - Building

  /// Builds the whole layout. Leftovers of a crashed run (names with the prefix, owned by no
  /// live process) are swept first; a failure removes everything made so far.
  @discardableResult
  public func materialize(_ layout: KernelLayout) throws -> [String] {
    if self.layout != nil { try teardown() }
    if let reason = Self.missing(runner: runner) { throw KernelError("materialize: \(reason)") }
    if let owner = liveOwner(), owner != getpid() {
      throw KernelError(
        "materialize: svclab process \(owner) has the lab on the kernel (names "
          + "\(names.prefix)*); stop it or run `svclab down`"
      )
    }
    var lines: [String] = []
    let swept = sweep()
    if !swept.isEmpty {
      lines.append(
        "swept \(swept.count) leftovers of an earlier run: \(swept.joined(separator: ", "))")
    }
    notes = []
    do {
      try writeOwner()
      try startGuardian()
      try buildUnderlay(layout)
      for node in layout.nodes { try buildNode(node, layout) }
      for (i, ip) in layout.externalClients.enumerated() { try buildExternal(ip, index: i, layout) }
      for pod in layout.pods { try buildPod(pod, layout) }
      try buildPodNetwork(layout)
      for node in layout.nodes { try loadRules(node, layout) }
      self.layout = layout
      for pod in layout.pods { try startResponders(pod) }
      for node in layout.nodes { try startListeners(node) }
    } catch {
      try? teardown()
      throw error
    }
    return lines + notes
  }

  private func buildUnderlay(_ layout: KernelLayout) throws {
    try addNamespace(names.underlay)
    try ip(
      names.underlay,
      [
        "link set lo up",
        "link add \(names.bridge) type bridge",
        "link set \(names.bridge) up",
      ])
  }

  /// A node: its namespace on the underlay, its address, forwarding and the sysctls
  /// kube-proxy and Calico's Felix set.
  private func buildNode(_ node: KernelNode, _ layout: KernelLayout) throws {
    let ns = names.node(node.name)
    let index = layout.nodes.firstIndex(of: node) ?? 0
    try addNamespace(ns)
    try attachToUnderlay(ns, port: names.underlayPort(index))
    try ip(
      ns,
      [
        "link set lo up",
        "addr add \(node.ip)/32 dev eth0",
        "link set eth0 up",
        "route add default dev eth0",
      ])
    var sysctls = [
      "net.ipv4.ip_forward=1",  // Felix (routing between pods and nodes)
      "net.ipv4.conf.default.rp_filter=1",  // Felix: strict reverse-path on cali* devices
    ]
    if node.proxyMode == .iptables && node.localhostNodePorts {
      sysctls.append("net.ipv4.conf.all.route_localnet=1")  // kube-proxy: NodePorts on 127.0.0.1
    }
    try sysctl(ns, sysctls)
  }

  private func buildExternal(_ address: IPAddress, index: Int, _ layout: KernelLayout) throws {
    let ns = names.external(address)
    try addNamespace(ns)
    try attachToUnderlay(ns, port: names.underlayPort(100 + index))
    var lines = [
      "link set lo up", "addr add \(address)/32 dev eth0", "link set eth0 up",
    ]
    for node in layout.nodes { lines.append("route add \(node.ip)/32 dev eth0") }
    for (vip, nodeName) in layout.underlayRoutes.sorted(by: { $0.key < $1.key }) {
      if let node = layout.nodes.first(where: { $0.name == nodeName }) {
        lines.append("route add \(vip)/32 via \(node.ip) dev eth0 onlink")
      }
    }
    try ip(ns, lines)
  }

  /// A veth from `ns` (named eth0 there) to the underlay's bridge.
  private func attachToUnderlay(_ ns: String, port: String) throws {
    try ip(
      names.underlay,
      [
        "link add \(port) type veth peer name eth0 netns \(ns)",
        "link set \(port) master \(names.bridge)",
        "link set \(port) up",
      ])
  }

  /// A pod, wired as Calico does: the pod's eth0 holds its /32 and a default route via the
  /// link-local 169.254.1.1, which the node side answers by proxy ARP; the node routes the
  /// pod's /32 to the veth.
  private func buildPod(_ pod: KernelPod, _ layout: KernelLayout) throws {
    let nodeNS = names.node(pod.node)
    guard !pod.hostNetwork else { return }
    let ns = names.pod(namespace: pod.namespace, name: pod.name)
    let veth = names.podVeth(namespace: pod.namespace, name: pod.name)
    try addNamespace(ns)
    try writeResolvConf(ns, pod.resolvConf)
    try ip(nodeNS, ["link add \(veth) type veth peer name eth0 netns \(ns)"])
    try sysctl(
      nodeNS,
      [
        "net.ipv4.conf.\(veth).proxy_arp=1",
        "net.ipv4.neigh.\(veth).proxy_delay=0",
        "net.ipv4.conf.\(veth).forwarding=1",
      ])
    try ip(
      nodeNS,
      [
        "link set \(veth) up",
        "route add \(pod.ip)/32 dev \(veth) scope link",
      ])
    try ip(
      ns,
      [
        "link set lo up",
        "addr add \(pod.ip)/32 dev eth0",
        "link set eth0 up",
        "route add 169.254.1.1 dev eth0 scope link",
        "route add default via 169.254.1.1 dev eth0",
      ])
  }

  private func removePod(_ pod: KernelPod) throws {
    stopResponders(pod.key)
    guard !pod.hostNetwork else { return }
    let ns = names.pod(namespace: pod.namespace, name: pod.name)
    try deleteNamespace(ns)
    // The veth went with the namespace; its route went with the veth.
  }

  /// Between nodes: BGP routes to each node's pod CIDR via its address, or a VXLAN device
  /// with static neighbours as Felix programs them; IP-in-IP where the module exists.
  private func buildPodNetwork(_ layout: KernelLayout) throws {
    switch layout.podNetwork {
    case .bgp:
      for node in layout.nodes {
        try ip(
          names.node(node.name),
          layout.nodes.filter { $0 != node }.map {
            "route add \($0.podCIDR) via \($0.ip) dev eth0 onlink proto bird"
          })
      }
    case .vxlan:
      for node in layout.nodes {
        let ns = names.node(node.name)
        var lines = [
          "link add vxlan.calico type vxlan id 4096 local "
            + "\(node.ip) dev eth0 dstport 4789 nolearning",
          "link set vxlan.calico address \(Self.vxlanMAC(node, layout)) mtu 1450",
          "link set vxlan.calico up",
        ]
        if let tunnel = node.tunnelAddress {
          lines.append("addr add \(tunnel)/32 dev vxlan.calico")
        }
        for other in layout.nodes where other != node {
          guard let tunnel = other.tunnelAddress else { continue }
          let mac = Self.vxlanMAC(other, layout)
          lines.append("neigh add \(tunnel) lladdr \(mac) dev vxlan.calico nud permanent")
          lines.append("route add \(other.podCIDR) via \(tunnel) dev vxlan.calico onlink proto 80")
        }
        try ip(ns, lines)
        for other in layout.nodes where other != node {
          try runner.run([
            "ip", "netns", "exec", ns, "bridge", "fdb", "add",
            Self.vxlanMAC(other, layout), "dev", "vxlan.calico", "dst", other.ip.description,
          ])
        }
      }
    case .ipip:
      guard ipipWorks(layout) else {
        notes.append(
          "IP-in-IP skipped: this kernel has no ipip module (`ip link add … type ipip`: Unknown "
            + "device type), so no tunl0 is built and pods on different nodes cannot reach each "
            + "other in IPIP mode; use BGP or VXLAN here"
        )
        return
      }
      for node in layout.nodes {
        let ns = names.node(node.name)
        var lines = ["link set tunl0 up mtu 1480"]
        if let tunnel = node.tunnelAddress { lines.append("addr add \(tunnel)/32 dev tunl0") }
        for other in layout.nodes where other != node {
          lines.append("route add \(other.podCIDR) via \(other.ip) dev tunl0 onlink proto bird")
        }
        try ip(ns, lines)
      }
    }
  }

  private func ipipWorks(_ layout: KernelLayout) -> Bool {
    if let known = ipipAvailable { return known }
    let ns = names.node(layout.nodes.first?.name ?? "")
    let ok =
      (try? runner.attempt([
        "ip", "-n", ns, "link", "add", "name", "\(names.prefix)ipip", "type", "ipip",
      ]).status) == 0
    if ok { _ = try? runner.attempt(["ip", "-n", ns, "link", "del", "\(names.prefix)ipip"]) }
    ipipAvailable = ok
    return ok
  }

  /// A stable locally administered MAC per node (Felix derives one per host too).
  static func vxlanMAC(_ node: KernelNode, _ layout: KernelLayout) -> String {
    let i = (layout.nodes.firstIndex(of: node) ?? 0) + 1
    return String(format: "66:73:76:6c:%02x:%02x", (i >> 8) & 0xff, i & 0xff)
  }

  // MARK: - Rules

  /// Calico's rules (outgoing NAT, the tunnel's masquerade), then kube-proxy's: the restore
  /// input exactly as the lab renders it, then the jumps from the built-in chains kube-proxy
  /// ensures itself (they are not part of its restore input).
  private func loadRules(_ node: KernelNode, _ layout: KernelLayout) throws {
    let ns = names.node(node.name)
    switch node.proxyMode {
    case .iptables:
      try restore(ns, node.iptablesRestore)
      loadedRules[node.name] = node.iptablesRestore
      try restore(ns, Self.jumpRules(declaredIn: node.iptablesRestore))
    case .nftables:
      let out = try runner.attempt(
        ["ip", "netns", "exec", ns, "nft", "-f", "-"], input: node.nftRuleset)
      if out.status != 0 {
        let err = out.stderr.split(separator: "\n").prefix(3).joined(separator: " / ")
        notes.append(
          "nftables mode on \(node.name) not loaded: this nft rejects kube-proxy's table as "
            + "rendered (\(err)); kube-proxy's own ruleset needs the same syntax (Debian 12's nft "
            + "1.0.6 rejects the dstnat priority on the input/output hooks), so it is not rewritten"
        )
      } else {
        loadedRules[node.name] = node.nftRuleset
      }
    case .ipvs:
      notes.append(
        "IPVS mode on \(node.name) not loaded: the lab does not program IPVS virtual servers on "
          + "the kernel (ipvsadm); its ipset-matching iptables rules alone would not forward"
      )
    }
    // Last, so that its jump comes first: Felix keeps its chains ahead of kube-proxy's.
    try restore(ns, Self.calicoRules(layout))
  }

  /// Felix's NAT rules in the lab's terms: pod traffic leaving the IP pool is masqueraded
  /// (`natOutgoing`), and traffic leaving by the tunnel with a host source other than the
  /// tunnel's own address is masqueraded to it.
  static func calicoRules(_ layout: KernelLayout) -> String {
    var lines = [
      "*nat", ":cali-POSTROUTING - [0:0]", ":cali-nat-outgoing - [0:0]",
      "-I POSTROUTING 1 -m comment --comment \"cali:O3lYWMrLQYEMJtB5\" -j cali-POSTROUTING",
      "-A cali-POSTROUTING -m comment --comment \"cali:Z-c7XtVd2Bq7s_hA\" -j cali-nat-outgoing",
    ]
    for device in ["vxlan.calico", "tunl0"] {
      lines.append(
        "-A cali-POSTROUTING -o \(device) -m comment --comment \"cali:tunnel-masquerade\" -m "
          + "addrtype ! --src-type LOCAL --limit-iface-out "
          + "-m addrtype --src-type LOCAL -j MASQUERADE"
      )
    }
    if layout.natOutgoing, let pool = layout.clusterCIDR {
      lines.append(
        "-A cali-nat-outgoing -m comment --comment \"cali:flqWnvo8yq4ULQLa\" -s \(pool) "
          + "! -d \(pool) -j MASQUERADE --random-fully"
      )
    }
    lines.append("COMMIT")
    return lines.joined(separator: "\n") + "\n"
  }

  /// kube-proxy's `iptablesJumpChains`: the built-in chains' jumps into its own, prepended
  /// with the same comments and conntrack matches, for each chain the input declares.
  static func jumpRules(declaredIn input: String, except loaded: String = "") -> String {
    let tables = Dictionary(
      RuleDiff.parse(input).map { ($0.name, $0.table) }, uniquingKeysWith: { a, _ in a })
    let before = Dictionary(
      RuleDiff.parse(loaded).map { ($0.name, $0.table) }, uniquingKeysWith: { a, _ in a })
    let new = "-m conntrack --ctstate NEW "
    let jumps: [(table: String, chain: String, from: String, comment: String, extra: String)] = [
      (
        "filter", "KUBE-EXTERNAL-SERVICES", "INPUT",
        "kubernetes externally-visible service portals", new
      ),
      (
        "filter", "KUBE-EXTERNAL-SERVICES", "FORWARD",
        "kubernetes externally-visible service portals", new
      ),
      ("filter", "KUBE-NODEPORTS", "INPUT", "kubernetes health check service ports", ""),
      ("filter", "KUBE-SERVICES", "FORWARD", "kubernetes service portals", new),
      ("filter", "KUBE-SERVICES", "OUTPUT", "kubernetes service portals", new),
      ("filter", "KUBE-FORWARD", "FORWARD", "kubernetes forwarding rules", ""),
      ("filter", "KUBE-PROXY-FIREWALL", "INPUT", "kubernetes load balancer firewall", new),
      ("filter", "KUBE-PROXY-FIREWALL", "OUTPUT", "kubernetes load balancer firewall", new),
      ("filter", "KUBE-PROXY-FIREWALL", "FORWARD", "kubernetes load balancer firewall", new),
      ("filter", "KUBE-FIREWALL", "INPUT", "kubernetes firewall for dropping marked packets", ""),
      ("filter", "KUBE-FIREWALL", "OUTPUT", "kubernetes firewall for dropping marked packets", ""),
      ("nat", "KUBE-SERVICES", "OUTPUT", "kubernetes service portals", ""),
      ("nat", "KUBE-SERVICES", "PREROUTING", "kubernetes service portals", ""),
      ("nat", "KUBE-POSTROUTING", "POSTROUTING", "kubernetes postrouting rules", ""),
    ]
    var out: [String] = []
    for table in ["filter", "nat"] {
      guard let declared = tables[table] else { continue }
      let rules = jumps.filter {
        $0.table == table && declared.declarations[$0.chain] != nil
          && before[table]?.declarations[$0.chain] == nil
      }
      guard !rules.isEmpty else { continue }
      out.append("*\(table)")
      for j in rules {
        out.append("-I \(j.from) 1 \(j.extra)-m comment --comment \"\(j.comment)\" -j \(j.chain)")
      }
      out.append("COMMIT")
    }
    return out.isEmpty ? "" : out.joined(separator: "\n") + "\n"
  }

  private func restore(_ ns: String, _ input: String) throws {
    guard !input.isEmpty else { return }
    try runner.run(["ip", "netns", "exec", ns, "iptables-restore", "--noflush"], input: input)
  }

  // MARK: - Following the lab

  /// Brings the kernel in step with `new` as kube-proxy and the CNI would: pods that came
  /// or went are wired or removed one by one, and each node's rules are updated by a partial
  /// restore of the chains that changed. A change of nodes or pod network rebuilds.
  public func sync(_ new: KernelLayout) throws -> [String] {
    guard let old = layout else { return try materialize(new) }
    if old.nodes.map(\.ip) != new.nodes.map(\.ip) || old.nodes.map(\.name) != new.nodes.map(\.name)
      || old.nodes.map(\.podCIDR) != new.nodes.map(\.podCIDR) || old.podNetwork != new.podNetwork
      || old.externalClients != new.externalClients || old.underlayRoutes != new.underlayRoutes
      || old.clusterCIDR != new.clusterCIDR
      || old.nodes.map(\.proxyMode) != new.nodes.map(\.proxyMode)
    {
      try teardown()
      return ["nodes, pod network or proxy modes changed: rebuilt"] + (try materialize(new))
    }
    var lines: [String] = []
    let before = Dictionary(old.pods.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    let after = Dictionary(new.pods.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    do {
      for pod in old.pods where after[pod.key] != pod {
        try removePod(pod)
        if after[pod.key] == nil { lines.append("pod \(pod.key) removed") }
      }
      for pod in new.pods where before[pod.key] != pod {
        try buildPod(pod, new)
        try startResponders(pod)
        lines.append(before[pod.key] == nil ? "pod \(pod.key) wired" : "pod \(pod.key) rewired")
      }
      for node in new.nodes {
        let ns = names.node(node.name)
        if node.proxyMode == .iptables {
          let previous = loadedRules[node.name] ?? ""
          guard let diff = RuleDiff.partial(from: previous, to: node.iptablesRestore) else {
            continue
          }
          let changed = diff.changed
          try restore(ns, diff.input)
          try restore(ns, Self.jumpRules(declaredIn: node.iptablesRestore, except: previous))
          loadedRules[node.name] = node.iptablesRestore
          lines.append(
            "\(node.name): \(changed.count) chain\(changed.count == 1 ? "" : "s") restored "
              + "(\(changed.prefix(4).joined(separator: ", "))\(changed.count > 4 ? ", …" : ""))"
          )
        } else if node.proxyMode == .nftables, loadedRules[node.name] != nil,
          loadedRules[node.name] != node.nftRuleset
        {
          try runner.run(
            ["ip", "netns", "exec", ns, "nft", "-f", "-"],
            input: "delete table ip kube-proxy\n" + node.nftRuleset)
          loadedRules[node.name] = node.nftRuleset
          lines.append("\(node.name): kube-proxy table reloaded")
        }
      }
      layout = new
    } catch {
      layout = new
      throw error
    }
    return lines
  }

  // MARK: - Responders

  private func startResponders(_ pod: KernelPod) throws {
    let ns =
      pod.hostNetwork ? names.node(pod.node) : names.pod(namespace: pod.namespace, name: pod.name)
    var ports = pod.ports
    if pod.servesDNS, let hook = dnsHook {
      dnsStoppers[pod.key] = try hook(ns, pod)
      ports.removeAll { $0.port == Self.dnsPort }
    }
    guard !ports.isEmpty else { return }
    try startResponder(key: pod.key, ns: ns, name: pod.name, listeners: ports)
  }

  private func startListeners(_ node: KernelNode) throws {
    for l in node.listeners {
      try startResponder(
        key: "node/\(node.name)/\(l.name)", ns: names.node(node.name), name: l.name, listeners: [l])
    }
  }

  /// `svclab responder NAME PORT/PROTO…` inside `ns`; returns once it listens.
  private func startResponder(
    key: String, ns: String, name: String, listeners: [KernelListener]
  ) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments =
      ["ip", "netns", "exec", ns, program, "responder", name]
      + listeners.map { "\($0.port)/\($0.proto)" }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch {
      throw KernelError(
        "`\(CommandRunner.line(process.arguments ?? []))` "
          + "could not start: \(error.localizedDescription)"
      )
    }
    // The responder prints one line once every socket is bound.
    let ready = out.fileHandleForReading.availableLine()
    guard ready.hasPrefix("listening") else {
      process.waitUntilExit()
      let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      throw KernelError(
        "`\(CommandRunner.line(process.arguments ?? []))` failed: "
          + "\(text.trimmingCharacters(in: .whitespacesAndNewlines))"
      )
    }
    responders[key, default: []].append(process)
  }

  private func stopResponders(_ key: String) {
    dnsStoppers.removeValue(forKey: key)?()
    for p in responders.removeValue(forKey: key) ?? [] where p.isRunning {
      kill(p.processIdentifier, SIGTERM)
      p.waitUntilExit()
    }
  }

  // MARK: - Probing

  /// Where a probe connection starts: a pod's or a node's namespace, or an external client's.
  public enum ProbeSource: Sendable {
    case pod(namespace: String, name: String)
    case node(String)
    case external(IPAddress)
  }

  /// One connection from `source` to `address:port`: the responder's answer (its name and
  /// the peer address it saw), or how it failed ("refused", "timed out", "unreachable").
  public struct ProbeResult: Equatable, Sendable {
    public var name: String?
    public var peer: String?
    public var failure: String?
  }

  public func probe(
    from source: ProbeSource, to address: String, port: Int, proto: String, timeoutMs: Int = 1000
  ) throws -> ProbeResult {
    try probe(from: source, to: address, port: port, proto: proto, timeoutMs: timeoutMs, count: 1)[
      0]
  }

  /// `count` connections one after the other from one probe process (each a new socket).
  public func probe(
    from source: ProbeSource, to address: String, port: Int, proto: String, timeoutMs: Int = 1000,
    count: Int
  ) throws -> [ProbeResult] {
    guard let layout else {
      throw KernelError("probe: the lab is not on the kernel (materialize() first)")
    }
    let ns: String
    switch source {
    case .pod(let namespace, let name):
      guard let pod = layout.pods.first(where: { $0.namespace == namespace && $0.name == name })
      else {
        throw KernelError("probe: pod \(namespace)/\(name) is not on the kernel")
      }
      ns = pod.hostNetwork ? names.node(pod.node) : names.pod(namespace: namespace, name: name)
    case .node(let name): ns = names.node(name)
    case .external(let ip):
      guard layout.externalClients.contains(ip) else {
        throw KernelError("probe: no external client \(ip) on the underlay")
      }
      ns = names.external(ip)
    }
    let out = try runner.attempt([
      "ip", "netns", "exec", ns, program, "probe", address, String(port), proto,
      String(timeoutMs), String(max(1, count)),
    ])
    let lines = out.stdout.split(separator: "\n")
    guard out.status == 0, lines.count == max(1, count) else {
      throw KernelError(
        "probe from \(ns): \(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    return lines.map { line in
      let words = line.split(separator: " ").map(String.init)
      if words.first == "ok", words.count >= 3 {
        return ProbeResult(name: words[1], peer: words[2], failure: nil)
      }
      return ProbeResult(name: nil, peer: nil, failure: words.joined(separator: " "))
    }
  }

  // MARK: - Taking down

  /// Removes everything this run made: responders, namespaces (with their links and rules),
  /// /etc/netns files, the owner file; then anything else left under the prefix.
  public func teardown() throws {
    for key in Set(responders.keys).union(dnsStoppers.keys).sorted() { stopResponders(key) }
    layout = nil
    loadedRules = [:]
    _ = sweep()
    if let g = guardian, g.isRunning {
      kill(g.processIdentifier, SIGKILL)
      g.waitUntilExit()
    }
    guardian = nil
    try? FileManager.default.removeItem(atPath: names.ownerFile)
  }

  /// Deletes every namespace whose name carries the prefix (after ending the processes
  /// this program started inside it, by their ids), and its /etc/netns directory.
  @discardableResult
  public func sweep() -> [String] {
    let list = (try? runner.run(["ip", "netns", "list"])) ?? ""
    let mine = list.split(separator: "\n").compactMap { line -> String? in
      let name = String(line.split(separator: " ").first ?? "")
      return name.hasPrefix(names.prefix) ? name : nil
    }
    for ns in mine {
      endResponders(in: ns)
      _ = try? runner.attempt(["ip", "netns", "del", ns])
      try? FileManager.default.removeItem(atPath: names.etcDirectory(ns))
    }
    return mine
  }

  /// Starts `svclab kernel-guard`: it waits for this process to end, however it ends, and
  /// then sweeps the prefix, so a crash or SIGKILL leaves nothing behind either.
  public func startGuardian() throws {
    guard guardian == nil else { return }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = ["kernel-guard", String(getpid()), names.prefix]
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    guardian = process
  }

  // MARK: - Helpers

  private func addNamespace(_ ns: String) throws {
    try runner.run(["ip", "netns", "add", ns])
  }

  private func deleteNamespace(_ ns: String) throws {
    endResponders(in: ns)
    try runner.run(["ip", "netns", "del", ns])
    try? FileManager.default.removeItem(atPath: names.etcDirectory(ns))
  }

  /// Ends the responders (svclab processes) inside `ns`, by their ids; anything else a
  /// learner started there (a shell from `ip netns exec`) is left alone.
  private func endResponders(in ns: String) {
    let pids = (try? runner.run(["ip", "netns", "pids", ns])) ?? ""
    let mine = (try? FileManager.default.destinationOfSymbolicLink(atPath: program)) ?? program
    for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) where pid != getpid() {
      let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
      // (A rebuilt binary shows as "PATH (deleted)".)
      if let exe, exe.hasPrefix(mine) || exe.hasPrefix(program) { kill(pid, SIGKILL) }
    }
  }

  /// `ip -n NS -batch -`: one process for a namespace's lines.
  private func ip(_ ns: String, _ lines: [String]) throws {
    guard !lines.isEmpty else { return }
    try runner.run(["ip", "-n", ns, "-batch", "-"], input: lines.joined(separator: "\n") + "\n")
  }

  private func sysctl(_ ns: String, _ settings: [String]) throws {
    try runner.run(["ip", "netns", "exec", ns, "sysctl", "-q", "-w"] + settings)
  }

  private func writeResolvConf(_ ns: String, _ text: String) throws {
    let dir = names.etcDirectory(ns)
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    guard FileManager.default.createFile(atPath: dir + "/resolv.conf", contents: Data(text.utf8))
    else {
      throw KernelError("cannot write \(dir)/resolv.conf")
    }
  }

  private func writeOwner() throws {
    let text = "\(getpid())\n"
    guard FileManager.default.createFile(atPath: names.ownerFile, contents: Data(text.utf8)) else {
      throw KernelError("cannot write \(names.ownerFile)")
    }
  }

  /// The process recorded as owning the prefix's namespaces, if it still runs.
  public func liveOwner() -> Int32? {
    guard let data = FileManager.default.contents(atPath: names.ownerFile),
      let pid = Int32(
        String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    else { return nil }
    return kill(pid, 0) == 0 ? pid : nil
  }
}

extension FileHandle {
  /// Reads up to the first newline (or the end).
  fileprivate func availableLine() -> String {
    var bytes: [UInt8] = []
    while true {
      let chunk = readData(ofLength: 1)
      guard let b = chunk.first else { break }
      if b == 10 { break }
      bytes.append(b)
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
