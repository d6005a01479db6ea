/// Reads JSON text — `kubectl get … -o json`, hundreds of megabytes of it — byte by byte into
/// ``YAMLValue``s, with Go's `encoding/json` grammar and error words. Two things make a large
/// dump cheap: the values of keys no reader looks at (``Plan``: `metadata.managedFields`,
/// container statuses) are checked as JSON but never built, and a `v1/List`'s items can be
/// handed over one at a time (``document(plan:item:)``) instead of as one tree.
struct JSONReader {
  /// Why the text was refused; `offset` is the byte the problem was found at (-1: the end).
  enum Failure: Error, Equatable {
    case syntax(offset: Int, message: String)
    /// A string holds bytes that are not UTF-8.
    case notUTF8
  }

  /// Which values of an object are not built: `skip` names keys whose values no reader
  /// reads, `keys` the plans of nested objects, `elements` the plan of an array's items.
  /// Values without a plan are built whole. Keys are matched as bytes, before any string
  /// is made of them: a plan is small, and a linear search beats hashing.
  final class Plan: Sendable {
    private let skip: [[UInt8]]
    private let keys: [(key: [UInt8], plan: Plan)]
    let elements: Plan?

    init(skip: [String] = [], keys: [(key: String, plan: Plan)] = [], elements: Plan? = nil) {
      self.skip = skip.map { Array($0.utf8) }
      self.keys = keys.map { (Array($0.key.utf8), $0.plan) }
      self.elements = elements
    }

    func skips(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
      skip.contains { $0.elementsEqual(key) }
    }

    /// The plan of a key's value.
    func plan(_ key: UnsafeBufferPointer<UInt8>) -> Plan? {
      keys.first { $0.key.elementsEqual(key) }?.plan
    }

    func plan(_ key: String) -> Plan? { keys.first { $0.key.elementsEqual(key.utf8) }?.plan }
  }

  /// Collections nest at most this deep, as every manifest does (``YAMLGuard/maxDepth``).
  static let maxDepth = YAMLGuard.maxDepth

  private let bytes: UnsafeBufferPointer<UInt8>
  private var i = 0
  private var depth = 0
  /// Holds the bytes of a string with escapes while it is decoded.
  private var scratch: [UInt8] = []
  /// The keys and values of the objects and arrays being read, innermost last: each
  /// collection becomes arrays of exactly its size once it closes.
  private var keyStack: [String] = []
  private var valueStack: [YAMLValue] = []
  /// Whether ``document(plan:item:)`` has handed over an `items` array.
  private var streamed = false

  init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  /// The whole text as one value.
  mutating func value(plan: Plan? = nil) throws(Failure) -> YAMLValue {
    restart()
    let v = try value(plan)
    try end()
    return v
  }

  /// The text as a document whose top-level array — or top-level object's `items` array —
  /// is handed to `item` one element at a time rather than kept. Returns the document with
  /// those arrays left out, and whether it held such an array (the caller decides, from
  /// the rest of the document, whether it was a list).
  mutating func document(
    plan: Plan, item: (YAMLValue) throws(Failure) -> Void
  ) throws(Failure) -> (rest: YAMLValue, streamed: Bool) {
    restart()
    skipSpace()
    let rest: YAMLValue
    switch peek() {
    case UInt8(ascii: "["):
      try array(plan.elements, streaming: true, item: item)
      rest = .list([])
      streamed = true
    case UInt8(ascii: "{"): rest = try object(plan, streaming: true, item: item)
    default: rest = try value(plan)
    }
    try end()
    return (rest, streamed)
  }

  /// The message of the one document shape ``document(plan:item:)`` does not stream.
  static let repeatedItems = "the key \"items\" appears twice"

  private mutating func restart() {
    i = 0
    depth = 0
    streamed = false
    keyStack.removeAll(keepingCapacity: true)
    valueStack.removeAll(keepingCapacity: true)
  }

  // MARK: - Values

  private mutating func value(_ plan: Plan?) throws(Failure) -> YAMLValue {
    skipSpace()
    switch peek() {
    case UInt8(ascii: "{"): return try object(plan, streaming: false) { _ throws(Failure) in }
    case UInt8(ascii: "["):
      let base = valueStack.count
      try array(plan?.elements, streaming: false) { _ throws(Failure) in }
      let items = Array(valueStack[base...])
      valueStack.removeSubrange(base...)
      return .list(items)
    case UInt8(ascii: "\""): return .string(try string())
    default: return try scalar()
    }
  }

  /// An object; when `streaming`, the elements of its `items` array go to `item` instead.
  private mutating func object(
    _ plan: Plan?, streaming: Bool, item: (YAMLValue) throws(Failure) -> Void
  ) throws(Failure) -> YAMLValue {
    let base = keyStack.count
    guard try begin(UInt8(ascii: "}")) else { return .map(YAMLMap()) }
    repeat {
      let key = try memberKey()
      if let plan, key.withBytes({ plan.skips($0) }) {
        try skipValue()
      } else if streaming, key.withBytes({ $0.elementsEqual("items".utf8) }),
        peekValue() == UInt8(ascii: "[")
      {
        // A second `items` array would replace the first: not one this reader streams.
        guard !streamed else { throw .syntax(offset: i, message: JSONReader.repeatedItems) }
        try array(plan?.plan("items")?.elements, streaming: true, item: item)
        streamed = true
      } else {
        let v = try value(plan.flatMap { p in key.withBytes { p.plan($0) } })
        keyStack.append(key.string)
        valueStack.append(v)
      }
    } while try next(UInt8(ascii: "}"))
    return .map(map(from: base))
  }

  /// The mapping of the pairs pushed since `base`, popped. A repeated key keeps its first
  /// place and its last value, as Go's decoder keeps the last.
  private mutating func map(from base: Int) -> YAMLMap {
    let keys = Array(keyStack[base...])
    let values = Array(valueStack[(valueStack.count - keys.count)...])
    keyStack.removeSubrange(base...)
    valueStack.removeSubrange((valueStack.count - keys.count)...)
    if keys.count < 2 || (keys.count <= 32 && !YAMLMap.hasRepeats(keys)) {
      return YAMLMap(uniqueKeys: keys, values: values)
    }
    var m = YAMLMap()
    for (k, v) in zip(keys, values) { m[k] = v }
    return m
  }

  /// An array whose elements are pushed on the value stack or, when `streaming`, handed to
  /// `item` as they are read.
  private mutating func array(
    _ plan: Plan?, streaming: Bool, item: (YAMLValue) throws(Failure) -> Void
  ) throws(Failure) {
    guard try begin(UInt8(ascii: "]")) else { return }
    repeat {
      let v = try value(plan)
      if streaming { try item(v) } else { valueStack.append(v) }
    } while try next(UInt8(ascii: "]"))
  }

  /// `true`, `false`, `null` or a number.
  private mutating func scalar() throws(Failure) -> YAMLValue {
    switch peek() {
    case UInt8(ascii: "t"):
      try literal("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try literal("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try literal("null")
      return .null
    default:
      return try number()
    }
  }

  // MARK: - Skipping

  /// Checks one value's syntax, building nothing.
  private mutating func skipValue() throws(Failure) {
    skipSpace()
    switch peek() {
    case UInt8(ascii: "{"):
      guard try begin(UInt8(ascii: "}")) else { return }
      repeat {
        _ = try memberKey()
        try skipValue()
      } while try next(UInt8(ascii: "}"))
    case UInt8(ascii: "["):
      guard try begin(UInt8(ascii: "]")) else { return }
      repeat { try skipValue() } while try next(UInt8(ascii: "]"))
    case UInt8(ascii: "\""): _ = try rawString()
    default: _ = try scalar()
    }
  }

  // MARK: - Punctuation

  /// Opens an object or array (at its first byte); false when it is empty and closed again.
  private mutating func begin(_ close: UInt8) throws(Failure) -> Bool {
    depth += 1
    guard depth <= JSONReader.maxDepth else {
      throw .syntax(offset: i, message: "nested too deeply (limit \(JSONReader.maxDepth))")
    }
    i += 1
    skipSpace()
    guard peek() == close else { return true }
    depth -= 1
    i += 1
    return false
  }

  /// An object member's key and the colon after it.
  private mutating func memberKey() throws(Failure) -> RawString {
    skipSpace()
    guard peek() == UInt8(ascii: "\"") else {
      throw unexpected("looking for beginning of object key string")
    }
    let key = try rawString()
    skipSpace()
    guard peek() == UInt8(ascii: ":") else { throw unexpected("after object key") }
    i += 1
    return key
  }

  /// Past the comma after a member or element: true; past the closing byte: false.
  private mutating func next(_ close: UInt8) throws(Failure) -> Bool {
    skipSpace()
    switch peek() {
    case UInt8(ascii: ","):
      i += 1
      return true
    case close:
      depth -= 1
      i += 1
      return false
    default:
      throw unexpected(
        close == UInt8(ascii: "}") ? "after object key:value pair" : "after array element")
    }
  }

  // MARK: - Strings

  /// A string literal as it was read: where its bytes are when it has no escape (checked to
  /// be UTF-8), else its decoded text.
  private struct RawString {
    let bytes: UnsafeBufferPointer<UInt8>
    let ascii: Bool
    let decoded: String?

    /// Calls `body` with the string's UTF-8 bytes.
    func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
      guard var decoded else { return body(bytes) }
      return decoded.withUTF8(body)
    }

    var string: String {
      if let decoded { return decoded }
      if ascii { return String(decoding: bytes, as: UTF8.self) }
      // Checked when read.
      return String(validating: bytes, as: UTF8.self) ?? ""
    }
  }

  private mutating func string() throws(Failure) -> String { try rawString().string }

  /// A string literal (at its opening quote).
  private mutating func rawString() throws(Failure) -> RawString {
    i += 1
    let start = i
    var high: UInt8 = 0
    while true {
      skipPlainBytes()
      guard i < bytes.count else { throw JSONReader.endOfInput }
      let c = bytes[i]
      if c == UInt8(ascii: "\"") {
        let text = UnsafeBufferPointer(rebasing: bytes[start..<i])
        i += 1
        if high >= 0x80, String(validating: text, as: UTF8.self) == nil { throw .notUTF8 }
        return RawString(bytes: text, ascii: high < 0x80, decoded: nil)
      }
      if c == UInt8(ascii: "\\") {
        return RawString(
          bytes: UnsafeBufferPointer(start: nil, count: 0), ascii: false,
          decoded: try escaped(from: start))
      }
      if c < 0x20 { throw unexpected("in string literal") }
      high |= c
      i += 1
    }
  }

  /// Moves to the next byte of a string that needs a look — a quote, a backslash, a control
  /// character or a byte past ASCII — eight bytes at a time (or to the last few bytes).
  private mutating func skipPlainBytes() {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    while i + 8 <= bytes.count {
      let w = word(at: i)
      let quote = w ^ (ones &* 0x22)
      let backslash = w ^ (ones &* 0x5C)
      // The top bit of each byte that is zero in `quote` or `backslash`, below 0x20, or past
      // ASCII; a borrow can mark bytes after the first such byte, never before it.
      let marks =
        (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | (w &- ones &* 0x20)
          | w) & highs
      guard marks == 0 else {
        i += marks.trailingZeroBitCount >> 3
        return
      }
      i += 8
    }
  }

  /// The rest of a string that holds escapes: `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`
  /// and `\uXXXX` (UTF-16, a lone surrogate read as U+FFFD, as Go does).
  private mutating func escaped(from start: Int) throws(Failure) -> String {
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: bytes[start..<i])
    while i < bytes.count {
      let c = bytes[i]
      switch c {
      case UInt8(ascii: "\""):
        i += 1
        guard let s = String(validating: scratch, as: UTF8.self) else { throw .notUTF8 }
        return s
      case UInt8(ascii: "\\"):
        i += 1
        guard i < bytes.count else { throw JSONReader.endOfInput }
        let e = bytes[i]
        i += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(e)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"): appendUTF8(try codePoint())
        default:
          i -= 1
          throw unexpected("in string escape code")
        }
      default:
        if c < 0x20 { throw unexpected("in string literal") }
        scratch.append(c)
        i += 1
      }
    }
    throw JSONReader.endOfInput
  }

  /// The character of a `\u` escape (after the `u`), a surrogate pair taken together.
  private mutating func codePoint() throws(Failure) -> UInt32 {
    let first = try hex4()
    guard (0xD800..<0xDC00).contains(first) else {
      return (0xDC00..<0xE000).contains(first) ? 0xFFFD : first
    }
    // A high surrogate: the pair's low half must follow as another escape.
    let mark = i
    if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
      i += 2
      let second = try hex4()
      if (0xDC00..<0xE000).contains(second) {
        return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
      }
    }
    i = mark
    return 0xFFFD
  }

  private mutating func hex4() throws(Failure) -> UInt32 {
    var v: UInt32 = 0
    for _ in 0..<4 {
      guard i < bytes.count else { throw JSONReader.endOfInput }
      let c = bytes[i]
      let digit: UInt8
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
      default: throw unexpected("in \\u hexadecimal character escape")
      }
      v = v << 4 | UInt32(digit)
      i += 1
    }
    return v
  }

  private mutating func appendUTF8(_ v: UInt32) {
    switch v {
    case ..<0x80: scratch.append(UInt8(v))
    case ..<0x800:
      scratch += [UInt8(0xC0 | v >> 6), UInt8(0x80 | v & 0x3F)]
    case ..<0x10000:
      scratch += [UInt8(0xE0 | v >> 12), UInt8(0x80 | v >> 6 & 0x3F), UInt8(0x80 | v & 0x3F)]
    default:
      scratch += [
        UInt8(0xF0 | v >> 18), UInt8(0x80 | v >> 12 & 0x3F), UInt8(0x80 | v >> 6 & 0x3F),
        UInt8(0x80 | v & 0x3F),
      ]
    }
  }

  // MARK: - Numbers and literals

  /// A number in JSON's grammar: one whose value is a whole number that fits in 64 bits
  /// (`80`, `80.0`, `8e1`) is an `.int`, any other a `.double`, as Foundation's decoder —
  /// the import's earlier one — gave them.
  private mutating func number() throws(Failure) -> YAMLValue {
    let start = i
    var integral = true
    let negative = peek() == UInt8(ascii: "-")
    if negative { i += 1 }
    guard let first = peekDigit() else {
      throw unexpected(i == start ? "looking for beginning of value" : "in numeric literal")
    }
    i += 1
    var n = Int(first)
    if first != 0 {
      while let d = peekDigit() {
        // 18 digits always fit; a longer number goes through the parse below.
        n = i - start < 18 ? n &* 10 &+ Int(d) : -1
        i += 1
      }
    }
    if peek() == UInt8(ascii: ".") {
      integral = false
      i += 1
      guard peekDigit() != nil else { throw unexpected("after decimal point in numeric literal") }
      while peekDigit() != nil { i += 1 }
    }
    if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
      integral = false
      i += 1
      if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { i += 1 }
      guard peekDigit() != nil else { throw unexpected("in exponent of numeric literal") }
      while peekDigit() != nil { i += 1 }
    }
    if integral, n >= 0 { return .int(negative ? -n : n) }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    if integral, let n = Int(text) { return .int(n) }
    let d = Double(text) ?? .infinity
    if let n = Int(exactly: d) { return .int(n) }
    return .double(d)
  }

  private mutating func literal(_ word: StaticString) throws(Failure) {
    let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
    for c in w {
      guard i < bytes.count else { throw JSONReader.endOfInput }
      guard bytes[i] == c else {
        throw unexpected("in literal \(word) (expecting \(JSONReader.quote(c)))")
      }
      i += 1
    }
  }

  // MARK: - Scanning

  private func peek() -> UInt8 { i < bytes.count ? bytes[i] : 0 }

  private func peekDigit() -> UInt8? {
    let c = peek() &- UInt8(ascii: "0")
    return c < 10 ? c : nil
  }

  /// The first byte of the next value, past the spaces before it.
  private mutating func peekValue() -> UInt8 {
    skipSpace()
    return peek()
  }

  /// Eight bytes from `at` as one little-endian word.
  private func word(at: Int) -> UInt64 {
    UInt64(
      littleEndian: UnsafeRawPointer(bytes.baseAddress.unsafelyUnwrapped + at).loadUnaligned(
        as: UInt64.self))
  }

  private mutating func skipSpace() {
    let spaces: UInt64 = 0x2020_2020_2020_2020
    while i < bytes.count {
      switch bytes[i] {
      case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
        i += 1
        // Indentation: eight spaces at a time.
        while i + 8 <= bytes.count {
          let other = word(at: i) ^ spaces
          guard other == 0 else {
            i += other.trailingZeroBitCount >> 3
            break
          }
          i += 8
        }
      default: return
      }
    }
  }

  /// Only spaces may follow the value.
  private mutating func end() throws(Failure) {
    skipSpace()
    guard i == bytes.count else { throw unexpected("after top-level value") }
  }

  // MARK: - Errors

  private static let endOfInput = Failure.syntax(
    offset: -1, message: "unexpected end of JSON input")

  /// `invalid character 'x' <context>`, Go's words for the byte at the current offset.
  private func unexpected(_ context: String) -> Failure {
    guard i < bytes.count else { return JSONReader.endOfInput }
    return .syntax(
      offset: i, message: "invalid character \(JSONReader.quote(bytes[i])) \(context)")
  }

  /// A byte as Go's scanner quotes it: `'x'`, `'\''`, `'"'`, `'\n'`, `'\x01'`.
  private static func quote(_ c: UInt8) -> String {
    switch c {
    case UInt8(ascii: "'"): return "'\\''"
    case UInt8(ascii: "\""): return "'\"'"
    case UInt8(ascii: "\n"): return "'\\n'"
    case UInt8(ascii: "\t"): return "'\\t'"
    case UInt8(ascii: "\r"): return "'\\r'"
    case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(c)))'"
    case 0x80...: return "'\\u00\(String(c, radix: 16))'"
    default: return "'\\x" + (c < 0x10 ? "0" : "") + "\(String(c, radix: 16))'"
    }
  }
}
