/// The `pods` option of the kubernetes plugin.
public enum PodMode: String, Hashable, Sendable {
  /// No `a-b-c-d.<ns>.pod.<zone>` records (the plugin's own default).
  case disabled
  /// Answer any well-formed pod name with the IP it encodes (kubeadm's default).
  case insecure
  /// Answer only when a pod with that IP exists in that namespace.
  case verified
}

/// The `forward` plugin: where names outside the cluster zones go.
public struct ForwardSettings: Hashable, Sendable {
  /// The FROM zone (`.` for everything).
  public var from: String
  /// The TO upstreams (`/etc/resolv.conf` or addresses).
  public var to: [String]
  public var maxConcurrent: Int?
  public init(from: String = ".", to: [String] = ["/etc/resolv.conf"], maxConcurrent: Int? = 1000) {
    self.from = from
    self.to = to
    self.maxConcurrent = maxConcurrent
  }
}

/// The `cache` plugin. svclab does not keep cached entries; it applies what the cache does to
/// every reply it passes on: all TTLs are set to the reply's smallest TTL, clamped to
/// [5 s, `successTTL`] (positive) or [5 s, `denialTTL`] (NXDOMAIN/NODATA).
public struct CacheSettings: Hashable, Sendable {
  public var successTTL: UInt32
  public var denialTTL: UInt32
  /// Zones excluded from storing positive answers (`disable success ZONES`).
  public var disableSuccess: [String]
  /// Zones excluded from storing negative answers (`disable denial ZONES`).
  public var disableDenial: [String]
  /// `keepttl`: TTLs are passed through unchanged.
  public var keepTTL: Bool
  public init(
    successTTL: UInt32 = 3600, denialTTL: UInt32 = 1800, disableSuccess: [String] = [],
    disableDenial: [String] = [], keepTTL: Bool = false
  ) {
    self.successTTL = successTTL
    self.denialTTL = denialTTL
    self.disableSuccess = disableSuccess
    self.disableDenial = disableDenial
    self.keepTTL = keepTTL
  }
}

/// The CoreDNS configuration svclab simulates: the kubernetes plugin's options plus the
/// `autopath`, `loadbalance`, `forward` and `cache` plugins of the same server block.
///
/// `init()` gives what kubeadm deploys (see `kubeadmCorefile`); `pluginDefaults` gives a bare
/// `kubernetes cluster.local in-addr.arpa ip6.arpa` with nothing else.
public struct KubernetesPluginSettings: Hashable, Sendable {
  /// Authoritative zones, lower case with a trailing dot; the first non-reverse one is primary.
  public var zones: [String]
  public var ttl: UInt32
  public var pods: PodMode
  public var endpointPodNames: Bool
  /// `namespaces`: only these are exposed; empty exposes all.
  public var namespaces: [String]
  /// `ignore empty_service`.
  public var ignoreEmptyService: Bool
  /// `noendpoints`: CoreDNS does not watch EndpointSlices.
  public var noEndpoints: Bool
  /// `fallthrough [ZONES]`: nil is off; an empty list means every zone.
  public var fallthroughZones: [String]?
  /// `autopath @kubernetes` present.
  public var autopath: Bool
  /// `loadbalance` present.
  public var loadbalance: Bool
  /// `forward` present; without it names outside the zones get SERVFAIL.
  public var forward: ForwardSettings?
  /// `cache` present.
  public var cache: CacheSettings?
  /// The search domains of CoreDNS's own resolv.conf, appended by autopath.
  public var upstreamSearch: [String]

  /// kubeadm's configuration.
  public init() {
    zones = ["cluster.local.", "in-addr.arpa.", "ip6.arpa."]
    ttl = 30
    pods = .insecure
    endpointPodNames = false
    namespaces = []
    ignoreEmptyService = false
    noEndpoints = false
    fallthroughZones = ["in-addr.arpa.", "ip6.arpa."]
    autopath = false
    loadbalance = true
    forward = ForwardSettings()
    cache = CacheSettings(
      successTTL: 30, denialTTL: 30, disableSuccess: ["cluster.local."],
      disableDenial: ["cluster.local."])
    upstreamSearch = []
  }

  /// A `kubernetes cluster.local in-addr.arpa ip6.arpa` stanza with no options and no other
  /// plugins: TTL 5, pods disabled.
  public static var pluginDefaults: KubernetesPluginSettings {
    var s = KubernetesPluginSettings()
    s.ttl = 5
    s.pods = .disabled
    s.fallthroughZones = nil
    s.loadbalance = false
    s.forward = nil
    s.cache = nil
    return s
  }

  /// The first non-reverse zone, which names PTR targets.
  public var primaryZone: String {
    zones.first { !DNSName.isReverse($0) } ?? "cluster.local."
  }
}
