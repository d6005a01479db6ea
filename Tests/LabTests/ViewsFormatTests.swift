import Testing

@testable import Lab

/// kubectl's age format (apimachinery `duration.HumanDuration`).
struct AgeCase: CustomTestStringConvertible {
  let seconds: Double
  let expected: String
  var testDescription: String { "\(Int(seconds))s prints as \(expected)" }
}

@Test(arguments: [
  AgeCase(seconds: -5, expected: "<invalid>"), AgeCase(seconds: -1, expected: "0s"),
  AgeCase(seconds: 0, expected: "0s"), AgeCase(seconds: 119.9, expected: "119s"),
  AgeCase(seconds: 120, expected: "2m"), AgeCase(seconds: 123, expected: "2m3s"),
  AgeCase(seconds: 599, expected: "9m59s"), AgeCase(seconds: 600, expected: "10m"),
  AgeCase(seconds: 179 * 60, expected: "179m"), AgeCase(seconds: 3 * 3600, expected: "3h"),
  AgeCase(seconds: 3 * 3600 + 300, expected: "3h5m"), AgeCase(seconds: 8 * 3600, expected: "8h"),
  AgeCase(seconds: 47 * 3600, expected: "47h"), AgeCase(seconds: 51 * 3600, expected: "2d3h"),
  AgeCase(seconds: 8 * 86400, expected: "8d"), AgeCase(seconds: 730 * 86400, expected: "2y"),
  AgeCase(seconds: 731 * 86400, expected: "2y1d"),
  AgeCase(seconds: 9 * 365 * 86400, expected: "9y"),
])
func humanDuration(_ c: AgeCase) {
  #expect(HumanDuration.format(c.seconds) == c.expected)
}

/// The tab writer against layouts Go's text/tabwriter produces.
struct TabCase: CustomTestStringConvertible {
  let name: String
  let writer: TabWriter
  let input: String
  let expected: String
  var testDescription: String { name }
}

@Test(arguments: [
  TabCase(
    name: "columns padded to the widest cell plus padding, last cell bare", writer: .table,
    input: "NAME\tAGE\nkubernetes\t5s\n", expected: "NAME         AGE\nkubernetes   5s\n"),
  TabCase(
    name: "minimum width applies to narrow columns", writer: .table,
    input: "A\tB\tC\nx\ty\tz\n", expected: "A     B     C\nx     y     z\n"),
  TabCase(
    name: "a line without tabs ends the column block", writer: .describe,
    input: "IP:\t1\nIPs:\n  IP:\t1\nLonger Key:\tv\n",
    expected: "IP:  1\nIPs:\n  IP:        1\nLonger Key:  v\n"),
  TabCase(
    name: "a middle column is aligned only within its own block", writer: .describe,
    input: "Name:\tx\nPort:\thttp\t80/TCP\nTargetPort:\t80/TCP\n",
    expected: "Name:        x\nPort:        http  80/TCP\nTargetPort:  80/TCP\n"),
])
func tabWriter(_ c: TabCase) {
  #expect(c.writer.format(c.input) == c.expected)
}

/// YAML written for export reads back as the same values.
@Test func yamlWriterRoundTrip() throws {
  let value = YAMLValue.map(
    YAMLMap([
      ("apiVersion", .string("v1")),
      (
        "metadata",
        .map(
          YAMLMap([
            ("name", .string("web")), ("labels", .map(YAMLMap([("version", .string("1.0"))]))),
          ]))
      ),
      (
        "spec",
        .map(
          YAMLMap([
            (
              "ports",
              .list([
                .map(
                  YAMLMap([
                    ("port", .int(80)), ("targetPort", .string("80")), ("name", .string("yes")),
                  ]))
              ])
            ),
            ("clusterIPs", .list([.string("fd00::1"), .string("10.0.0.1")])),
            ("externalName", .string("")), ("selector", .map(YAMLMap())), ("flag", .bool(true)),
          ]))
      ),
    ]))
  let text = YAMLWriter.document(value)
  let back = try YAMLReader.documents(text, source: nil, firstIndex: 1)
  #expect(back.count == 1)
  #expect(back.first?.value == value, "\(text)")
}

/// Syntax errors name the line the Go YAML library would.
@Test func yamlSyntaxErrorNamesLine() {
  #expect(
    throws: ManifestError.syntax(
      source: nil, message: "yaml: line 3: mapping values are not allowed in this context")
  ) {
    _ = try YAMLReader.documents("a: 1\nb: 2\n c: d\n", source: nil, firstIndex: 1)
  }
}
