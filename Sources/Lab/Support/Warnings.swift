import Cluster

#if canImport(Glibc)
  import Glibc
#endif

/// Warnings shown to the learner the way the real tools show them: kubectl's `Warning: …` lines
/// (the API server's warnings on a request) and a component's own log line. They go to the
/// session's `warningSink` — standard error, after standard output is flushed, so the two
/// streams keep their order — and tests replace the sink to read them.
extension LabSession {
  /// Writes `line` and a newline to standard error.
  static func standardErrorSink(_ line: String) {
    fflush(nil)
    var text = line + "\n"
    text.withUTF8 { buffer in
      var offset = 0
      while offset < buffer.count {
        let n = write(2, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
        if n <= 0 { break }
        offset += n
      }
    }
  }

  /// kubectl's form of the API server's `Warning` headers: one `Warning: <text>` line each.
  func showAPIWarnings(_ warnings: [String]) {
    for w in warnings { warningSink("Warning: " + w) }
  }
}

/// Texts the real components print, kept word for word.
enum UpstreamWarnings {
  /// kube-proxy 1.35 logs this (at error level, with a `Warning` event `IPVSDeprecation` on
  /// the node) when it starts in IPVS mode: `cmd/kube-proxy/app/server_linux.go`, PR
  /// kubernetes/kubernetes#134539 (KEP-5495).
  static let ipvsDeprecated =
    "The ipvs proxier is now deprecated and may be removed in a "
    + "future release. Please use 'nftables' instead."
}

/// The API server's warnings on a Service write (`GetWarningsForService`,
/// pkg/api/service/warnings.go), for the fields svclab models.
enum ServiceWarnings {
  /// The annotation kube-controller-manager read before `service.kubernetes.io/topology-mode`.
  static let topologyAwareHints = "service.kubernetes.io/topology-aware-hints"
  static let topologyMode = "service.kubernetes.io/topology-mode"

  static func forService(_ s: Service) -> [String] {
    var out: [String] = []
    if s.metadata.annotations[topologyAwareHints] != nil {
      out.append(
        "annotation \(topologyAwareHints) is deprecated, please use \(topologyMode) instead")
    }
    // PreferClose is deprecated in 1.35 in favour of its explicit spelling (PR
    // kubernetes/kubernetes#134457, KEP-3015).
    if s.spec.trafficDistribution == .preferClose {
      out.append("spec.trafficDistribution: \"PreferClose\" is deprecated; use \"PreferSameZone\"")
    }
    return out
  }
}
