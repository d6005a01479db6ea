/// A v1 Namespace.
public struct Namespace: Hashable, Sendable {
  public var metadata: ObjectMeta
  /// `status.phase`: "Active" (deletion is immediate in the simulation).
  public var phase: String

  public init(metadata: ObjectMeta, phase: String = "Active") {
    self.metadata = metadata
    self.phase = phase
  }

  public var name: String { metadata.name }
}
