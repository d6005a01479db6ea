import Testing

@testable import Lab

/// The limits every manifest document is held to before Yams composes it: depth (aliases
/// counted where used) and go-yaml's alias-expansion rule.
@Suite struct ManifestLimitTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let id: String
    let text: String
    /// A part of the error message, or nil when the text is accepted.
    let error: String?
    var testDescription: String { id }
  }

  static func flow(_ n: Int) -> String {
    String(repeating: "[", count: n) + String(repeating: "]", count: n)
  }

  static func laughs(levels: Int, fanout: Int) -> String {
    var lines = ["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
    var previous = "a"
    for level in 0..<levels {
      let name = "l\(level)"
      lines.append(
        "\(name): &\(name) ["
          + Array(repeating: "*\(previous)", count: fanout).joined(separator: ",") + "]")
      previous = name
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// `a: &a` nested `n` mappings deep, then `b:` holding the alias under `m` more levels.
  static func aliasDepth(anchored n: Int, usedAt m: Int) -> String {
    var anchored = "x"
    for _ in 0..<n { anchored = "{k: \(anchored)}" }
    var used = "*a"
    for _ in 0..<m { used = "[\(used)]" }
    return "a: &a \(anchored)\nb: \(used)\n"
  }

  static let cases: [Case] = [
    Case(
      id: "an ordinary manifest",
      text: "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports:\n  - port: 80\n",
      error: nil),
    Case(id: "200 nested flow sequences", text: "x: " + flow(199) + "\n", error: nil),
    Case(
      id: "201 nested flow sequences", text: "x: " + flow(200) + "\n",
      error: "yaml: line 1: nested too deeply (limit 200)"),
    Case(
      id: "100,000 nested flow sequences", text: "x: " + flow(100_000) + "\n",
      error: "yaml: line 1: nested too deeply (limit 200)"),
    Case(
      id: "JSON nested 100,000 deep", text: "{\"a\": " + flow(100_000) + "}",
      error: "nested too deeply (limit 200)"),
    Case(
      id: "block sequences nested 300 deep", text: String(repeating: "- ", count: 300) + "x\n",
      error: "nested too deeply (limit 200)"),
    Case(id: "a few aliases", text: "base: &b {app: web}\nx: *b\ny: *b\nz: [*b, *b]\n", error: nil),
    Case(
      id: "billion laughs (9 levels of 9)", text: laughs(levels: 8, fanout: 9),
      error: "document contains excessive aliasing"),
    Case(id: "small expansion (3 levels of 3)", text: laughs(levels: 3, fanout: 3), error: nil),
    Case(
      id: "an alias deepens the document past the limit",
      text: aliasDepth(anchored: 150, usedAt: 100),
      error: "yaml: line 2: nested too deeply (limit 200)"),
    Case(
      id: "an alias keeps within the limit", text: aliasDepth(anchored: 100, usedAt: 50), error: nil
    ),
    Case(id: "a syntax error is Yams's to report", text: "a: [b\n", error: "yaml: line"),
  ]

  @Test(arguments: cases) func limits(_ c: Case) throws {
    if let expected = c.error {
      let error = #expect(throws: ManifestError.self) {
        _ = try YAMLReader.documents(c.text, source: nil, firstIndex: 1)
      }
      #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error")")
    } else {
      _ = try YAMLReader.documents(c.text, source: nil, firstIndex: 1)
    }
  }

  @Test func theAliasBudgetCoversTheWholeCall() throws {
    // Each text alone stays within go-yaml's rule; together they do not.
    let text =
      Self.laughs(levels: 4, fanout: 9) + "pad: ["
      + Array(repeating: "p", count: 1_500).joined(separator: ",") + "]\n"
    var tally = YAMLGuard.Tally()
    var refused = false
    for i in 0..<100 {
      do {
        _ = try YAMLReader.documents(text, source: "f\(i).yaml", firstIndex: 1, tally: &tally)
      } catch let error as ManifestError {
        refused = error.message.contains("excessive aliasing")
        break
      }
    }
    #expect(refused)
  }

  @Test(arguments: [
    (100, 1, false), (50_000, 2_000, false), (4_000, 300_000, false), (2_000, 500_000, true),
    (200_000, 4_000_000, true),
  ])
  func goYamlRule(_ real: Int, _ aliased: Int, _ refused: Bool) {
    #expect(YAMLGuard.excessiveAliasing(aliasNodes: aliased, decoded: real + aliased) == refused)
  }
}
