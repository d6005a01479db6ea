import NetAddr

/// A CoreDNS instance serving the cluster: the kubernetes plugin over its own indexes, with
/// autopath, cache, loadbalance and forward around it as in a kubeadm Corefile.
///
/// The server is fed one watch event at a time (`apply`) and answers queries (`query`); it
/// never reads the cluster model directly.
public final class DNSServer {
  /// The schema version served at `dns-version.<zone>` TXT.
  public static let schemaVersion = "1.1.0"

  /// The configuration in force.
  public var settings: KubernetesPluginSettings {
    didSet {
      memo.invalidate()
      onChange?()
    }
  }
  /// The records of the world outside the cluster, reached through `forward`.
  public var external: ExternalRecords {
    didSet {
      memo.invalidate()
      onChange?()
    }
  }
  /// CoreDNS's own pod IPs (its "local IPs"), used for NS records and glue.
  public var localAddresses: [IPAddress] {
    didSet {
      memo.invalidate()
      onChange?()
    }
  }
  /// The SOA serial: the logical time of the last change to a watched object.
  public private(set) var serial: UInt32 = 0

  var index = ClusterIndex()
  /// Answers computed since the last change to anything above.
  var memo = AnswerMemo()
  /// How deep upstream self-lookups are nested, to stop zone-to-zone CNAME loops.
  var upstreamDepth = 0

  /// Creates a server with no objects.
  public init(
    settings: KubernetesPluginSettings = KubernetesPluginSettings(),
    localAddresses: [IPAddress] = [], external: ExternalRecords = ExternalRecords()
  ) {
    self.settings = settings
    self.localAddresses = localAddresses
    self.external = external
  }

  /// Applies one watch event at logical time `time` (seconds), touching only the indexes of
  /// that object. Namespace events do not move the SOA serial (CoreDNS's namespace watch has
  /// no change handler); pod events do only when pods are watched (`pods verified`).
  public func apply(_ change: DNSChange, at time: Int64) {
    // A pod change CoreDNS's pod object does not show (readiness, labels) leaves every answer
    // as it was, unless pods are watched: then the serial moves. The memo is kept.
    if case .pod(let old, let new) = change, old == new, settings.pods != .verified { return }
    let stamp = UInt32(truncatingIfNeeded: max(0, time))
    memo.invalidate()
    switch change {
    case .namespace(let old, let new):
      index.update(namespace: old, new)
    case .service(let old, let new):
      index.update(service: old, new)
      serial = stamp
    case .endpointSlice(let old, let new):
      index.update(slice: old, new)
      if !settings.noEndpoints { serial = stamp }
    case .pod(let old, let new):
      index.update(pod: old, new)
      if settings.pods == .verified { serial = stamp }
    }
    onChange?()
  }

  /// Called after every change to what the server answers from (a watch event, settings,
  /// external records, local addresses): the wire server publishes a `snapshot()` here.
  public var onChange: (() -> Void)?

  /// An independent copy of everything the server answers from, for another thread to query
  /// while this one goes on changing: the indexes are value types, so the copy shares their
  /// storage until either side writes (copy-on-write). The copy has no `onChange`.
  public func snapshot() -> DNSServer {
    let copy = DNSServer(settings: settings, localAddresses: localAddresses, external: external)
    copy.index = index
    copy.serial = serial
    return copy
  }

  /// Answers one query as a client at `client` would receive it (`client` matters only for
  /// autopath). `rng` drives the loadbalance shuffle.
  public func query(
    name: String, type: RRType, client: IPAddress? = nil,
    using rng: inout some RandomNumberGenerator
  ) -> DNSResponse {
    // The client matters only to autopath; other answers are shared by every client.
    let key = AnswerMemo.Key(name: name, type: type, client: settings.autopath ? client : nil)
    var reply: DNSResponse
    if let known = memo.answer(key) {
      reply = known
    } else {
      reply = answer(name: name, type: type, client: client)
      memo.remember(reply, for: key)
    }
    balance(&reply, type, using: &rng)
    return reply
  }

  /// The reply a wire front end rendered for exactly `request` (the key it chose: the
  /// request's bytes after the ID and anything else its bytes depend on) since the last
  /// change, if any.
  public func rendered(_ request: [UInt8]) -> RenderedReply? { memo.rendered(request) }

  /// Keeps `rendered`, made from `answer` (this server's reply to a query of `type`), for the
  /// same request — unless another query could get different records: with autopath (the
  /// answer depends on the client) or when loadbalance would shuffle a section of several
  /// records. Emptied with the answer memo, on every change.
  public func remember(
    rendered: RenderedReply, for request: [UInt8], answer: DNSResponse, type: RRType
  ) {
    guard !settings.autopath else { return }
    if shuffles(answer, type)
      && (answer.answer.count > 1 || answer.authority.count > 1 || answer.additional.count > 1)
    {
      return
    }
    memo.remember(rendered, for: request)
  }

  /// Whether the loadbalance plugin shuffles replies like `reply` to a query of `type`.
  private func shuffles(_ reply: DNSResponse, _ type: RRType) -> Bool {
    settings.loadbalance && reply.rcode == .noError && type != .axfr && type != .ixfr
  }

  /// The loadbalance plugin's shuffle of a reply's records, after the memo.
  private func balance(
    _ reply: inout DNSResponse, _ type: RRType, using rng: inout some RandomNumberGenerator
  ) {
    if shuffles(reply, type) { LoadBalance.shuffle(&reply, using: &rng) }
  }

  /// The reply before loadbalance: the plugin chain's answer with the cache plugin's TTLs.
  func answer(name: String, type: RRType, client: IPAddress?) -> DNSResponse {
    guard DNSName.isEncodable(name) else {
      // Such a name cannot be packed; a server that receives one fails to unpack the
      // message and answers FORMERR with no records.
      return serverError(DNSName.fqdn(name), type, .formErr)
    }
    let qname = DNSName.fqdn(name)
    return applyCache(serveAutopath(qname, type, client: client))
  }

  /// A reply the server itself writes when no plugin did: rcode only, no AA, no RA.
  func serverError(_ qname: String, _ type: RRType, _ rcode: Rcode) -> DNSResponse {
    DNSResponse(questionName: qname, questionType: type, rcode: rcode, flags: DNSFlags())
  }
}
