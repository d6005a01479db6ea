/// The Corefile kubeadm installs in the `coredns` ConfigMap (cluster domain `cluster.local`,
/// upstream `/etc/resolv.conf`).
public let kubeadmCorefile = """
  .:53 {
      errors
      health {
         lameduck 5s
      }
      ready
      kubernetes cluster.local in-addr.arpa ip6.arpa {
         pods insecure
         fallthrough in-addr.arpa ip6.arpa
         ttl 30
      }
      prometheus :9153
      forward . /etc/resolv.conf {
         max_concurrent 1000
      }
      cache 30 {
         disable success cluster.local
         disable denial cluster.local
      }
      loop
      reload
      loadbalance
  }

  """

/// Plugin names CoreDNS is built with (plugin.cfg); anything else is an unknown directive.
private let knownDirectives: Set<String> = [
  "root", "metadata", "geoip", "cancel", "tls", "timeouts", "multisocket", "reload", "nsid",
  "bufsize", "bind", "debug", "trace", "ready", "health", "pprof", "prometheus", "errors", "log",
  "dnstap", "local", "dns64", "acl", "any", "chaos", "loadbalance", "tsig", "cache", "rewrite",
  "header", "dnssec", "autopath", "minimal", "template", "transfer", "hosts", "route53", "azure",
  "clouddns", "k8s_external", "kubernetes", "file", "auto", "secondary", "etcd", "loop",
  "forward", "grpc", "erratic", "whoami", "on", "sign", "view",
]

/// Reads CoreDNS settings from a Corefile: the `kubernetes` stanza and, in the same server
/// block, `autopath`, `loadbalance`, `forward` and `cache`. Plugins not present are off.
/// - Throws: `CoreDNSError` worded as CoreDNS reports the same mistake at start-up.
public func parseCorefile(_ text: String) throws(CoreDNSError) -> KubernetesPluginSettings {
  let blocks = try CorefileLexer.serverBlocks(text)
  for block in blocks {
    for d in block.directives where !knownDirectives.contains(d.name.text) {
      throw .corefile(line: d.name.line, message: "Unknown directive '\(d.name.text)'")
    }
  }
  guard let block = blocks.first(where: { $0.directives.contains { $0.name.text == "kubernetes" } })
  else {
    throw .plugin(name: "kubernetes", line: nil, message: "no kubernetes plugin in the Corefile")
  }
  var s = KubernetesPluginSettings.pluginDefaults
  var seen: Set<String> = []
  for d in block.directives {
    let name = d.name.text
    if ["kubernetes", "autopath", "loadbalance", "forward", "cache"].contains(name),
      !seen.insert(name).inserted
    {
      throw .plugin(
        name: name, line: nil, message: "this plugin can only be used once per Server Block")
    }
    switch name {
    case "kubernetes": try CorefilePlugins.kubernetes(d, keys: block.keys, into: &s)
    case "autopath": try CorefilePlugins.autopath(d, into: &s)
    case "loadbalance": try CorefilePlugins.loadbalance(d, into: &s)
    case "forward": try CorefilePlugins.forward(d, into: &s)
    case "cache": try CorefilePlugins.cache(d, into: &s)
    default: continue
    }
  }
  return s
}

/// Normalizes a zone as CoreDNS's `plugin.Host(...).Normalize()`: scheme and port dropped,
/// lower case, trailing dot.
func normalizeZone(_ text: String) -> String {
  var z = Substring(text)
  for scheme in ["dns://", "tls://", "grpc://", "https://", "quic://"] where z.hasPrefix(scheme) {
    z = z.dropFirst(scheme.count)
  }
  if let colon = z.lastIndex(of: ":"), !z.contains("]") && z.filter({ $0 == ":" }).count == 1 {
    z = z[..<colon]
  }
  let s = z.lowercased()
  return s.isEmpty ? "." : DNSName.fqdn(s)
}
