import Cluster
import Foundation
import NetAddr

import struct KubeProxy.ProxyConfig

/// The settings an imported cluster ran with: kubeadm's `kubeadm-config` (ClusterConfiguration:
/// serviceSubnet, podSubnet, dnsDomain, the API server's service-node-port-range), kube-proxy's
/// `kube-proxy` (config.conf: mode, clusterCIDR and the options the lab models) and CoreDNS's
/// `coredns` (Corefile) ConfigMaps in kube-system; what they do not say is inferred from the
/// objects (the CIDRs that hold every ClusterIP and node pod CIDR).
enum DumpSettings {
  static func read(
    _ maps: [NamespacedName: [String: String]], into dump: inout ClusterDump
  ) throws(ManifestError) {
    let kubeadm = maps[NamespacedName(namespace: "kube-system", name: "kubeadm-config")]
    let proxyMap = maps[NamespacedName(namespace: "kube-system", name: "kube-proxy")]
    let corednsMap = maps[NamespacedName(namespace: "kube-system", name: "coredns")]
    let used = maps.keys.filter {
      $0.namespace == "kube-system"
        && ["kubeadm-config", "kube-proxy", "coredns"].contains($0.name)
    }
    dump.configMapsUsed = used.map(\.description).sorted()
    dump.skipped["v1/ConfigMap", default: 0] += maps.count - used.count
    if dump.skipped["v1/ConfigMap"] == 0 { dump.skipped["v1/ConfigMap"] = nil }

    var serviceSubnet: String?
    var podSubnet: String?
    if let text = kubeadm?["ClusterConfiguration"],
      let cc = try yaml(text, "kubeadm-config ClusterConfiguration")
    {
      let net = cc["networking"]
      serviceSubnet = net?["serviceSubnet"].flatMap(\.stringValue)
      podSubnet = net?["podSubnet"].flatMap(\.stringValue)
      if let d = net?["dnsDomain"].flatMap(\.stringValue) { dump.config.domain = d }
      if let range = apiServerArg(cc, "service-node-port-range") {
        dump.config.nodePortRange = range
      }
    }
    if let text = proxyMap?["config.conf"], let kc = try yaml(text, "kube-proxy config.conf") {
      dump.proxy = proxyConfig(kc, notes: &dump.notes)
      if podSubnet == nil {
        podSubnet = kc["clusterCIDR"].flatMap(\.stringValue).flatMap { $0.isEmpty ? nil : $0 }
      }
    }
    dump.corefile = corednsMap?["Corefile"]

    if let s = serviceSubnet {
      dump.config.serviceCIDRs = s.split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      dump.notes.append("Service CIDR \(s) from kubeadm-config")
    } else {
      dump.config.serviceCIDRs = inferServiceCIDRs(dump.objects.services)
      dump.notes.append(
        "Service CIDR \(dump.config.serviceCIDRs.joined(separator: ",")) "
          + "inferred from the ClusterIPs"
      )
    }
    if let p = podSubnet {
      dump.config.podCIDR = p
      dump.notes.append(
        "pod CIDR \(p) from \(kubeadm != nil ? "kubeadm-config" : "kube-proxy's clusterCIDR")")
    } else if let p = inferPodCIDR(dump.objects) {
      dump.config.podCIDR = p
      dump.notes.append("pod CIDR \(p) inferred from the nodes' pod CIDRs and pod IPs")
    }
  }

  /// One YAML document held in a ConfigMap key.
  private static func yaml(_ text: String, _ what: String) throws(ManifestError) -> YAMLValue? {
    do {
      return try YAMLReader.documents(text, source: what, firstIndex: 1).first?.value
    } catch {
      throw .input("\(what): \(error.message)")
    }
  }

  /// An API server flag from ClusterConfiguration `apiServer.extraArgs` (a map in v1beta3,
  /// a list of `{name, value}` in v1beta4).
  private static func apiServerArg(_ cc: YAMLValue, _ name: String) -> String? {
    switch cc["apiServer", "extraArgs"] {
    case .map(let m)?: return m[name].flatMap(\.stringValue)
    case .list(let items)?:
      return items.first { $0["name"]?.stringValue == name }?["value"].flatMap(\.stringValue)
    default: return nil
    }
  }

  /// KubeProxyConfiguration onto kube-proxy's defaults: `mode` ("" is iptables on Linux),
  /// `detectLocalMode`, `iptables.masqueradeAll`, `iptables.localhostNodePorts`,
  /// `ipvs.scheduler`, `nodePortAddresses`.
  static func proxyConfig(_ kc: YAMLValue, notes: inout [String]) -> ProxyConfig {
    var c = ProxyConfig()
    let mode = kc["mode"].flatMap(\.stringValue) ?? ""
    if let m = ProxyConfig.Mode(rawValue: mode.isEmpty ? "iptables" : mode) {
      c.mode = m
    } else {
      notes.append("kube-proxy mode \"\(mode)\" is not one the lab models; using iptables")
    }
    if let d = kc["detectLocalMode"].flatMap(\.stringValue), !d.isEmpty {
      if let dl = ProxyConfig.DetectLocal(rawValue: d) {
        c.detectLocal = dl
      } else {
        notes.append("kube-proxy detectLocalMode \(d) is not one the lab models; using ClusterCIDR")
      }
    }
    if case .bool(let b)? = kc["iptables", "masqueradeAll"] { c.masqueradeAll = b }
    if case .bool(let b)? = kc["iptables", "localhostNodePorts"] { c.localhostNodePorts = b }
    if let s = kc["ipvs", "scheduler"].flatMap(\.stringValue), !s.isEmpty { c.ipvsScheduler = s }
    if case .list(let items)? = kc["nodePortAddresses"] {
      let texts = items.compactMap(\.stringValue)
      let cidrs = texts.compactMap { CIDR($0) }
      if cidrs.count == texts.count, !cidrs.isEmpty {
        c.nodePortAddresses = cidrs
      } else if !texts.isEmpty {
        notes.append(
          "kube-proxy nodePortAddresses \(texts.joined(separator: ",")) "
            + "kept as the default (all node addresses)"
        )
      }
    }
    return c
  }

  /// Per family, the CIDR kube-apiserver's defaults would give that holds every ClusterIP:
  /// the /12 (IPv4) or /112 (IPv6) around `default/kubernetes`'s address, widened until it
  /// holds all of them (kubeadm's defaults are 10.96.0.0/12 and kind's fd00:10:96::/112).
  static func inferServiceCIDRs(_ services: [Service]) -> [String] {
    var out: [String] = []
    let kubernetes = services.first { $0.namespace == "default" && $0.name == "kubernetes" }
    let all = services.flatMap(\.clusterIPAddresses)
    let families = (kubernetes?.clusterIPAddresses.map(\.family) ?? []) + [.v4, .v6]
    var seen = Set<IPFamily>()
    for family in families where !seen.contains(family) {
      seen.insert(family)
      let ips = all.filter { $0.family == family }
      guard
        let anchor = kubernetes?.clusterIPAddresses.first(where: { $0.family == family })
          ?? ips.first
      else { continue }
      var length = family == .v4 ? 12 : 112
      while length > (family == .v4 ? 8 : 64) {
        if ips.allSatisfy(CIDR(network: anchor, prefixLength: length).contains) { break }
        length -= 1
      }
      out.append(
        CIDR(network: anchor, prefixLength: max(length, family == .v4 ? 12 : 64)).description)
    }
    return out.isEmpty ? ["10.96.0.0/12"] : out
  }

  /// The smallest /16-or-wider (IPv4) or /48-or-wider (IPv6) CIDR around every node's pod
  /// CIDR and every pod IP (host-network pods left out), per family.
  static func inferPodCIDR(_ objects: ClusterImport) -> String? {
    var out: [String] = []
    for family in [IPFamily.v4, .v6] {
      let nets = objects.nodes.compactMap(\.podCIDR).filter { $0.family == family }.map(\.network)
      let ips = objects.pods.filter { !$0.hostNetwork }.flatMap(\.podIPs).filter {
        $0.family == family
      }
      guard let anchor = (nets + ips).first else { continue }
      var length = family == .v4 ? 16 : 48
      while length > 0 {
        if (nets + ips).allSatisfy(CIDR(network: anchor, prefixLength: length).contains) { break }
        length -= 1
      }
      out.append(CIDR(network: anchor, prefixLength: length).description)
    }
    return out.isEmpty ? nil : out.joined(separator: ",")
  }
}

extension YAMLValue {
  /// The string, if this is one.
  var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }
}
