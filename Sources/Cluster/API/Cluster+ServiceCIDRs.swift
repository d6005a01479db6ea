import NetAddr

/// ServiceCIDR objects (networking.k8s.io/v1): creating one extends the ranges ClusterIPs
/// are drawn from; deleting one that still holds addresses no other ServiceCIDR covers leaves
/// it terminating (its finalizer kept, `Ready` False with reason `Terminating`) until its
/// last such address is released, as kube-controller-manager's servicecidrs controller does.
extension Cluster {
  /// The ServiceCIDRs, in creation order (the default `kubernetes` first).
  public func serviceCIDRObjects() -> [ServiceCIDR] { serviceIPs.objects }

  /// The ServiceCIDR `name`.
  public func serviceCIDR(_ name: String) -> ServiceCIDR? {
    serviceIPs.objects.first { $0.name == name }
  }

  /// Creates a ServiceCIDR, checked as `ValidateServiceCIDR` checks it.
  @discardableResult
  public func createServiceCIDR(_ name: String, cidrs: [String]) throws(ClusterError) -> ServiceCIDR
  {
    try transaction { () throws(ClusterError) in
      let parsed = try Self.validateServiceCIDR(name, cidrs)
      guard serviceCIDR(name) == nil else {
        throw .alreadyExists(resource: "servicecidrs.networking.k8s.io", name: name)
      }
      let obj = ServiceCIDR(name: name, uid: takeUID(), cidrs: parsed)
      serviceIPs.add(obj)
      return obj
    }
  }

  /// Deletes a ServiceCIDR: it goes at once when nothing would be orphaned, else it stays
  /// terminating until `syncServiceCIDRs` finds it free. The default `kubernetes` one always
  /// holds the `kubernetes` Service's address, so it stays terminating (and the API server
  /// would create it again were it ever removed).
  public func deleteServiceCIDR(_ name: String) throws(ClusterError) {
    try transaction { () throws(ClusterError) in
      guard serviceCIDR(name) != nil else {
        throw .notFound(resource: "servicecidrs.networking.k8s.io", name: name)
      }
      serviceIPs.markDeleting(name)
      syncServiceCIDRs()
    }
  }

  /// The servicecidrs controller's pass over terminating ServiceCIDRs: each one that no longer
  /// holds an address alone loses its finalizer and goes; the default one is created again
  /// by the API server's default-ServiceCIDR controller.
  func syncServiceCIDRs() {
    for obj in serviceIPs.objects where obj.deleting && serviceIPs.canDelete(obj.name) {
      serviceIPs.remove(obj.name)
      if obj.name == ServiceCIDR.defaultName {
        serviceIPs.add(ServiceCIDR(name: obj.name, uid: takeUID(), cidrs: obj.cidrs))
      }
    }
  }

  /// `ValidateServiceCIDR` (pkg/apis/networking/validation): a DNS-subdomain name, one or two
  /// CIDRs, two only as one per family, each a valid CIDR in canonical form. Overlapping
  /// ServiceCIDRs are allowed (the allocator shares their addresses).
  static func validateServiceCIDR(_ name: String, _ cidrs: [String]) throws(ClusterError) -> [CIDR]
  {
    var errs = NameValidation.metadataName(name, NameValidation.dns1123Subdomain)
    let path = FieldPath("spec", "cidrs")
    // the API server reports the whole spec (a Go struct, printed as its JSON)
    let spec = FieldValue.json(
      #"{"CIDRs":["# + cidrs.map { goQuoted($0) }.joined(separator: ",") + "]}")
    var out: [CIDR] = []
    if cidrs.isEmpty {
      errs.append(.required(path, "at least one CIDR required"))
    } else if cidrs.count > 2 {
      errs.append(.invalid(path, spec, "may only hold up to 2 values"))
    } else {
      for (i, text) in cidrs.enumerated() {
        let addr = text.split(separator: "/").first.map(String.init) ?? ""
        guard let c = CIDR(text), let ip = IPAddress(addr) else {
          errs.append(
            .invalid(
              path.index(i), .string(text),
              "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
          continue
        }
        if ip != c.network || c.description != text {
          errs.append(
            .invalid(
              path.index(i), .string(text), "must be in canonical form (\(goQuoted(c.description)))"
            ))
          continue
        }
        out.append(c)
      }
      if cidrs.count == 2, out.count == 2, out[0].family == out[1].family {
        errs = [
          .invalid(
            path, spec,
            "may specify no more than one IP for each IP "
              + "family, i.e 192.168.0.0/24 and 2001:db8::/64"
          )
        ]
      }
    }
    guard errs.isEmpty else {
      throw .invalid(kind: "ServiceCIDR.networking.k8s.io", name: name, errors: errs)
    }
    return out
  }
}
