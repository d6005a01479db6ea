import Testing

@testable import LuaKit

@Suite struct TextWrapTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var text: String
    var width: Int
    var first = ""
    var indent = ""
    var want: [String]
    var testDescription: String { "\(text.prefix(20))… at \(width)" }
  }

  static let cases: [Case] = [
    Case(text: "a b c", width: 80, want: ["a b c"]),
    Case(text: "one two three", width: 7, want: ["one two", "three"]),
    Case(text: "one two three", width: 8, want: ["one two", "three"]),
    // A word longer than the line stays whole on its own line.
    Case(text: "a localhostNodePorts b", width: 10, want: ["a", "localhostNodePorts", "b"]),
    Case(
      text: "summary of a primitive", width: 20, first: "f(x)  ", indent: "      ",
      want: ["f(x)  summary of a", "      primitive"]),
    Case(text: "  spaces   between  ", width: 80, want: ["spaces between"]),
  ]

  @Test(arguments: cases) func wrapsBetweenWords(_ c: Case) {
    #expect(TextWrap.wrap(c.text, width: c.width, first: c.first, indent: c.indent) == c.want)
  }

  @Test func wrapLinesKeepsIndentationAndBlankLines() {
    let text = "para one two\n\n  - item with words\n  code"
    #expect(
      TextWrap.wrapLines(text, width: 12) == [
        "para one two", "", "  - item", "    with", "    words", "  code",
      ])
  }

  @Test func helpIndexFitsTheWidthAndKeepsEveryWord() throws {
    let state = try LuaState()
    try state.register(
      "someFunction",
      help: HelpEntry(
        usage: "someFunction(name, opts)",
        summary:
          "a summary long enough to need more than one line at "
          + "sixty columns, with localhostNodePorts in it"
      )
    ) { _ in 0 }
    for width in [40, 60, 80] {
      let index = state.helpIndex(width: width)
      let lines = index.split(separator: "\n").map(String.init)
      #expect(lines.allSatisfy { $0.count <= width }, "\(width): \(lines)")
      let words = index.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
      #expect(words.contains("localhostNodePorts"))
      #expect(lines.first { $0.hasPrefix("someFunction(name, opts)") } != nil)
    }
  }
}
