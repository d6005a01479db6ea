import NetAddr

/// One Service port in one IP family: kube-proxy runs one proxier per family, so a dual-stack
/// Service port is two independent entries.
public struct ServicePortKey: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var name: ServicePortName
  public var family: IPFamily

  public init(name: ServicePortName, family: IPFamily) {
    self.name = name
    self.family = family
  }

  public var description: String { "\(name)/\(name.proto.lowercased) (\(family.rawValue))" }

  public static func < (a: ServicePortKey, b: ServicePortKey) -> Bool {
    (a.name, a.family.rawValue) < (b.name, b.family.rawValue)
  }
}

extension ProxyServicePort {
  /// The port's key in the engine's maps.
  public var key: ServicePortKey { ServicePortKey(name: name, family: family) }
}
