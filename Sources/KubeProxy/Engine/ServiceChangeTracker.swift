/// Pending Service changes per `NamespacedName`, as kube-proxy's `ServiceChangeTracker`: each
/// item keeps the ports as last applied (`previous`) and as now wanted (`current`); an item whose
/// two sides are equal again is dropped, so changes that cancel out cost nothing at sync.
public struct ServiceChangeTracker: Sendable {
  public struct Change: Hashable, Sendable {
    public var previous: [ServicePortKey: ProxyServicePort]
    public var current: [ServicePortKey: ProxyServicePort]
  }

  public private(set) var items: [NamespacedName: Change] = [:]

  public init() {}

  /// Records one Service change (nil for the missing side of an add or delete) and returns
  /// whether a change is pending for that Service afterwards.
  @discardableResult
  public mutating func update(
    _ name: NamespacedName, previous: [ProxyServicePort]?, current: [ProxyServicePort]?
  ) -> Bool {
    var change = items[name] ?? Change(previous: Self.portMap(previous), current: [:])
    change.current = Self.portMap(current)
    items[name] = change.previous == change.current ? nil : change
    return items[name] != nil
  }

  /// Hands over every pending change and forgets them.
  public mutating func checkout() -> [NamespacedName: Change] {
    defer { items = [:] }
    return items
  }

  /// The ports keyed by (port name, family); headless and ExternalName ports are ignored, as
  /// kube-proxy ignores Services without a ClusterIP.
  static func portMap(_ ports: [ProxyServicePort]?) -> [ServicePortKey: ProxyServicePort] {
    var map: [ServicePortKey: ProxyServicePort] = [:]
    for port in ports ?? [] where port.clusterIP != nil && port.type != .externalName {
      map[port.key] = port
    }
    return map
  }
}
