import Testing

@Suite struct TestRunnerTests {
  /// One passing, one failing and one broken file: TAP lines, plan, summary, exit 1.
  @Test func fixtureFolderReportsEveryOutcome() throws {
    let result = try runSvclab(["test", "Tests/fixtures/runner"])
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(result.status == 1)
    let f = "Tests/fixtures/runner"
    let expectedLines = [
      "ok 1 - \(f)/a_passing.lua › adds",
      "ok 4 - \(f)/a_passing.lua › not yet # SKIP waiting for a feature",
      "not ok 6 - \(f)/b_failing.lua › differs deep inside",
      "# \(f)/b_failing.lua:4: assertEqual: ports: values differ at .ports[1].port",
      "#   expected: 8080",
      "#   actual:   80",
      "not ok 7 - \(f)/b_failing.lua › calls os.exit",
      "# \(f)/b_failing.lua:6: os.exit(0) called during a test run",
      "not ok 8 - \(f)/b_failing.lua › runs away",
      "ok 9 - \(f)/b_failing.lua › still runs after a runaway",
      "not ok 10 - \(f)/c_broken.lua",
      "# \(f)/c_broken.lua:2: unexpected symbol near '='",
      "1..10",
    ]
    for line in expectedLines {
      #expect(lines.contains(line), "missing \(line) in\n\(result.stdout)")
    }
    #expect(lines.last == "5 passed, 4 failed, 1 skipped")
  }

  @Test func passingFileExitsZero() throws {
    let result = try runSvclab(["test", "Tests/fixtures/runner/a_passing.lua"])
    #expect(result.status == 0)
    #expect(result.stdout.hasSuffix("3 passed, 0 failed, 1 skipped\n"))
  }

  @Test func missingPathIsAFailure() throws {
    let result = try runSvclab(["test", "Tests/fixtures/nowhere"])
    #expect(result.status == 1)
    #expect(
      result.stdout.contains(
        "not ok 1 - Tests/fixtures/nowhere\n# cannot open Tests/fixtures/nowhere"))
    #expect(result.stdout.hasSuffix("0 passed, 1 failed\n"))
  }
}
