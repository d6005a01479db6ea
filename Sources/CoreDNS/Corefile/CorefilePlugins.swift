/// One `parse` per plugin, following each plugin's setup.go and its error wording.
enum CorefilePlugins {
  /// Caddy's `ArgErr` for a directive or property line.
  static func argErr(_ plugin: String, _ last: CorefileToken) -> CoreDNSError {
    .plugin(
      name: plugin, line: last.line,
      message: "Wrong argument count or unexpected line ending after '\(last.text)'")
  }

  /// Caddy's `Errf` at a token's line.
  static func errf(_ plugin: String, _ at: CorefileToken, _ message: String) -> CoreDNSError {
    .plugin(name: plugin, line: at.line, message: message)
  }

  /// The `kubernetes [ZONES…] { … }` stanza (setup.go `ParseStanza`).
  static func kubernetes(
    _ d: CorefileDirective, keys: [CorefileToken], into s: inout KubernetesPluginSettings
  ) throws(CoreDNSError) {
    let zoneArgs = d.args.isEmpty ? keys : d.args
    s.zones = zoneArgs.map { normalizeZone($0.text) }
    guard s.zones.contains(where: { !DNSName.isReverse($0) }) else {
      throw .plugin(name: "kubernetes", line: nil, message: "non-reverse zone name must be used")
    }
    for line in d.block {
      guard let prop = line.first else { continue }
      try kubernetesOption(prop, Array(line.dropFirst()), into: &s)
    }
  }

  /// One option line inside the kubernetes block.
  private static func kubernetesOption(
    _ prop: CorefileToken, _ args: [CorefileToken], into s: inout KubernetesPluginSettings
  ) throws(CoreDNSError) {
    let k = "kubernetes"
    let last = args.last ?? prop
    switch prop.text {
    case "endpoint_pod_names":
      guard args.isEmpty else { throw argErr(k, last) }
      s.endpointPodNames = true
    case "pods":
      guard args.count == 1 else { throw argErr(k, last) }
      guard let mode = PodMode(rawValue: args[0].text) else {
        throw .plugin(
          name: k, line: nil,
          message:
            "wrong value for pods: \(args[0].text),  must be one of: disabled, verified, insecure")
      }
      s.pods = mode
    case "namespaces":
      guard !args.isEmpty else { throw argErr(k, last) }
      s.namespaces = args.map(\.text)
    case "fallthrough":
      s.fallthroughZones = args.map { normalizeZone($0.text) }
    case "ttl":
      guard let first = args.first else { throw argErr(k, last) }
      guard let t = Int(first.text) else {
        throw .plugin(
          name: k, line: nil, message: "strconv.Atoi: parsing \"\(first.text)\": invalid syntax")
      }
      guard (0...3600).contains(t) else {
        throw errf(k, prop, "ttl must be in range [0, 3600]: \(t)")
      }
      s.ttl = UInt32(t)
    case "noendpoints":
      guard args.isEmpty else { throw argErr(k, last) }
      s.noEndpoints = true
    case "ignore":
      guard let first = args.first else { return }
      guard first.text == "empty_service" else {
        throw .plugin(name: k, line: nil, message: "unable to parse ignore value: '\(first.text)'")
      }
      s.ignoreEmptyService = true
    case "endpoint", "labels", "namespace_labels", "multicluster":
      guard !args.isEmpty else { throw argErr(k, last) }
    case "tls":
      guard args.count == 3 else { throw argErr(k, last) }
    case "kubeconfig":
      guard args.count == 1 || args.count == 2 else { throw argErr(k, last) }
    case "startup_timeout", "apiserver_qps", "apiserver_burst", "apiserver_max_inflight":
      guard args.count == 1 else { throw argErr(k, last) }
    case "zonal":
      guard args.isEmpty else { throw argErr(k, last) }
    default:
      throw errf(k, prop, "unknown property '\(prop.text)'")
    }
  }

  /// `autopath [ZONES…] @kubernetes|RESOLV-CONF`.
  static func autopath(
    _ d: CorefileDirective, into s: inout KubernetesPluginSettings
  )
    throws(CoreDNSError)
  {
    guard let last = d.args.last else { throw argErr("autopath", d.name) }
    // Only the kubernetes plugin's per-pod search path is modelled.
    s.autopath = last.text == "@kubernetes"
  }

  /// `loadbalance [round_robin | weighted FILE] { prefer CIDR… }`.
  static func loadbalance(
    _ d: CorefileDirective, into s: inout KubernetesPluginSettings
  )
    throws(CoreDNSError)
  {
    if let policy = d.args.first {
      switch policy.text {
      case "round_robin":
        guard d.args.count == 1 else {
          throw errf("loadbalance", policy, "unknown property for \(policy.text)")
        }
      case "weighted":
        guard d.args.count == 2 else {
          throw errf(
            "loadbalance", policy,
            d.args.count < 2 ? "missing weight file argument" : "unexpected argument(s)")
        }
      default:
        throw .plugin(name: "loadbalance", line: nil, message: "unknown policy: \(policy.text)")
      }
    }
    s.loadbalance = true
  }

  /// `forward FROM TO… { … }`.
  static func forward(
    _ d: CorefileDirective, into s: inout KubernetesPluginSettings
  )
    throws(CoreDNSError)
  {
    guard d.args.count >= 2 else { throw argErr("forward", d.lastToken) }
    var f = ForwardSettings(
      from: d.args[0].text, to: d.args.dropFirst().map(\.text), maxConcurrent: nil)
    let known: Set<String> = [
      "except", "force_tcp", "prefer_udp", "tls", "tls_servername", "expire", "max_fails",
      "health_check", "policy", "next", "failfast_all_unhealthy_upstreams", "failover",
    ]
    for line in d.block {
      guard let prop = line.first else { continue }
      if prop.text == "max_concurrent" {
        guard line.count == 2 else { throw argErr("forward", line.last ?? prop) }
        guard let n = Int(line[1].text) else {
          throw .plugin(
            name: "forward", line: nil,
            message: "strconv.Atoi: parsing \"\(line[1].text)\": invalid syntax")
        }
        f.maxConcurrent = n
      } else if !known.contains(prop.text) {
        throw errf("forward", prop, "unknown property '\(prop.text)'")
      }
    }
    s.forward = f
  }

  /// `cache [TTL] [ZONES…]` with block options `success|denial CAP [TTL [MINTTL]]`,
  /// `disable success|denial [ZONES…]` and `keepttl`.
  static func cache(
    _ d: CorefileDirective, into s: inout KubernetesPluginSettings
  )
    throws(CoreDNSError)
  {
    var c = CacheSettings()
    if let first = d.args.first, let ttl = UInt32(first.text) {
      c.successTTL = ttl
      c.denialTTL = ttl
    }
    for line in d.block {
      guard let prop = line.first else { continue }
      let args = line.dropFirst().map(\.text)
      switch prop.text {
      case "success", "denial":
        guard !args.isEmpty, args.count <= 3 else { throw argErr("cache", line.last ?? prop) }
        if args.count >= 2, let ttl = UInt32(args[1]) {
          if prop.text == "success" { c.successTTL = ttl } else { c.denialTTL = ttl }
        }
      case "disable":
        guard let which = args.first, which == "success" || which == "denial" else {
          throw argErr("cache", line.last ?? prop)
        }
        let zones = args.dropFirst().map(normalizeZone)
        if which == "success" { c.disableSuccess = zones } else { c.disableDenial = zones }
      case "keepttl":
        c.keepTTL = true
      case "prefetch", "serve_stale", "servfail":
        continue
      default:
        throw errf("cache", prop, "unknown property '\(prop.text)'")
      }
    }
    s.cache = c
  }
}
