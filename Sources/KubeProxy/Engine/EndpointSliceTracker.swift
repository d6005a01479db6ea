/// Applied and pending EndpointSlices per Service, as kube-proxy's `EndpointSliceCache`: a slice
/// update becomes pending only if it differs from what is pending or applied, and a pending
/// update that returns to the applied state is dropped.
public struct EndpointSliceTracker: Sendable {
  /// A slice's identity: its namespace and name.
  struct SliceID: Hashable, Sendable {
    var namespace: String
    var name: String
  }

  /// Applied slices per Service, by slice name.
  public private(set) var applied: [NamespacedName: [String: ProxyEndpointSlice]] = [:]
  /// Pending slices per Service, by slice name (nil: the slice is to be removed).
  private var pending: [NamespacedName: [String: ProxyEndpointSlice?]] = [:]

  public init() {}

  /// Whether any change is pending.
  public var hasPending: Bool { !pending.isEmpty }

  /// Records one slice change (nil for the missing side of an add or delete); returns whether
  /// the change is pending afterwards. A slice moved to another Service is a removal from the
  /// old one plus an addition to the new one.
  @discardableResult
  public mutating func update(previous: ProxyEndpointSlice?, current: ProxyEndpointSlice?) -> Bool {
    var isPending = false
    if let previous, previous.service != current?.service {
      isPending = setPending(service: previous.service, slice: previous.name, to: nil)
    }
    if let current {
      isPending = setPending(service: current.service, slice: current.name, to: current)
    }
    return isPending
  }

  /// Moves every pending slice into the applied state and returns the Services they touched.
  public mutating func checkout() -> Set<NamespacedName> {
    Set(checkoutChanges().map(\.service))
  }

  /// Moves every pending slice into the applied state and returns, per Service touched, each
  /// slice's applied state before and after (nil: absent), so that derived endpoint lists can
  /// be updated one endpoint at a time instead of merged again.
  public mutating func checkoutChanges() -> [(service: NamespacedName, changes: [SliceChange])] {
    var changes: [(service: NamespacedName, changes: [SliceChange])] = []
    changes.reserveCapacity(pending.count)
    for (service, slices) in pending {
      var list: [SliceChange] = []
      list.reserveCapacity(slices.count)
      // Moved out and back, so that each slice costs one lookup of its name.
      var sliceMap = applied.removeValue(forKey: service) ?? [:]
      for (name, slice) in slices {
        let previous =
          if let slice { sliceMap.updateValue(slice, forKey: name) } else {
            sliceMap.removeValue(forKey: name)
          }
        list.append(SliceChange(previous: previous, current: slice))
      }
      if !sliceMap.isEmpty { applied[service] = sliceMap }
      changes.append((service, list))
    }
    pending = [:]
    return changes
  }

  /// The applied slices of one Service, in slice-name order.
  public func slices(of service: NamespacedName) -> [ProxyEndpointSlice] {
    guard let slices = applied[service] else { return [] }
    return slices.keys.sorted().compactMap { slices[$0] }
  }

  /// Makes `slice` (nil: removal) the pending state of one slice, or drops the pending entry
  /// when that is what is applied already.
  @discardableResult
  private mutating func setPending(
    service: NamespacedName, slice name: String, to slice: ProxyEndpointSlice?
  ) -> Bool {
    if sameSlice(applied[service]?[name], slice) {
      pending[service]?[name] = nil
      if pending[service]?.isEmpty == true { pending[service] = nil }
      return false
    }
    pending[service, default: [:]][name] = .some(slice)
    return true
  }
}

extension ProxyEndpointSlice {
  /// The Service the slice belongs to (its `kubernetes.io/service-name` label).
  public var service: NamespacedName { NamespacedName(namespace: namespace, name: serviceName) }
}
