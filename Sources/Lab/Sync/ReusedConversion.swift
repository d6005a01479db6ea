#if canImport(Glibc)
  import Glibc
#endif

/// Converts `current` element by element for a follower, reusing `converted[i]` wherever
/// `previous[i] == current[i]`: `converted` is the conversion of `previous`, so one endpoint's
/// change in a slice of a hundred costs one conversion, not a hundred. An element whose bytes
/// are those of the previous one (the same strings and arrays, as when the cluster rewrote the
/// slice around it) is the same value and is not compared field by field: that comparison
/// copies both values, and for a hundred endpoints it would cost more than the conversion.
func convertReusing<Element: Equatable, Converted>(
  _ current: [Element], previous: [Element]?, converted: [Converted]?,
  _ convert: (Element) -> Converted
) -> [Converted] {
  guard let previous, let converted, previous.count == converted.count else {
    return current.map(convert)
  }
  return current.withUnsafeBufferPointer { cur in
    previous.withUnsafeBufferPointer { prev in
      var out: [Converted] = []
      out.reserveCapacity(cur.count)
      guard let p = prev.baseAddress, let c = cur.baseAddress else { return cur.map(convert) }
      let size = MemoryLayout<Element>.size
      for i in cur.indices {
        let same = i < prev.count && (memcmp(p + i, c + i, size) == 0 || prev[i] == cur[i])
        out.append(same ? converted[i] : convert(cur[i]))
      }
      return out
    }
  }
}
