/// A query name inside a cluster zone, split as CoreDNS's `parseRequest` splits it:
///
///     _port._protocol.service.namespace.svc.zone
///     endpoint.service.namespace.svc.zone
///     service.namespace.svc.zone
///     namespace.svc.zone, svc.zone, pod.zone and the zone itself (apex-like: NODATA)
///     dashed-ip.namespace.pod.zone
///
/// Leading underscores of port and protocol are stripped. All fields are lower case.
struct RecordRequest: Equatable, CustomStringConvertible {
  var port = ""
  var `protocol` = ""
  var endpoint = ""
  var service = ""
  var namespace = ""
  /// "svc", "pod", or empty for apex-like names.
  var podOrSvc = ""

  /// Why a name has no place in the grammar; CoreDNS's `errInvalidRequest`.
  struct Invalid: Error {}

  /// Splits `name` (lower case, fully qualified) below `zone`.
  /// - Throws: `Invalid` when the label next to the zone is not `svc`/`pod`, or the name has
  ///   three or more labels left of the service.
  init(name: String, zone: String) throws(Invalid) {
    let base = Self.trim(name, zone: zone)
    if base.isEmpty || base == "svc" || base == "pod" { return }
    var segs =
      Self.isASCII(base)
      ? base.utf8.split(separator: UInt8(ascii: ".")).map { String(Substring($0)) }
      : base.split(separator: ".").map(String.init)
    guard let last = segs.popLast() else { return }
    podOrSvc = last
    guard podOrSvc == "pod" || podOrSvc == "svc" else { throw Invalid() }
    guard let ns = segs.popLast() else { return }
    namespace = ns
    guard let svc = segs.popLast() else { return }
    service = svc
    switch segs.count {
    case 0: return
    case 1: endpoint = segs[0]
    case 2:
      self.protocol = Self.stripUnderscore(segs[1])
      port = Self.stripUnderscore(segs[0])
    default: throw Invalid()
    }
  }

  /// The labels of `name` left of `zone`, without the joining dot.
  static func trim(_ name: String, zone: String) -> String {
    if zone == "." { return String(name.dropLast()) }
    if isASCII(name) && isASCII(zone) {  // bytes are characters: no grapheme walk
      guard name.utf8.count > zone.utf8.count else { return "" }
      return String(Substring(name.utf8.dropLast(zone.utf8.count + 1)))
    }
    guard name.count > zone.count else { return "" }
    return String(name.dropLast(zone.count + 1))
  }

  /// Whether every byte of `s` is ASCII (then UTF-8 offsets and character offsets agree).
  static func isASCII(_ s: String) -> Bool {
    s.utf8.allSatisfy { $0 < 0x80 }
  }

  private static func stripUnderscore(_ s: String) -> String {
    s.hasPrefix("_") ? String(s.dropFirst()) : s
  }

  /// The fields joined with dots, as CoreDNS's parse tests print them.
  var description: String {
    [port, `protocol`, endpoint, "", service, namespace, podOrSvc].joined(separator: ".")
  }
}
