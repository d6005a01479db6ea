/// A value kept in one copy-on-write box shared by every copy until one of them is written.
///
/// Object models whose versions are compared often (an EndpointSlice update rewrites one
/// endpoint and carries the others over) keep their fields in one: copying is one reference,
/// and two versions that share the box are equal without looking inside. Equality and hashing
/// are otherwise those of `Value`, so a field added to it is compared by itself. Inlinable, so
/// that the identity check costs the other modules a pointer comparison, not a call.
public struct Shared<Value: Hashable & Sendable>: Hashable, Sendable {
  /// Written only while uniquely referenced (`value`'s modify accessor copies it first).
  @usableFromInline final class Box: @unchecked Sendable {
    /// Unchecked: a box is only ever reached through `Shared.value`, whose accessors a
    /// struct's own (static) exclusivity rules already keep from overlapping, and a shared
    /// box is never written. The dynamic check on every field read cost a readiness change
    /// 3,100 instructions with 15 endpoints per slice and 6,500 with 100 (of 177,000 and
    /// 245,000; `Scripts/bench-changes.sh`).
    @exclusivity(unchecked) @usableFromInline var value: Value
    @inlinable init(_ value: Value) { self.value = value }
  }

  @usableFromInline var box: Box

  @inlinable public init(_ value: Value) { box = Box(value) }

  @inlinable public var value: Value {
    // Read in place: a getter would copy every field to hand out one.
    _read { yield box.value }
    _modify {
      if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
      yield &box.value
    }
  }

  @inlinable public static func == (a: Shared, b: Shared) -> Bool {
    a.box === b.box || a.box.value == b.box.value
  }

  @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(box.value) }
}

extension Shared: CustomStringConvertible, CustomReflectable {
  /// The value's own text: a box's identity is no part of what it holds.
  public var description: String { String(describing: box.value) }
  public var customMirror: Mirror { Mirror(reflecting: box.value) }
}
