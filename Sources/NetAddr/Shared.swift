/// A value kept in one copy-on-write box shared by every copy until one of them is written.
///
/// Object models whose versions are compared often (an EndpointSlice update rewrites one
/// endpoint and carries the others over) keep their fields in one: copying is one reference,
/// and two versions that share the box are equal without looking inside. Equality and hashing
/// are otherwise those of `Value`, so a field added to it is compared by itself.
public struct Shared<Value: Hashable & Sendable>: Hashable, Sendable {
  /// Written only while uniquely referenced (`value`'s modify accessor copies it first).
  private final class Box: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
  }

  private var box: Box

  public init(_ value: Value) { box = Box(value) }

  public var value: Value {
    // Read in place: a getter would copy every field to hand out one.
    _read { yield box.value }
    _modify {
      if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
      yield &box.value
    }
  }

  public static func == (a: Shared, b: Shared) -> Bool {
    a.box === b.box || a.box.value == b.box.value
  }

  public func hash(into hasher: inout Hasher) { hasher.combine(box.value) }
}

extension Shared: CustomStringConvertible, CustomReflectable {
  /// The value's own text: a box's identity is no part of what it holds.
  public var description: String { String(describing: box.value) }
  public var customMirror: Mirror { Mirror(reflecting: box.value) }
}
