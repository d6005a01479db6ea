import CoreDNS
import LuaKit

/// CoreDNS's kubernetes-plugin settings as `dnsConfig` reads and returns them.
enum DNSSettings {
  /// kubeadm's settings for a cluster whose domain is `domain`.
  static func kubeadm(domain: String) -> KubernetesPluginSettings {
    var s = KubernetesPluginSettings()
    let zone = domain.hasSuffix(".") ? domain.lowercased() : domain.lowercased() + "."
    s.zones = [zone, "in-addr.arpa.", "ip6.arpa."]
    s.cache?.disableSuccess = [zone]
    s.cache?.disableDenial = [zone]
    return s
  }

  /// Applies the fields present in `t` to `base`; unknown fields and bad values are errors.
  static func read(
    _ t: LuaTable?, over base: KubernetesPluginSettings, function: String
  ) throws
    -> KubernetesPluginSettings
  {
    var f = Fields(t, path: "opts", function: function)
    var s = base
    if let v = try f.int("ttl") {
      guard (0...3600).contains(v) else {
        throw LuaError("\(function): opts.ttl: ttl must be in range [0, 3600]: \(v)")
      }
      s.ttl = UInt32(v)
    }
    if let v = try f.string("pods") {
      guard let m = PodMode(rawValue: v) else {
        throw LuaError(
          "\(function): opts.pods: wrong value for pods: \(v),  "
            + "must be one of: disabled, verified, insecure"
        )
      }
      s.pods = m
    }
    if let v = try f.bool("endpointPodNames") { s.endpointPodNames = v }
    if let v = try f.strings("namespaces") { s.namespaces = v }
    if let v = try f.bool("ignoreEmptyService") { s.ignoreEmptyService = v }
    if let v = try f.bool("noEndpoints") { s.noEndpoints = v }
    if let v = try f.bool("autopath") { s.autopath = v }
    if let v = try f.bool("loadbalance") { s.loadbalance = v }
    switch f.raw("fallthrough") {
    case .nil: break
    case .boolean(let b): s.fallthroughZones = b ? [] : nil
    default:
      s.fallthroughZones = try f.strings("fallthrough")?.map { $0.hasSuffix(".") ? $0 : $0 + "." }
    }
    try f.rejectUnknown()
    return s
  }

  static func table(_ s: KubernetesPluginSettings) -> LuaValue {
    var r = Record()
    r["zones"] = .strings(s.zones)
    r["ttl"] = .int(Int(s.ttl))
    r["pods"] = .string(s.pods.rawValue)
    r["endpointPodNames"] = .boolean(s.endpointPodNames)
    r["namespaces"] = .strings(s.namespaces)
    r["ignoreEmptyService"] = .boolean(s.ignoreEmptyService)
    r["noEndpoints"] = .boolean(s.noEndpoints)
    r["autopath"] = .boolean(s.autopath)
    r["loadbalance"] = .boolean(s.loadbalance)
    r["fallthrough"] = s.fallthroughZones.map { LuaValue.strings($0) } ?? .boolean(false)
    r["forward"] = .boolean(s.forward != nil)
    r["cache"] = .boolean(s.cache != nil)
    return r.value
  }
}
