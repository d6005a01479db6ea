#if canImport(Glibc)
  import Glibc
#endif

/// Telling an endpoint carried over unchanged from a rewritten one, cheaply: a slice update
/// rewrites one endpoint of up to a hundred and copies the others, which then hold the very
/// same strings and arrays as before.
extension Endpoint {
  /// Whether the endpoints at `a` and `b` have the same bytes in every stored field (the
  /// same string and array storage, the same inline values), read in place without copying
  /// either. True means equal; false means "compare with `==`". Padding between fields is
  /// left out, so copies made field by field still match.
  public static func sameBits(_ a: UnsafePointer<Endpoint>, _ b: UnsafePointer<Endpoint>) -> Bool
  {
    fieldBytes.same(UnsafeRawPointer(a), UnsafeRawPointer(b))
  }

  /// The byte ranges of the stored fields.
  static let fieldBytes = FieldBytes([
    (MemoryLayout<Endpoint>.offset(of: \.addresses), MemoryLayout<[String]>.size),
    (MemoryLayout<Endpoint>.offset(of: \.conditions), MemoryLayout<EndpointConditions>.size),
    (MemoryLayout<Endpoint>.offset(of: \.hostname), MemoryLayout<String?>.size),
    (MemoryLayout<Endpoint>.offset(of: \.nodeName), MemoryLayout<String?>.size),
    (MemoryLayout<Endpoint>.offset(of: \.zone), MemoryLayout<String?>.size),
    (MemoryLayout<Endpoint>.offset(of: \.targetRef), MemoryLayout<ObjectReference?>.size),
    (MemoryLayout<Endpoint>.offset(of: \.hints), MemoryLayout<EndpointHints?>.size),
  ])
}

/// The bytes a value's stored fields occupy, as merged ranges (the padding left out).
struct FieldBytes: Sendable {
  private var ranges: [Range<Int>] = []

  /// Ranges from `(offset, size)` pairs; an unknown offset leaves no range, so that nothing
  /// compares as the same.
  init(_ fields: [(Int?, Int)]) {
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
  func same(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer) -> Bool {
    guard !ranges.isEmpty else { return false }
    for r in ranges where memcmp(a + r.lowerBound, b + r.lowerBound, r.count) != 0 { return false }
    return true
  }
}
