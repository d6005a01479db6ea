import NetAddr

/// `initIPFamilyFields`: defaults `ipFamilyPolicy` and `ipFamilies` from the request and the
/// cluster's configured families, rejecting combinations the cluster cannot serve.
struct ServiceFamilies {
  /// The configured families, primary first.
  let configured: [IPFamily]

  func initialize(_ s: inout ServiceSpec, old: ServiceSpec?, name: String) throws(ClusterError) {
    if s.type == .externalName { return }
    let spec = FieldPath("spec")
    if s.ipFamilyPolicy == nil {
      if let o = old?.ipFamilyPolicy {
        s.ipFamilyPolicy = o
      } else if s.isHeadless && (s.selector ?? [:]).isEmpty {
        s.ipFamilyPolicy = .requireDualStack
      } else {
        s.ipFamilyPolicy = .singleStack
      }
    }
    let pre = ServiceValidation.clusterIPsRelatedFields(s)
    if !pre.isEmpty { throw .invalid(kind: "Service", name: name, errors: pre) }
    var errs: [FieldError] = []
    let policy = s.ipFamilyPolicy ?? .singleStack
    if let old {
      if policy == .singleStack {
        if s.clusterIPs == old.clusterIPs && s.clusterIPs.count > 1 {
          s.clusterIPs = [s.clusterIPs[0]]
        }
        if s.ipFamilies == old.ipFamilies && s.ipFamilies.count > 1 {
          s.ipFamilies = [s.ipFamilies[0]]
        }
      } else {
        if s.clusterIPs.count < old.clusterIPs.count && !old.isHeadless {
          errs.append(
            .invalid(
              spec.child("ipFamilyPolicy"), .string(policy.rawValue),
              "must be 'SingleStack' to release the secondary cluster IP"))
        }
        if s.ipFamilies.count < old.ipFamilies.count {
          errs.append(
            .invalid(
              spec.child("ipFamilyPolicy"), .string(policy.rawValue),
              "must be 'SingleStack' to release the secondary IP family"))
        }
      }
    }
    if policy == .singleStack {
      if s.clusterIPs.count == 2 {
        errs.append(
          .invalid(
            spec.child("ipFamilyPolicy"), .string(policy.rawValue),
            "must be 'RequireDualStack' or 'PreferDualStack' "
              + "when multiple cluster IPs are specified"
          ))
      }
      if s.ipFamilies.count == 2 {
        errs.append(
          .invalid(
            spec.child("ipFamilyPolicy"), .string(policy.rawValue),
            "must be 'RequireDualStack' or 'PreferDualStack' "
              + "when multiple IP families are specified"
          ))
      }
    }
    for (i, ip) in s.clusterIPs.enumerated() {
      if ip == "None" { break }
      guard let fam = ServiceDefaults.family(of: ip), i >= s.ipFamilies.count else { continue }
      if configured.contains(fam) {
        s.ipFamilies.append(fam)
      } else {
        errs.append(
          .invalid(
            spec.child("clusterIPs").index(i), .stringList(s.clusterIPs),
            "\(fam.rawValue) is not configured on this cluster"))
      }
    }
    if !errs.isEmpty { throw .invalid(kind: "Service", name: name, errors: errs) }
    if s.isHeadless && (s.selector ?? [:]).isEmpty {
      if s.ipFamilies.isEmpty, let primary = configured.first { s.ipFamilies = [primary] }
      if s.ipFamilies.count < 2 && policy != .singleStack, let f = s.ipFamilies.first {
        s.ipFamilies.append(f == .v4 ? .v6 : .v4)
      }
      return
    }
    if policy == .requireDualStack && configured.count < 2 {
      errs.append(
        .invalid(
          spec.child("ipFamilyPolicy"), .string(policy.rawValue),
          "this cluster is not configured for dual-stack services"))
    }
    for (i, f) in s.ipFamilies.enumerated() where !configured.contains(f) {
      errs.append(
        .invalid(
          spec.child("ipFamilies").index(i), .string(f.rawValue), "not configured on this cluster"))
    }
    if !errs.isEmpty { throw .invalid(kind: "Service", name: name, errors: errs) }
    if s.ipFamilies.isEmpty, let primary = configured.first { s.ipFamilies = [primary] }
    if policy != .singleStack && s.ipFamilies.count == 1 && configured.count == 2,
      let f = s.ipFamilies.first
    {
      s.ipFamilies.append(f == .v4 ? .v6 : .v4)
    }
  }
}
