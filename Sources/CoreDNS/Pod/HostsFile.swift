/// A `spec.hostAliases` entry.
public struct HostAlias: Hashable, Sendable {
  public var ip: String
  public var hostnames: [String]
  public init(ip: String, hostnames: [String]) {
    self.ip = ip
    self.hostnames = hostnames
  }
}

/// The pod's hostname as the kubelet sets it: `spec.hostname`, else the pod name, cut to 63
/// characters without a trailing `-` or `.` (`GeneratePodHostNameAndDomain`).
public func podHostname(podName: String, hostname: String?) -> String {
  var h = (hostname?.isEmpty == false ? hostname : nil) ?? podName
  if h.count > 63 {
    h = String(h.prefix(63))
    while let last = h.last, last == "-" || last == "." { h.removeLast() }
  }
  return h
}

/// The /etc/hosts the kubelet writes for a pod (`managedHostsFileContent`): the header,
/// localhost and IPv6 lines, one line per pod IP (`ip\thost.sub.ns.svc.zone\thost` with a
/// subdomain, else `ip\thost`), then the HostAliases entries. A hostNetwork pod gets the
/// node's file under its own header instead.
public func hostsFile(
  podName: String, namespace: String, podIPs: [String], hostname: String? = nil,
  subdomain: String? = nil, clusterDomain: String = "cluster.local",
  hostAliases: [HostAlias] = [], hostNetwork: Bool = false, nodeHostsFile: String = ""
) -> String {
  var out: String
  if hostNetwork {
    out = "# Kubernetes-managed hosts file (host network).\n" + nodeHostsFile
  } else {
    out = "# Kubernetes-managed hosts file.\n"
    out += "127.0.0.1\tlocalhost\n"
    out += "::1\tlocalhost ip6-localhost ip6-loopback\n"
    out += "fe00::0\tip6-localnet\n"
    out += "fe00::0\tip6-mcastprefix\n"
    out += "fe00::1\tip6-allnodes\n"
    out += "fe00::2\tip6-allrouters\n"
    let host = podHostname(podName: podName, hostname: hostname)
    if let subdomain, !subdomain.isEmpty {
      let domain = "\(subdomain).\(namespace).svc.\(clusterDomain)"
      for ip in podIPs { out += "\(ip)\t\(host).\(domain)\t\(host)\n" }
    } else {
      for ip in podIPs { out += "\(ip)\t\(host)\n" }
    }
  }
  if !hostAliases.isEmpty {
    out += "\n# Entries added by HostAliases.\n"
    for alias in hostAliases {
      for name in alias.hostnames { out += "\(alias.ip)\t\(name)\n" }
    }
  }
  return out
}
