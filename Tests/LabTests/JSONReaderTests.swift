import Foundation
import Testing

@testable import Lab

/// `JSONReader`, the reader of `importCluster`'s `-o json` dumps: values as JSON's grammar
/// gives them, syntax errors in Go's `encoding/json` words, the manifest depth limit, the
/// subtrees a plan skips (checked, not built) and a List's items handed over one by one.
@Suite struct JSONReaderTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let id: String
    let text: String
    /// The value read, as the JSON it prints (keys in document order), or the error.
    let expected: String
    var testDescription: String { id }
  }

  static let values: [Case] = [
    Case(
      id: "an object keeps its key order", text: #"{"b": 1, "a": [true, null]}"#,
      expected: #"{"b":1,"a":[true,null]}"#),
    Case(
      id: "numbers: whole ones that fit as ints, the rest as doubles",
      text: "[0, -7, 2.5, -1e3, 1E+2, 8080.0, 12345678901234567890, 9223372036854775807, -0.5]",
      expected: "[0,-7,2.5,-1000,100,8080,1.2345678901234567e+19,9223372036854775807,-0.5]"),
    Case(
      id: "escapes", text: #"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20ac", "\ud83d\ude00"]"#,
      expected: "[\"a\\\"b\\\\c/d\\u0008\\u000c\\n\\r\\t\",\"é€\",\"😀\"]"),
    Case(
      id: "a lone surrogate reads as U+FFFD, as Go reads it", text: #"["\ud800x", "\udc00"]"#,
      expected: "[\"\u{FFFD}x\",\"\u{FFFD}\"]"),
    Case(id: "UTF-8 text as it is", text: "[\"né 😀\"]", expected: "[\"né 😀\"]"),
    Case(
      id: "a repeated key keeps its first place and its last value",
      text: #"{"a": 1, "b": 2, "a": 3}"#, expected: #"{"a":3,"b":2}"#),
    Case(
      id: "empty collections and spaces", text: " \t\r\n{ \"a\" : { } , \"b\" : [ ] }\n",
      expected: #"{"a":{},"b":[]}"#),
    Case(
      id: "a mapping of many keys",
      text: "{" + (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ") + "}",
      expected: "{" + (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"),
    Case(id: "200 nested arrays", text: flow(200), expected: flow(200)),
  ]

  static let errors: [Case] = [
    Case(
      id: "201 nested arrays", text: flow(201),
      expected: "offset 200: nested too deeply (limit 200)"),
    Case(
      id: "100,000 nested arrays", text: flow(100_000),
      expected: "offset 200: nested too deeply (limit 200)"),
    Case(
      id: "a missing colon", text: #"{"a" 1}"#,
      expected: "offset 5: invalid character '1' after object key"),
    Case(
      id: "a trailing comma in an object", text: #"{"a": 1,}"#,
      expected: "offset 8: invalid character '}' looking for beginning of object key string"),
    Case(
      id: "a trailing comma in an array", text: "[1,]",
      expected: "offset 3: invalid character ']' looking for beginning of value"),
    Case(
      id: "a missing comma", text: "[1 2]",
      expected: "offset 3: invalid character '2' after array element"),
    Case(
      id: "an unclosed object", text: #"{"nodes": [{"id":"1"]}"#,
      expected: "offset 20: invalid character ']' after object key:value pair"),
    Case(
      id: "an unquoted key", text: "{id: 1}",
      expected: "offset 1: invalid character 'i' looking for beginning of object key string"),
    Case(
      id: "a bad literal", text: "[trux]",
      expected: "offset 4: invalid character 'x' in literal true (expecting 'e')"),
    Case(
      id: "a leading zero", text: "01",
      expected: "offset 1: invalid character '1' after top-level value"),
    Case(
      id: "a bare minus", text: "[-]",
      expected: "offset 2: invalid character ']' in numeric literal"),
    Case(
      id: "no digit after the point", text: "[1.x]",
      expected: "offset 3: invalid character 'x' after decimal point in numeric literal"),
    Case(
      id: "no digit in the exponent", text: "[1e]",
      expected: "offset 3: invalid character ']' in exponent of numeric literal"),
    Case(
      id: "an unknown escape", text: #"["\q"]"#,
      expected: "offset 3: invalid character 'q' in string escape code"),
    Case(
      id: "a bad \\u escape", text: #"["\u12x4"]"#,
      expected: "offset 6: invalid character 'x' in \\u hexadecimal character escape"),
    Case(
      id: "a newline in a string", text: "[\"a\nb\"]",
      expected: "offset 3: invalid character '\\n' in string literal"),
    Case(
      id: "a quote where a value goes", text: "{\"a\": '1'}",
      expected: "offset 6: invalid character '\\'' looking for beginning of value"),
    Case(
      id: "an unterminated string", text: #"{"a": "b"#,
      expected: "end: unexpected end of JSON input"),
    Case(
      id: "the end inside an array", text: "[1, 2", expected: "end: unexpected end of JSON input"),
    Case(id: "nothing at all", text: "  ", expected: "end: unexpected end of JSON input"),
    Case(
      id: "two values", text: "{} {}",
      expected: "offset 3: invalid character '{' after top-level value"),
  ]

  static func flow(_ n: Int) -> String {
    String(repeating: "[", count: n) + String(repeating: "]", count: n)
  }

  /// The value of `text`, as compact JSON, or its error as `offset N: message`.
  static func read(_ text: String, plan: JSONReader.Plan? = nil) -> String {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBufferPointer { b in
      var reader = JSONReader(UnsafeBufferPointer(b))
      do throws(JSONReader.Failure) {
        return json(try reader.value(plan: plan))
      } catch {
        return describe(error)
      }
    }
  }

  static func describe(_ f: JSONReader.Failure) -> String {
    switch f {
    case .notUTF8: return "not UTF-8"
    case .syntax(let offset, let message):
      return (offset < 0 ? "end" : "offset \(offset)") + ": " + message
    }
  }

  /// A value as compact JSON, keys in their order (`JSONText` sorts them).
  static func json(_ v: YAMLValue) -> String {
    switch v {
    case .null: return "null"
    case .bool(let b): return "\(b)"
    case .int(let n): return "\(n)"
    case .double(let d): return "\(d)"
    case .string(let s): return JSONText.quote(s)
    case .list(let items): return "[" + items.map(json).joined(separator: ",") + "]"
    case .map(let m):
      let pairs = m.pairs.map { JSONText.quote($0.0) + ":" + json($0.1) }
      return "{" + pairs.joined(separator: ",") + "}"
    }
  }

  @Test(arguments: values + errors) func reads(_ c: Case) {
    #expect(Self.read(c.text) == c.expected)
  }

  @Test func bytesThatAreNotUTF8AreRefused() {
    for bytes: [UInt8] in [
      [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
    ] {
      var copy = bytes
      let result = copy.withUnsafeMutableBufferPointer { b in
        var reader = JSONReader(UnsafeBufferPointer(b))
        do throws(JSONReader.Failure) {
          return Self.json(try reader.value())
        } catch {
          return Self.describe(error)
        }
      }
      #expect(result == "not UTF-8", "\(bytes)")
    }
  }

  static let plan = JSONReader.Plan(keys: [
    ("metadata", JSONReader.Plan(skip: ["managedFields"])),
    (
      "spec",
      JSONReader.Plan(keys: [
        ("containers", JSONReader.Plan(elements: JSONReader.Plan(skip: ["env"])))
      ])
    ),
  ])

  @Test func aPlanLeavesOutWhatNoReaderReadsAndStillChecksIt() {
    let text = """
      {"metadata": {"name": "a", "managedFields": [{"x": {"y": [1, 2]}}]},
       "spec": {"containers": [{"name": "c", "env": [{"name": "E"}]}], "env": 1},
       "managedFields": 2}
      """
    #expect(
      Self.read(text, plan: Self.plan)
        == #"{"metadata":{"name":"a"},"spec":{"containers":[{"name":"c"}],"env":1},"#
        + #""managedFields":2}"#
    )
    // Left out, but not unread: a syntax error, a deep nest or a bad byte there still counts.
    #expect(
      Self.read(#"{"metadata": {"managedFields": [1 2]}}"#, plan: Self.plan)
        == "offset 34: invalid character '2' after array element")
    #expect(
      Self.read(#"{"metadata": {"managedFields": "# + Self.flow(199) + "}}", plan: Self.plan)
        == "offset 229: nested too deeply (limit 200)")
  }

  /// A List (or an array) of objects read with ``plan``.
  static let documentPlan = JSONReader.Plan(
    keys: [("items", JSONReader.Plan(elements: plan))], elements: plan)

  /// What `document` hands over, and what it returns.
  static func stream(_ text: String) -> (items: [String], rest: String, streamed: Bool) {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBufferPointer { b in
      var reader = JSONReader(UnsafeBufferPointer(b))
      var items: [String] = []
      do throws(JSONReader.Failure) {
        let (rest, streamed) = try reader.document(plan: documentPlan) {
          (v: YAMLValue) throws(JSONReader.Failure) in items.append(json(v))
        }
        return (items, json(rest), streamed)
      } catch {
        return (items, describe(error), false)
      }
    }
  }

  @Test func aListsItemsAreHandedOverOneByOne() {
    let list = Self.stream(
      #"{"apiVersion": "v1", "items": [{"metadata": {"name": "a", "managedFields": []}}, 2], "#
        + #""kind": "List"}"#
    )
    #expect(list.items == [#"{"metadata":{"name":"a"}}"#, "2"])
    #expect(list.rest == #"{"apiVersion":"v1","kind":"List"}"#)
    #expect(list.streamed)
    let array = Self.stream("[1, [2], {}]")
    #expect(array.items == ["1", "[2]", "{}"] && array.streamed)
    let object = Self.stream(#"{"kind": "Pod", "items": 3}"#)
    #expect(object.items.isEmpty && object.rest == #"{"kind":"Pod","items":3}"# && !object.streamed)
    // Nested items are not the document's.
    let nested = Self.stream(#"{"spec": {"items": [1]}}"#)
    #expect(nested.items.isEmpty && nested.rest == #"{"spec":{"items":[1]}}"#)
    let twice = Self.stream(#"{"items": [1], "items": [2]}"#)
    #expect(twice.rest.hasSuffix(JSONReader.repeatedItems))
  }

  /// Foundation's reader and this one agree on a whole dump (the fixture kubectl's `-o json`
  /// layout, read without a plan).
  @Test func agreesWithFoundationOnTheFixture() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("fixtures/kind-cluster-dump.json")
    let data = try Data(contentsOf: url)
    let mine = try data.withUnsafeBytes { raw throws(JSONReader.Failure) in
      var reader = JSONReader(raw.bindMemory(to: UInt8.self))
      return try reader.value()
    }
    let theirs = Self.value(try JSONSerialization.jsonObject(with: data))
    #expect(mine == theirs)
  }

  static func value(_ any: Any) -> YAMLValue {
    switch any {
    case is NSNull: return .null
    case let s as String: return .string(s)
    case let n as NSNumber:
      if String(cString: n.objCType) == "c" { return .bool(n.boolValue) }
      if let i = Int(exactly: n), !"\(n)".contains(".") { return .int(i) }
      return .double(n.doubleValue)
    case let a as [Any]: return .list(a.map(value))
    case let d as [String: Any]:
      var m = YAMLMap()
      for (k, v) in d { m[k] = value(v) }
      return .map(m)
    default: return .string("\(any)")
    }
  }
}
