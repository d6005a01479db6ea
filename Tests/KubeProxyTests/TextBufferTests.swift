import NetAddr
import Testing

@testable import KubeProxy

/// One value appended to a text buffer and the text it must give (`String(describing:)`'s).
struct TextBufferCase: CustomTestStringConvertible, Sendable {
  let id: String
  let write: @Sendable (inout TextBuffer) -> Void
  let expected: String
  var testDescription: String { id }
}

@Suite struct TextBufferTests {
  static let cases: [TextBufferCase] = [
    .init(id: "zero", write: { $0.append(0) }, expected: "0"),
    .init(id: "one digit", write: { $0.append(7) }, expected: "7"),
    .init(id: "port", write: { $0.append(65535) }, expected: "65535"),
    .init(id: "negative", write: { $0.append(-42) }, expected: "-42"),
    .init(id: "Int.max", write: { $0.append(Int.max) }, expected: String(Int.max)),
    .init(id: "Int.min", write: { $0.append(Int.min) }, expected: String(Int.min)),
    .init(
      id: "literal and string",
      write: {
        $0.append("-A ")
        $0.append("KUBE-SVC-X")
      },
      expected: "-A KUBE-SVC-X"),
    .init(id: "IPv4", write: { $0.append(IPAddress("10.244.1.5")!) }, expected: "10.244.1.5"),
    .init(id: "IPv6", write: { $0.append(IPAddress("fd00:10::1")!) }, expected: "fd00:10::1"),
    .init(
      id: "IPv4 and port", write: { $0.append(IPAddress("10.0.0.1")!, port: 80) },
      expected: "10.0.0.1:80"),
    .init(
      id: "IPv6 and port", write: { $0.append(IPAddress("fd00::a")!, port: 53) },
      expected: "[fd00::a]:53"),
    .init(id: "CIDR", write: { $0.append(CIDR("203.0.113.0/25")!) }, expected: "203.0.113.0/25"),
    .init(
      id: "padding",
      write: { t in
        t.append("ab")
        t.pad(from: 0, to: 5)
        t.append("|")
      },
      expected: "ab   |"),
    .init(
      id: "no padding when full",
      write: { t in
        t.append("abcdef")
        t.pad(from: 0, to: 3)
      },
      expected: "abcdef"),
    .init(
      id: "piece of another buffer",
      write: { t in
        var other = TextBuffer()
        other.append("0123456789")
        t.append(other, from: 2, to: 5)
      }, expected: "234"),
    .init(
      id: "suffix removed",
      write: { t in
        t.append("keep-drop")
        t.removeSuffix(from: 4)
      },
      expected: "keep"),
  ]

  @Test(arguments: cases)
  func appends(_ c: TextBufferCase) {
    var text = TextBuffer()
    c.write(&text)
    #expect(text.string == c.expected)
    #expect(text.count == c.expected.utf8.count)
  }
}
