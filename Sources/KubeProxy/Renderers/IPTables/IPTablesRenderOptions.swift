import NetAddr

/// Settings of one iptables rendering beyond `ProxyConfig`: the host facts kube-proxy probes
/// at start-up and the scope of a partial restore.
public struct IPTablesRenderOptions: Hashable, Sendable {
  /// The IP family of this kube-proxy instance (one per family on dual-stack nodes).
  public var family: IPFamily = .v4
  /// The masquerade mark as written in rules. kube-proxy's own tests (and `iptables-save`)
  /// show `0x4000`, bit 14.
  public var masqueradeMark: String = "0x4000"
  /// Whether the nfacct counters `localhost_nps_accepted_pkts` and
  /// `ct_state_invalid_dropped_pkts` exist (kernel nfnetlink_acct support).
  public var nfacctCounters: Bool = true
  /// `net.netfilter.nf_conntrack_tcp_be_liberal` is set: no INVALID-state DROP rule.
  public var conntrackTCPLiberal: Bool = false
  /// Above this many endpoints kube-proxy drops the per-endpoint comments.
  public var largeClusterEndpointsThreshold: Int = 1000
  /// A partial restore: only these services' (`ns/name`) SVC/SVL/EXT/FW/SEP chains are
  /// written; nil writes everything (a full sync).
  public var changedServices: Set<String>? = nil
  /// The nat chains currently loaded; kube-proxy flushes and deletes (`-X`) the per-service
  /// chains among them that are no longer used. nil skips the clean-up.
  public var existingNATChains: Set<String>? = nil

  public init() {}
}

extension TextBuffer {
  /// Appends `:<chain> - [0:0]`, the declaration that creates (or flushes) a chain.
  mutating func declareChain(_ chain: String) {
    append(":", chain, " - [0:0]\n")
  }

  /// Starts a rule: `-A <chain>` (the rest of the line follows, each word after a space).
  mutating func startRule(_ chain: String) {
    append("-A ", chain, "")
  }

  /// ` -m comment --comment "<text>"`: kube-proxy quotes a comment in the restore input
  /// itself when it contains spaces.
  mutating func quotedComment(_ text: StaticString) {
    quotedComment(text, "", "")
  }

  /// ` -m comment --comment "<prefix><spn><suffix>"`, naming a service port.
  mutating func quotedComment(_ prefix: StaticString, _ spn: String, _ suffix: StaticString) {
    append(" -m comment --comment \"")
    append(prefix)
    append(spn)
    append(suffix)
    append(byte: UInt8(ascii: "\""))
  }

  /// ` -m comment --comment <text>` for a comment already quoted (or without spaces).
  mutating func comment(_ text: String) {
    append(" -m comment --comment ")
    append(text)
  }

  /// ` -j <target>` and the end of the line.
  mutating func jump(_ target: String) {
    append(" -j ")
    append(target)
    newline()
  }

  /// ` -j <target>` and the end of the line, for a literal target.
  mutating func jump(_ target: StaticString) {
    append(" -j ")
    append(target)
    newline()
  }
}
