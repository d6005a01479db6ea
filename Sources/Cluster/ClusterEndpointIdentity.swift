import NetAddr

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
