import Cluster
import CoreDNS
import KubeProxy
import LuaKit
import NetAddr

/// `checkInvariants()`: the model agrees with itself and with the engines that follow it —
/// the cluster's own invariants (unique IPs and ports, allocator state, endpoints ⇔ pods),
/// CoreDNS ⇔ Services, and kube-proxy ⇔ EndpointSlices.
enum InvariantsAPI {
  static func register(_ lab: LabSession, in state: LuaState) throws {
    try state.register(
      "checkInvariants",
      help: HelpEntry(
        usage: "checkInvariants()",
        summary:
          "verifies the model's invariants (unique IPs and ports, allocator state, endpoints ⇔ "
          + "pods, DNS ⇔ model, proxy state ⇔ endpoints)",
        details: "Returns true, or raises an error listing every violation, one per line.")
    ) { call in
      let found = violations(lab)
      guard found.isEmpty else {
        let lines = found.map { "  - \($0)" }.joined(separator: "\n")
        throw call.error(
          "\(found.count) invariant violation\(found.count == 1 ? "" : "s"):\n\(lines)")
      }
      return try call.result(.boolean(true))
    }
  }

  /// Every violation, cluster first, then DNS, then kube-proxy.
  static func violations(_ lab: LabSession) -> [String] {
    lab.cluster.checkInvariants() + dnsViolations(lab) + proxyViolations(lab)
  }

  // MARK: - DNS ⇔ model

  /// Every Service with ClusterIPs answers `<svc>.<ns>.svc.<domain>` with exactly those
  /// addresses (per family), unless CoreDNS is configured not to serve it (`namespaces`,
  /// `ignoreEmptyService` without ready endpoints, kubernetes zones without the domain).
  static func dnsViolations(_ lab: LabSession) -> [String] {
    guard let dns = lab.follower(DNSFollower.self) else { return [] }
    let settings = dns.server.settings
    let domain = lab.cluster.config.domain
    // A copy, so that checking draws nothing from the lab's random sequence.
    var rng = lab.cluster.random
    var out: [String] = []
    for s in lab.cluster.services() where !s.clusterIPAddresses.isEmpty {
      if !settings.namespaces.isEmpty && !settings.namespaces.contains(s.namespace) { continue }
      if settings.ignoreEmptyService && !lab.cluster.endpoints(of: s.key).contains(where: \.ready) {
        continue
      }
      let name = "\(s.name).\(s.namespace).svc.\(domain)."
      // A Corefile whose kubernetes zones leave out the cluster domain does not serve it.
      let lower = name.lowercased()
      guard
        settings.zones.contains(where: { $0 == "." || lower == $0 || lower.hasSuffix("." + $0) })
      else {
        continue
      }
      for (family, type) in [(IPFamily.v4, RRType.a), (.v6, .aaaa)] {
        let want = s.clusterIPAddresses.filter { $0.family == family }.map(\.description).sorted()
        let reply = dns.server.query(name: name, type: type, using: &rng)
        let got = reply.answer.filter { $0.type == type }.map(\.data).sorted()
        if got != want {
          out.append(
            "DNS \(type.rawValue) \(name) answers [\(got.joined(separator: ", "))] "
              + "(\(reply.rcode.rawValue)), Service \(s.key) has [\(want.joined(separator: ", "))]"
          )
        }
      }
    }
    return out
  }

  // MARK: - kube-proxy ⇔ endpoints

  /// kube-proxy has a Service port per Service port and family; every ready endpoint appears in
  /// some node's decision for its Service port; no decision holds an endpoint the
  /// EndpointSlices no longer have.
  static func proxyViolations(_ lab: LabSession) -> [String] {
    guard let follower = lab.follower(ProxyFollower.self) else { return [] }
    let proxy = follower.synced()
    var out: [String] = []
    for s in lab.cluster.services() {
      let name = ProxyFollower.name(s.key)
      let expected = ProxyFollower.servicePorts(s).map(\.key)
      let keys = proxy.servicePortKeys(of: name)
      if Set(keys) != Set(expected) {
        out.append(
          "kube-proxy has ports [\(keys.map(\.description).joined(separator: ", "))] for Service "
            + "\(s.key), which has [\(expected.map(\.description).joined(separator: ", "))]"
        )
      }
      guard !keys.isEmpty else { continue }
      out += endpointViolations(s, keys: keys, proxy: proxy, lab)
    }
    return out
  }

  /// Compares one Service's flattened EndpointSlice view with kube-proxy's decisions.
  private static func endpointViolations(
    _ s: Service, keys: [ServicePortKey], proxy: ProxyCluster, _ lab: LabSession
  ) -> [String] {
    let entries = lab.cluster.endpoints(of: s.key)
    var out: [String] = []
    for key in keys {
      guard let port = proxy.servicePort(key) else { continue }
      let sliceEndpoints = entries.filter {
        $0.portName == key.name.port && $0.protocol.rawValue == key.name.proto.rawValue
          && IPAddress($0.ip)?.family == key.family && $0.port != nil
      }
      let known = Set(sliceEndpoints.map { "\($0.ip):\($0.port ?? 0)" })
      var used = Set<String>()
      var held = Set<String>()
      for node in proxy.nodes.keys.sorted() {
        guard let d = proxy.decision(node: node, servicePort: key) else { continue }
        used.formUnion((d.clusterEndpoints + d.localEndpoints).map(Self.text))
        held.formUnion(d.allEndpoints.map(Self.text))
      }
      // Local-only ClusterIP traffic never uses an endpoint that is on no node.
      let localOnly = port.internalPolicyLocal && !port.externallyAccessible
      for e in sliceEndpoints where e.ready {
        let text = "\(e.ip):\(e.port ?? 0)"
        if localOnly && (e.node.map { proxy.nodes[$0] == nil } ?? true) { continue }
        if !used.contains(text) {
          out.append("ready endpoint \(text) of \(key.name) is used by no node's kube-proxy")
        }
      }
      for text in held.subtracting(known).sorted() {
        out.append("kube-proxy holds endpoint \(text) for \(key.name), which no EndpointSlice has")
      }
    }
    return out
  }

  /// `ip:port` as the flattened endpoint view writes it (IPv6 unbracketed).
  private static func text(_ e: ProxyEndpoint) -> String { "\(e.ip):\(e.port)" }
}
