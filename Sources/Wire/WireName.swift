/// Domain names on the wire (RFC 1035 §3.1, §4.1.4): reading with compression pointers, writing
/// with a compression table. Names are carried as presentation text: labels joined by dots,
/// a final dot, and `\.`, `\\` and `\DDD` escapes for bytes that text cannot hold plainly.
enum WireName {
  /// The longest name in wire form (RFC 1035 §2.3.4).
  static let maxLength = 255

  /// Reads the name starting at `offset`; returns it and the offset just past it in the
  /// original byte stream (after the first pointer, if any).
  ///
  /// - Throws: `WireError` for a label running past the end, a pointer that does not point
  ///   strictly backwards (which also rules out loops), a reserved label type, or a name longer
  ///   than 255 octets.
  static func read(
    _ bytes: UnsafeRawBufferPointer, at offset: Int
  ) throws(WireError) -> (String, Int) {
    var text: [UInt8] = []
    var pos = offset
    var end: Int?
    var wireLength = 0
    // Every pointer must go to an offset before the smallest one seen so far: that bounds
    // the walk and rejects loops, as a strict reader must.
    var lowest = offset
    while true {
      guard pos < bytes.count else { throw .truncated }
      let len = Int(bytes[pos])
      switch len & 0xC0 {
      case 0x00:
        if len == 0 {
          wireLength += 1
          guard wireLength <= maxLength else { throw .nameTooLong }
          if end == nil { end = pos + 1 }
          if text.isEmpty { text.append(UInt8(ascii: ".")) }
          return (String(decoding: text, as: UTF8.self), end ?? pos + 1)
        }
        guard pos + 1 + len <= bytes.count else { throw .truncated }
        wireLength += len + 1
        guard wireLength <= maxLength else { throw .nameTooLong }
        for i in 0..<len { appendEscaped(bytes[pos + 1 + i], to: &text) }
        text.append(UInt8(ascii: "."))
        pos += 1 + len
      case 0xC0:
        guard pos + 1 < bytes.count else { throw .truncated }
        let target = (len & 0x3F) << 8 | Int(bytes[pos + 1])
        guard target < lowest else { throw .badPointer }
        if end == nil { end = pos + 2 }
        lowest = target
        pos = target
      default:
        throw .badLabelType
      }
    }
  }

  /// Presentation escapes as dig prints them (a space as `\\032`).
  private static func appendEscaped(_ b: UInt8, to text: inout [UInt8]) {
    switch b {
    case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "("),
      UInt8(ascii: ")"), UInt8(ascii: ";"), UInt8(ascii: "@"),
      UInt8(ascii: "$"):
      text.append(UInt8(ascii: "\\"))
      text.append(b)
    case 0x21...0x7E:
      text.append(b)
    default:
      text.append(UInt8(ascii: "\\"))
      let d = [b / 100, (b / 10) % 10, b % 10]
      for x in d { text.append(UInt8(ascii: "0") + x) }
    }
  }

  /// The labels of a presentation name, unescaped; nil when the text is not a valid name
  /// (an empty label, a label over 63 octets, more than 255 octets in wire form).
  static func labels(_ name: String) -> [[UInt8]]? {
    if name == "." || name.isEmpty { return name.isEmpty ? nil : [] }
    var out: [[UInt8]] = []
    var label: [UInt8] = []
    let b = Array(name.utf8)
    var i = 0
    var endedWithDot = false
    while i < b.count {
      let c = b[i]
      endedWithDot = false
      if c == UInt8(ascii: "\\") {
        guard i + 1 < b.count else { return nil }
        let n = b[i + 1]
        if n >= UInt8(ascii: "0") && n <= UInt8(ascii: "9") {
          guard i + 3 < b.count else { return nil }
          var v = 0
          for k in 1...3 {
            let d = b[i + k]
            guard d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int(d - UInt8(ascii: "0"))
          }
          guard v <= 255 else { return nil }
          label.append(UInt8(v))
          i += 4
        } else {
          label.append(n)
          i += 2
        }
      } else if c == UInt8(ascii: ".") {
        guard !label.isEmpty, label.count <= 63 else { return nil }
        out.append(label)
        label = []
        i += 1
        endedWithDot = true
      } else {
        label.append(c)
        i += 1
      }
    }
    if !endedWithDot {
      guard !label.isEmpty, label.count <= 63 else { return nil }
      out.append(label)
    }
    let wire = out.reduce(1) { $0 + $1.count + 1 }
    return wire <= maxLength ? out : nil
  }
}

/// Why a message could not be read.
public enum WireError: Error, Hashable, Sendable {
  case truncated
  case badPointer
  case badLabelType
  case nameTooLong
  case badName(String)
  case badData(String)
}
