import NetAddr

/// Pod checks in the API server's words (`ValidatePodCreate`, the parts svclab models).
enum PodValidation {
  static func validate(name: String, opts: PodOptions) -> [FieldError] {
    var errs = NameValidation.metadataName(name, NameValidation.dns1123Subdomain)
    let spec = FieldPath("spec")
    if let h = opts.hostname, !h.isEmpty {
      errs += NameValidation.dns1123Label(h).map {
        .invalid(spec.child("hostname"), .string(h), $0)
      }
    }
    if let s = opts.subdomain, !s.isEmpty {
      errs += NameValidation.dns1123Label(s).map {
        .invalid(spec.child("subdomain"), .string(s), $0)
      }
    }
    errs += containerPorts(opts.ports, spec.child("containers").index(0).child("ports"))
    errs += dns(policy: opts.dnsPolicy, config: opts.dnsConfig, spec)
    if opts.hostNetwork, opts.ip != nil {
      errs.append(
        .forbidden(
          FieldPath("status", "podIPs"),
          "may not be set for pods with `hostNetwork: true`; they use the node's address"))
    }
    if opts.terminationGracePeriodSeconds < 0 {
      errs.append(
        .invalid(
          spec.child("terminationGracePeriodSeconds"), .int(opts.terminationGracePeriodSeconds),
          "must be greater than or equal to 0"))
    }
    return errs
  }

  /// `spec.containers[0].ports[i]`: number, name (IANA service name), protocol, unique names.
  static func containerPorts(_ ports: [ContainerPort], _ path: FieldPath) -> [FieldError] {
    var errs: [FieldError] = []
    var names = Set<String>()
    for (i, p) in ports.enumerated() {
      let pp = path.index(i)
      if let n = p.name, !n.isEmpty {
        errs += NameValidation.portName(n).map { .invalid(pp.child("name"), .string(n), $0) }
        if !names.insert(n).inserted { errs.append(.duplicate(pp.child("name"), .string(n))) }
      }
      errs += NameValidation.portNumber(p.containerPort).map {
        .invalid(pp.child("containerPort"), .int(p.containerPort), $0)
      }
      if !PortProtocol.supported.contains(p.protocol) {
        errs.append(
          .unsupported(
            pp.child("protocol"), p.protocol.rawValue, PortProtocol.supported.map(\.rawValue)))
      }
    }
    return errs
  }

  /// `validateDNSPolicy` and `validatePodDNSConfig`.
  static func dns(policy: DNSPolicy, config: PodDNSConfig?, _ spec: FieldPath) -> [FieldError] {
    var errs: [FieldError] = []
    let cp = spec.child("dnsConfig")
    if policy == .none {
      guard let config else {
        return [.required(cp, "must provide `dnsConfig` when `dnsPolicy` is None")]
      }
      if config.nameservers.isEmpty {
        errs.append(
          .required(
            cp.child("nameservers"),
            "must provide at least one DNS nameserver when `dnsPolicy` is None"))
      }
    }
    guard let config else { return errs }
    if config.nameservers.count > 3 {
      errs.append(
        .invalid(
          cp.child("nameservers"), .stringList(config.nameservers),
          "must not have more than 3 nameservers"))
    }
    for (i, ns) in config.nameservers.enumerated() where IPAddressText.parse(ns) == nil {
      errs.append(
        .invalid(
          cp.child("nameservers").index(i), .string(ns),
          "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
    }
    if config.searches.count > 32 {
      errs.append(
        .invalid(
          cp.child("searches"), .stringList(config.searches),
          "must not have more than 32 search paths"))
    }
    for (i, o) in config.options.enumerated() where o.name.isEmpty {
      errs.append(.required(cp.child("options").index(i), "Must not be empty"))
    }
    return errs
  }
}

/// IP text parsing shared by validators.
enum IPAddressText {
  static func parse(_ s: String) -> IPAddress? { IPAddress(s) }
}
