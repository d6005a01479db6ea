import Cluster
import CoreDNS
import LuaKit
import NetAddr

/// A lookup as `resolve` reports it: the final reply, every query sent, the final addresses.
struct Lookup {
  struct Query {
    var name: String
    var type: RRType
    var rcode: Rcode
  }
  var response: DNSResponse
  var queries: [Query]
  var addresses: [String]
  /// The resolver's words when it refuses the name before sending anything.
  var refusal: String? = nil
}

/// DNS lookups the way a pod (or a direct query) makes them: through the pod's resolv.conf to
/// its nameserver — CoreDNS behind the kube-dns ClusterIP, or the node's upstream resolver.
enum DNSQueries {
  /// The pod `key`, or an error naming it as the API server does.
  static func pod(key: NamespacedName, _ call: LuaCall, _ lab: LabSession) throws -> Pod {
    guard let p = lab.cluster.pod(key) else { throw call.error("pods \"\(key.name)\" not found") }
    return p
  }

  static func pod(_ call: LuaCall, _ i: Int, _ lab: LabSession) throws -> Pod {
    try pod(key: lab.key(call, i), call, lab)
  }

  /// The kube-dns ClusterIPs the kubelet is configured with (`--cluster-dns`).
  static func clusterDNS(_ lab: LabSession) -> [String] {
    let key = NamespacedName(namespace: "kube-system", name: "kube-dns")
    return lab.cluster.service(key)?.clusterIPAddresses.map(\.description) ?? []
  }

  /// The node's upstream resolver: the gateway (.1) of the node's /24, as on a kind node.
  static func nodeResolver(_ node: Node?) -> ResolverConfig {
    guard let node else { return ResolverConfig(nameservers: ["172.18.0.1"]) }
    let gw = CIDR(network: node.internalIP, prefixLength: node.internalIP.family == .v4 ? 24 : 64)
      .address(at: 1)
    return ResolverConfig(nameservers: [gw?.description ?? "172.18.0.1"], search: node.dnsSearch)
  }

  static func podResolvConf(_ pod: Pod, _ lab: LabSession) -> PodResolvConf {
    let node = lab.cluster.node(pod.nodeName)
    let kubelet = KubeletDNS(
      clusterDNS: clusterDNS(lab), clusterDomain: lab.cluster.domain,
      nodeResolvConf: nodeResolver(node), nodeIPs: node.map { [$0.internalIP.description] } ?? [])
    let policy = CoreDNS.DNSPolicy(rawValue: pod.dnsPolicy.rawValue) ?? .clusterFirst
    let config = pod.dnsConfig.map { c in
      CoreDNS.PodDNSConfig(
        nameservers: c.nameservers, searches: c.searches,
        options: c.options.map { PodDNSOption(name: $0.name, value: $0.value) })
    }
    return resolvConf(
      namespace: pod.namespace, policy: policy, hostNetwork: pod.hostNetwork, dnsConfig: config,
      kubelet: kubelet)
  }

  /// The pod's /etc/hosts, as `hostsFile(pod)` shows it.
  static func podHostsFile(_ pod: Pod, _ lab: LabSession) -> String {
    CoreDNS.hostsFile(
      podName: pod.name, namespace: pod.namespace, podIPs: pod.podIPs.map(\.description),
      hostname: pod.hostname, subdomain: pod.subdomain, clusterDomain: lab.cluster.domain,
      hostNetwork: pod.hostNetwork, nodeHostsFile: nodeHostsFile(pod, lab))
  }

  static func nodeHostsFile(_ pod: Pod, _ lab: LabSession) -> String {
    var out = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
    if let node = lab.cluster.node(pod.nodeName) { out += "\(node.internalIP)\t\(node.name)\n" }
    return out
  }

  /// Sends one query to `nameserver` on behalf of `client`: CoreDNS when the nameserver is
  /// the kube-dns Service, otherwise the outside world the node's resolver reaches.
  static func send(
    _ name: String, _ type: RRType, nameserver: String?, client: IPAddress?, _ lab: LabSession
  ) -> DNSResponse {
    let dns = DNSAPI.dns(lab)
    if let ns = nameserver, !clusterDNS(lab).contains(ns) {
      return dns.server.external.lookup(name, type)
    }
    return dns.server.query(name: name, type: type, client: client, using: &lab.cluster.random)
  }

  /// A lookup through a resolv.conf: `from`'s, or without it the one a ClusterFirst pod in
  /// the current namespace gets (its search path and ndots:5). A name ending in a dot is
  /// absolute.
  static func resolve(_ name: String, _ q: QueryOptions, _ lab: LabSession) -> Lookup {
    let config = resolverConfig(q.from, lab)
    let server = config.nameservers.first
    let result = lookup(
      name: name, type: q.type, config: config, flavor: q.flavor,
      hosts: q.from.map { podHostsFile($0, lab) }
    ) { n, t in
      send(n, t, nameserver: server, client: q.from?.podIP, lab)
    }
    return Lookup(
      response: result.response,
      queries: result.queries.map { Lookup.Query(name: $0.name, type: $0.type, rcode: $0.rcode) },
      addresses: result.addresses, refusal: result.refusal)
  }

  /// The resolver configuration of `pod`, or of a ClusterFirst pod in the current namespace.
  static func resolverConfig(_ pod: Pod?, _ lab: LabSession) -> ResolverConfig {
    if let pod { return podResolvConf(pod, lab).config }
    // What the kubelet writes for it on a node without search domains, built directly: the
    // whole resolv.conf would cost more than the lookup (`clusterFirstConfig` is that file's
    // reading, and a test holds the two equal).
    let d = lab.cluster.domain
    return ResolverConfig(
      nameservers: clusterDNS(lab), search: ["\(lab.currentNamespace).svc.\(d)", "svc.\(d)", d],
      options: ["ndots:5"])
  }

  /// The resolv.conf the kubelet writes for a ClusterFirst pod in the current namespace.
  static func clusterFirstConfig(_ lab: LabSession) -> ResolverConfig {
    let kubelet = KubeletDNS(
      clusterDNS: clusterDNS(lab), clusterDomain: lab.cluster.domain,
      nodeResolvConf: nodeResolver(nil), nodeIPs: [])
    return resolvConf(namespace: lab.currentNamespace, kubelet: kubelet).config
  }

  static func dig(_ name: String, _ q: QueryOptions, _ lab: LabSession) -> String {
    let type = q.type ?? .a
    let server =
      q.from.flatMap { podResolvConf($0, lab).config.nameservers.first }
      ?? clusterDNS(lab).first ?? "10.96.0.10"
    let r: DNSResponse
    if q.search {
      let config = resolverConfig(q.from, lab)
      r =
        lookup(name: name, type: type, config: config, flavor: .glibc) { n, t in
          send(n, t, nameserver: server, client: q.from?.podIP, lab)
        }.response
    } else {
      r = send(name, type, nameserver: server, client: q.from?.podIP, lab)
    }
    let id = UInt16(truncatingIfNeeded: lab.cluster.random.next())
    let args = (q.type == nil ? name : "\(name) \(type.rawValue)") + (q.search ? " +search" : "")
    return CoreDNS.dig(
      r, options: DigOptions(arguments: args, server: server, id: id, time: Int64(lab.cluster.now)))
  }
}
