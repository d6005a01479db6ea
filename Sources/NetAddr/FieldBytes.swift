#if canImport(Glibc)
  import Glibc
#endif

/// The bytes a value's stored fields occupy, as merged ranges (the padding left out): the
/// engines use it to tell a value carried over unchanged (the same strings and arrays, shared
/// storage) from a rewritten one before comparing field by field.
public struct FieldBytes: Sendable {
  private var ranges: [Range<Int>] = []

  /// Ranges from `(offset, size)` pairs; an unknown offset leaves no range, so that nothing
  /// compares as the same.
  public init(_ fields: [(Int?, Int)]) {
    guard fields.allSatisfy({ $0.0 != nil }) else { return }
    let known = fields.compactMap { f in f.0.map { ($0, f.1) } }.sorted { $0.0 < $1.0 }
    for (offset, size) in known {
      if let last = ranges.last, last.upperBound == offset {
        ranges[ranges.count - 1] = last.lowerBound..<(offset + size)
      } else {
        ranges.append(offset..<(offset + size))
      }
    }
  }

  /// Whether the values at `a` and `b` have the same bytes in every range.
  public func same(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer) -> Bool {
    guard !ranges.isEmpty else { return false }
    for r in ranges where memcmp(a + r.lowerBound, b + r.lowerBound, r.count) != 0 { return false }
    return true
  }
}
