import NetAddr

/// `ValidateService` and `ValidateServiceUpdate`, in the API server's order and words.
enum ServiceValidation {
  static let spec = FieldPath("spec")
  static let validIPMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
  static let kubeletPort = 10250

  /// Every error of a defaulted Service.
  static func validate(_ svc: Service) -> [FieldError] {
    let s = svc.spec
    var errs = NameValidation.metadataName(svc.name, NameValidation.dns1035Label)
    if s.ports.isEmpty && !s.isHeadless && s.type != .externalName {
      errs.append(.required(spec.child("ports")))
    }
    errs += typeRules(s)
    var names = Set<String>()
    for (i, p) in s.ports.enumerated() {
      errs += port(p, requireName: s.ports.count > 1, names: &names, spec.child("ports").index(i))
    }
    errs += sessionAffinity(s)
    errs += clusterIPsRelatedFields(s)
    errs += externalIPs(s)
    if !ServiceType.supported.contains(s.type) {
      errs.append(
        .unsupported(spec.child("type"), s.type.rawValue, ServiceType.supported.map(\.rawValue)))
    }
    if s.type == .clusterIP {
      for (i, p) in s.ports.enumerated() where p.nodePort != nil {
        errs.append(
          .forbidden(
            spec.child("ports").index(i).child("nodePort"),
            "may not be used when `type` is 'ClusterIP'"))
      }
    }
    errs += duplicates(s)
    errs += loadBalancerFields(s)
    errs += trafficPolicies(s)
    return errs
  }

  /// The per-type rules (headless NodePort/LoadBalancer, kubelet port, ExternalName).
  static func typeRules(_ s: ServiceSpec) -> [FieldError] {
    var errs: [FieldError] = []
    let ip0 = spec.child("clusterIPs").index(0)
    switch s.type {
    case .loadBalancer:
      if s.isHeadless {
        errs.append(
          .invalid(ip0, .string("None"), "may not be set to 'None' for LoadBalancer services"))
      }
      for (i, p) in s.ports.enumerated() where p.port == kubeletPort {
        errs.append(
          .invalid(
            spec.child("ports").index(i), .int(p.port),
            "may not expose port \(kubeletPort) externally since it is used by kubelet"))
      }
    case .nodePort:
      if s.isHeadless {
        errs.append(
          .invalid(ip0, .string("None"), "may not be set to 'None' for NodePort services"))
      }
    case .externalName:
      if !s.clusterIPs.isEmpty {
        errs.append(
          .forbidden(spec.child("clusterIPs"), "may not be set for ExternalName services"))
      }
      if !s.ipFamilies.isEmpty {
        errs.append(
          .forbidden(spec.child("ipFamilies"), "may not be set for ExternalName services"))
      }
      if s.ipFamilyPolicy != nil {
        errs.append(
          .forbidden(spec.child("ipFamilyPolicy"), "may not be set for ExternalName services"))
      }
      var cname = s.externalName ?? ""
      if cname.hasSuffix(".") { cname.removeLast() }
      if cname.isEmpty {
        errs.append(.required(spec.child("externalName")))
      } else {
        errs += NameValidation.dns1123Subdomain(cname).map {
          .invalid(spec.child("externalName"), .string(cname), $0)
        }
      }
    default:
      break
    }
    return errs
  }

  /// `validateServicePort`.
  static func port(
    _ p: ServicePort, requireName: Bool, names: inout Set<String>, _ path: FieldPath
  ) -> [FieldError] {
    var errs: [FieldError] = []
    if requireName && p.name.isEmpty {
      errs.append(.required(path.child("name")))
    } else if !p.name.isEmpty {
      errs += NameValidation.dns1123Label(p.name).map {
        .invalid(path.child("name"), .string(p.name), $0)
      }
      if !names.insert(p.name).inserted {
        errs.append(.duplicate(path.child("name"), .string(p.name)))
      }
    }
    errs += NameValidation.portNumber(p.port).map { .invalid(path.child("port"), .int(p.port), $0) }
    if p.protocol.rawValue.isEmpty {
      errs.append(.required(path.child("protocol")))
    } else if !PortProtocol.supported.contains(p.protocol) {
      errs.append(
        .unsupported(
          path.child("protocol"), p.protocol.rawValue, PortProtocol.supported.map(\.rawValue)))
    }
    switch p.targetPort {
    case .int(let n):
      errs += NameValidation.portNumber(n).map { .invalid(path.child("targetPort"), .int(n), $0) }
    case .string(let name):
      errs += NameValidation.portName(name).map {
        .invalid(path.child("targetPort"), .string(name), $0)
      }
    case nil:
      break
    }
    return errs
  }

  /// Session affinity and its ClientIP timeout.
  static func sessionAffinity(_ s: ServiceSpec) -> [FieldError] {
    let path = spec.child("sessionAffinity")
    if s.sessionAffinity.rawValue.isEmpty { return [.required(path)] }
    if !SessionAffinity.supported.contains(s.sessionAffinity) {
      return [
        .unsupported(path, s.sessionAffinity.rawValue, SessionAffinity.supported.map(\.rawValue))
      ]
    }
    if s.sessionAffinity == .clientIP {
      let tp = spec.child("sessionAffinityConfig").child("clientIP").child("timeoutSeconds")
      guard let t = s.sessionAffinityTimeoutSeconds else {
        return [
          .required(spec.child("sessionAffinityConfig"), "when session affinity type is ClientIP")
        ]
      }
      if t <= 0 || t > 86400 {
        return [.invalid(tp, .int(t), "must be greater than 0 and less than 86400")]
      }
    }
    return []
  }

  /// `ValidateServiceClusterIPsRelatedFields`.
  static func clusterIPsRelatedFields(_ s: ServiceSpec) -> [FieldError] {
    if s.type == .externalName { return [] }
    var errs: [FieldError] = []
    let ipsPath = spec.child("clusterIPs")
    if !s.clusterIP.isEmpty {
      if s.clusterIPs.isEmpty {
        errs.append(.required(ipsPath))
      } else if s.clusterIPs[0] != s.clusterIP {
        errs.append(
          .invalid(ipsPath, .stringList(s.clusterIPs), "first value must match `clusterIP`"))
      }
    } else if !s.clusterIPs.isEmpty {
      errs.append(
        .invalid(
          ipsPath, .stringList(s.clusterIPs), "must be empty when `clusterIP` is not specified"))
    }
    var seen = Set<IPFamily>()
    for (i, f) in s.ipFamilies.enumerated() where !seen.insert(f).inserted {
      errs.append(.duplicate(spec.child("ipFamilies").index(i), .string(f.rawValue)))
    }
    if let p = s.ipFamilyPolicy, !IPFamilyPolicy.supported.contains(p) {
      errs.append(
        .unsupported(
          spec.child("ipFamilyPolicy"), p.rawValue, IPFamilyPolicy.supported.map(\.rawValue)))
    }
    var invalid = false
    for (i, ip) in s.clusterIPs.enumerated() {
      if i == 0 && ip == "None" {
        if s.clusterIPs.count > 1 {
          invalid = true
          errs.append(
            .invalid(ipsPath, .stringList(s.clusterIPs), "'None' must be the first and only value"))
        }
        continue
      }
      if IPAddress(ip) == nil {
        invalid = true
        errs.append(.invalid(ipsPath.index(i), .string(ip), validIPMessage))
      }
    }
    if s.clusterIPs.count > 2 {
      errs.append(.invalid(ipsPath, .stringList(s.clusterIPs), "may only hold up to 2 values"))
    }
    if invalid { return errs }
    if s.clusterIPs.count > 1 {
      let fams = s.clusterIPs.compactMap(ServiceDefaults.family(of:))
      if Set(fams).count != fams.count {
        errs.append(
          .invalid(
            ipsPath, .stringList(s.clusterIPs), "may specify no more than one IP for each IP family"
          ))
      }
    }
    if !s.isHeadless {
      for (i, ip) in s.clusterIPs.enumerated() where i < s.ipFamilies.count {
        guard let f = ServiceDefaults.family(of: ip), f != s.ipFamilies[i] else { continue }
        errs.append(
          .invalid(
            ipsPath.index(i), .string(ip),
            "expected an \(s.ipFamilies[i].rawValue) value as indicated by `ipFamilies[\(i)]`"))
      }
    }
    return errs
  }

  /// `spec.externalIPs[i]`: valid and not special.
  static func externalIPs(_ s: ServiceSpec) -> [FieldError] {
    var errs: [FieldError] = []
    for (i, text) in s.externalIPs.enumerated() {
      let p = spec.child("externalIPs").index(i)
      guard let ip = IPAddress(text) else {
        errs.append(.invalid(p, .string(text), validIPMessage))
        continue
      }
      if let why = SpecialAddress.reason(ip) { errs.append(.invalid(p, .string(text), why)) }
    }
    return errs
  }

  /// Duplicate node ports per protocol, duplicate (protocol, port) pairs.
  static func duplicates(_ s: ServiceSpec) -> [FieldError] {
    var errs: [FieldError] = []
    var nodePorts = Set<String>()
    for (i, p) in s.ports.enumerated() {
      guard let np = p.nodePort else { continue }
      if !nodePorts.insert("\(p.protocol.rawValue)/\(np)").inserted {
        errs.append(.duplicate(spec.child("ports").index(i).child("nodePort"), .int(np)))
      }
    }
    var ports = Set<String>()
    for (i, p) in s.ports.enumerated()
    where !ports.insert("\(p.protocol.rawValue)/\(p.port)").inserted {
      let json =
        "{\"Name\":\"\",\"Protocol\":\(goQuoted(p.protocol.rawValue)),\"AppProtocol\":null,"
        + "\"Port\":\(p.port),\"TargetPort\":0,\"NodePort\":0}"
      errs.append(.duplicate(spec.child("ports").index(i), .json(json)))
    }
    return errs
  }

  /// Source ranges and `allocateLoadBalancerNodePorts`, LoadBalancer-only fields.
  static func loadBalancerFields(_ s: ServiceSpec) -> [FieldError] {
    var errs: [FieldError] = []
    if !s.loadBalancerSourceRanges.isEmpty {
      // The API server names this path with a capital L.
      let path = spec.child("LoadBalancerSourceRanges")
      if s.type != .loadBalancer {
        errs.append(.forbidden(path, "may only be used when `type` is 'LoadBalancer'"))
      }
      for (i, r) in s.loadBalancerSourceRanges.enumerated() {
        let v = r.trimmingSpaces
        if CIDR(v) == nil {
          errs.append(
            .invalid(
              path.index(i), .string(v),
              "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
        }
      }
    }
    if s.allocateLoadBalancerNodePorts != nil && s.type != .loadBalancer {
      errs.append(
        .forbidden(
          spec.child("allocateLoadBalancerNodePorts"),
          "may only be used when `type` is 'LoadBalancer'"))
    }
    if let ip = s.loadBalancerIP, !ip.isEmpty, IPAddress(ip) == nil {
      errs.append(.invalid(spec.child("loadBalancerIP"), .string(ip), validIPMessage))
    }
    return errs
  }

  /// External and internal traffic policy, health-check node port, traffic distribution.
  static func trafficPolicies(_ s: ServiceSpec) -> [FieldError] {
    var errs: [FieldError] = []
    let etp = spec.child("externalTrafficPolicy")
    if !ServiceDefaults.externallyAccessible(s) {
      if let p = s.externalTrafficPolicy {
        errs.append(
          .invalid(etp, .string(p.rawValue), "may only be set for externally-accessible services"))
      }
    } else if let p = s.externalTrafficPolicy {
      if !TrafficPolicy.supported.contains(p) {
        errs.append(.unsupported(etp, p.rawValue, TrafficPolicy.supported.map(\.rawValue)))
      }
    } else {
      errs.append(.required(etp))
    }
    let hc = spec.child("healthCheckNodePort")
    if !ServiceDefaults.needsHealthCheck(s) {
      if let h = s.healthCheckNodePort {
        errs.append(
          .invalid(
            hc, .int(h),
            "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
      }
    } else if let h = s.healthCheckNodePort {
      errs += NameValidation.portNumber(h).map { .invalid(hc, .int(h), $0) }
    } else {
      errs.append(.required(hc))
    }
    let itp = spec.child("internalTrafficPolicy")
    if let p = s.internalTrafficPolicy {
      if !TrafficPolicy.supported.contains(p) {
        errs.append(.unsupported(itp, p.rawValue, TrafficPolicy.supported.map(\.rawValue)))
      }
    } else if [.clusterIP, .nodePort, .loadBalancer].contains(s.type) {
      errs.append(.required(itp))
    }
    if let d = s.trafficDistribution, !TrafficDistribution.supported.contains(d) {
      errs.append(
        .unsupported(
          spec.child("trafficDistribution"), d.rawValue,
          TrafficDistribution.supported.map(\.rawValue)))
    }
    return errs
  }

  /// `validateUpgradeDowngradeClusterIPs` (the primary IP is immutable).
  static func clusterIPsUpdate(old: ServiceSpec, new: ServiceSpec) -> [FieldError] {
    if old.type == .externalName || new.type == .externalName { return [] }
    if old.isHeadless && new.isHeadless { return [] }
    var errs: [FieldError] = []
    let ip0 = spec.child("clusterIPs").index(0)
    let v = FieldValue.stringList(new.clusterIPs)
    if old.clusterIPs.count == new.clusterIPs.count {
      for (i, ip) in old.clusterIPs.enumerated() where ip != new.clusterIPs[i] {
        errs.append(.invalid(spec.child("clusterIPs").index(i), v, "may not change once set"))
      }
    } else if old.clusterIPs.count > new.clusterIPs.count {
      if new.clusterIPs.isEmpty {
        errs.append(.invalid(ip0, v, "primary clusterIP can not be unset"))
      }
      if let o = old.clusterIPs.first, let n = new.clusterIPs.first, o != n {
        errs.append(.invalid(ip0, v, "may not change once set"))
      }
      if new.clusterIPs.count == 1 && new.ipFamilyPolicy != .singleStack {
        errs.append(
          .invalid(
            spec.child("ipFamilyPolicy"), .string(new.ipFamilyPolicy?.rawValue ?? ""),
            "must be set to 'SingleStack' when releasing the secondary clusterIP"))
      }
    } else if let o = old.clusterIPs.first, new.clusterIPs.first != o {
      errs.append(.invalid(ip0, v, "may not change once set"))
    }
    return errs
  }
}

/// Addresses a Service may not use as external IPs (`ValidateNonSpecialIP`).
enum SpecialAddress {
  static func reason(_ ip: IPAddress) -> String? {
    let v4 = ip.family == .v4
    if (v4 && ip.v4Value == 0) || (!v4 && ip.high == 0 && ip.low == 0) {
      return "may not be unspecified (0.0.0.0, ::)"
    }
    if (v4 && ip.v4Value >> 24 == 127) || (!v4 && ip.high == 0 && ip.low == 1) {
      return "may not be in the loopback range (127.0.0.0/8, ::1/128)"
    }
    if (v4 && ip.v4Value >> 16 == 0xA9FE) || (!v4 && ip.high >> 54 == 0x3FA) {
      return "may not be in the link-local range (169.254.0.0/16, fe80::/10)"
    }
    if (v4 && ip.v4Value >> 8 == 0xE00000) || (!v4 && ip.high >> 48 == 0xFF02) {
      return "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"
    }
    return nil
  }
}
