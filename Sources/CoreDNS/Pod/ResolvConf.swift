/// A pod's `spec.dnsPolicy`.
public enum DNSPolicy: String, Hashable, Sendable {
  case clusterFirst = "ClusterFirst"
  case clusterFirstWithHostNet = "ClusterFirstWithHostNet"
  case `default` = "Default"
  case none = "None"
}

/// One `spec.dnsConfig.options` entry.
public struct PodDNSOption: Hashable, Sendable {
  public var name: String
  public var value: String?
  public init(name: String, value: String? = nil) {
    self.name = name
    self.value = value
  }
}

/// A pod's `spec.dnsConfig`.
public struct PodDNSConfig: Hashable, Sendable {
  public var nameservers: [String]
  public var searches: [String]
  public var options: [PodDNSOption]
  public init(nameservers: [String] = [], searches: [String] = [], options: [PodDNSOption] = []) {
    self.nameservers = nameservers
    self.searches = searches
    self.options = options
  }
}

/// What the kubelet knows about DNS: `--cluster-dns`, `--cluster-domain` and the node's
/// resolv.conf (`--resolv-conf`; nil stands for the flag set to "").
public struct KubeletDNS: Hashable, Sendable {
  public var clusterDNS: [String]
  public var clusterDomain: String
  public var nodeResolvConf: ResolverConfig?
  /// The node's IPs, choosing `127.0.0.1` or `::1` when `--resolv-conf` is "".
  public var nodeIPs: [String]
  public init(
    clusterDNS: [String] = ["10.96.0.10"], clusterDomain: String = "cluster.local",
    nodeResolvConf: ResolverConfig? = ResolverConfig(nameservers: ["192.168.0.1"]),
    nodeIPs: [String] = []
  ) {
    self.clusterDNS = clusterDNS
    self.clusterDomain = clusterDomain
    self.nodeResolvConf = nodeResolvConf
    self.nodeIPs = nodeIPs
  }
}

/// The resolv.conf of a pod: the file text, the parsed configuration, and the events the
/// kubelet records while forming it (reason and message).
public struct PodResolvConf: Hashable, Sendable {
  public var text: String
  public var config: ResolverConfig
  public var events: [String]
}

/// Forms a pod's resolv.conf as the kubelet does (`GetPodDNS`, `appendDNSConfig`,
/// `formDNSConfigFitsLimits`), written as the container runtime writes it: `search`, then one
/// `nameserver` line per server, then `options`.
///
/// `dnsConfig` options merge by name (the pod's win); the kubelet's merge order is Go map
/// order, here it is first appearance.
public func resolvConf(
  namespace: String, policy: DNSPolicy = .clusterFirst, hostNetwork: Bool = false,
  dnsConfig: PodDNSConfig? = nil, kubelet: KubeletDNS
) -> PodResolvConf {
  var events: [String] = []
  let node = kubelet.nodeResolvConf
  var servers = node?.nameservers ?? []
  var searches = node?.search ?? []
  var options = node?.options ?? []
  var usesHost = policy == .default || (policy == .clusterFirst && hostNetwork)
  if policy == .none {
    (servers, searches, options) = ([], [], [])
  } else if !usesHost {
    if kubelet.clusterDNS.isEmpty {
      events.append(
        "MissingClusterDNS: kubelet does not have ClusterDNS IP configured and cannot create Pod "
          + "using \"ClusterFirst\" policy. Falling back to \"Default\" policy."
      )
      usesHost = true
    } else {
      servers = kubelet.clusterDNS
      let d = kubelet.clusterDomain
      searches = d.isEmpty ? searches : uniq(["\(namespace).svc.\(d)", "svc.\(d)", d] + searches)
      options = ["ndots:5"]
    }
  }
  if usesHost && node == nil {
    servers = kubelet.nodeIPs.map { $0.contains(":") ? "::1" : "127.0.0.1" }
    if servers.isEmpty { servers = ["127.0.0.1"] }
    searches = ["."]
  }
  if let dnsConfig {
    servers = uniq(servers + dnsConfig.nameservers)
    searches = uniq(searches + dnsConfig.searches)
    options = mergeOptions(options, dnsConfig.options)
  }
  servers = fitNameservers(servers, &events)
  searches = fitSearches(searches, &events)
  let config = ResolverConfig(nameservers: servers, search: searches, options: options)
  return PodResolvConf(text: config.fileText, config: config, events: events)
}

/// Removes later duplicates, keeping order (the kubelet's `omitDuplicates`).
private func uniq(_ items: [String]) -> [String] {
  var seen: Set<String> = []
  return items.filter { seen.insert($0).inserted }
}

/// Merges `name[:value]` options by name, the pod's values replacing the base's.
private func mergeOptions(_ base: [String], _ pod: [PodDNSOption]) -> [String] {
  var order: [String] = []
  var values: [String: String] = [:]
  func set(_ name: String, _ value: String) {
    if values[name] == nil { order.append(name) }
    values[name] = value
  }
  for op in base {
    let parts = op.split(separator: ":", maxSplits: 1).map(String.init)
    set(parts.first ?? op, parts.count > 1 ? parts[1] : "")
  }
  for op in pod { set(op.name, op.value ?? "") }
  return order.map { name in
    let v = values[name] ?? ""
    return v.isEmpty ? name : "\(name):\(v)"
  }
}

/// At most 3 nameservers (`MaxDNSNameservers`).
private func fitNameservers(_ servers: [String], _ events: inout [String]) -> [String] {
  guard servers.count > 3 else { return servers }
  let kept = Array(servers.prefix(3))
  events.append(
    "DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, the "
      + "applied nameserver line is: \(kept.joined(separator: " "))"
  )
  return kept
}

/// At most 32 search domains and 2048 characters; domains over 253 characters dropped.
private func fitSearches(_ searches: [String], _ events: inout [String]) -> [String] {
  var exceeded = false
  var out = searches
  if out.count > 32 {
    out = Array(out.prefix(32))
    exceeded = true
  }
  let before = out.count
  out = out.filter { $0.utf8.count <= 253 }
  exceeded = exceeded || out.count != before
  var length = out.joined(separator: " ").utf8.count
  if length > 2048 {
    while length > 2048, let last = out.popLast() { length -= last.utf8.count + 1 }
    exceeded = true
  }
  if exceeded {
    events.append(
      "DNSConfigForming: Search Line limits were exceeded, some search paths have been omitted, "
        + "the applied search line is: \(out.joined(separator: " "))"
    )
  }
  return out
}
