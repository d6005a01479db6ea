/// An object's `namespace/name`, the key kube-proxy's change trackers use
/// (`types.NamespacedName`).
public struct NamespacedName: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var namespace: String
  public var name: String

  public init(namespace: String, name: String) {
    self.namespace = namespace
    self.name = name
  }

  /// `ns/name`.
  public var description: String { "\(namespace)/\(name)" }

  public static func < (a: NamespacedName, b: NamespacedName) -> Bool {
    (a.namespace, a.name) < (b.namespace, b.name)
  }
}

extension ServicePortName {
  /// The Service this port belongs to.
  public var serviceName: NamespacedName { NamespacedName(namespace: namespace, name: name) }
}
