import Foundation
import Testing

/// One way of running a script and what svclab must answer.
struct ScriptCase: CustomTestStringConvertible, Sendable {
  let id: String
  let arguments: [String]
  var input = ""
  let status: Int32
  var stdout = ""
  var stderrContains = ""
  var testDescription: String { id }
}

@Suite struct ScriptTests {
  static let cases: [ScriptCase] = [
    ScriptCase(
      id: "-e runs a chunk", arguments: ["-e", "print(6 * 7)"], status: 0, stdout: "42\n"),
    ScriptCase(
      id: "script from stdin when it is not a terminal", arguments: [],
      input: "print('piped', ...)", status: 0, stdout: "piped\n"),
    ScriptCase(
      id: "missing file", arguments: ["no-such-file.lua"], status: 1,
      stderrContains: "svclab: cannot open no-such-file.lua"),
    ScriptCase(
      id: "error object is a table", arguments: ["-e", "error({})"], status: 1,
      stderrContains: "(error object is a table value)"),
    ScriptCase(
      id: "error object is nil", arguments: ["-e", "error()"], status: 1,
      stderrContains: "(error object is a nil value)"),
    ScriptCase(
      id: "error object with __tostring",
      arguments: ["-e", "error(setmetatable({}, {__tostring = function() return 'custom' end}))"],
      status: 1, stderrContains: "svclab: custom"),
    ScriptCase(id: "os.exit keeps its code", arguments: ["-e", "os.exit(7)"], status: 7),
    ScriptCase(id: "os.exit(false)", arguments: ["-e", "os.exit(false)"], status: 1),
    ScriptCase(
      id: "runtime error with traceback", arguments: ["-e", "local t = nil; print(t.x)"],
      status: 1, stderrContains: "stack traceback:"),
    ScriptCase(
      id: "instruction limit",
      arguments: ["--max-instructions", "100000", "-e", "while true do end"],
      status: 1, stderrContains: "instruction budget exceeded"),
    ScriptCase(
      id: "memory limit",
      arguments: ["--max-memory", "16M", "-e", "local t = {} for i = 1, 1e9 do t[i] = i end"],
      status: 1, stderrContains: "not enough memory"),
    ScriptCase(
      id: "sandbox blocks os.execute", arguments: ["--sandbox", "-e", "os.execute('true')"],
      status: 1, stderrContains: "os.execute: not allowed in the sandbox"),
    ScriptCase(
      id: "bad option", arguments: ["--frobnicate"], status: 1,
      stderrContains: "unrecognized option '--frobnicate'"),
    ScriptCase(
      id: "REPL on a pipe with -i: auto-print, =expr, multi-line",
      arguments: ["-i"],
      input: "x = 20\nx + 1\n=x * 2\nfor i = 1, 2 do\nprint('line', i)\nend\n{1, 'a', k = true}\n",
      status: 0,
      stdout:
        "svclab 0.1.0 (Lua 5.4)\nsvclab> svclab> 21\nsvclab> 40\nsvclab> >> >> line\t1\nline\t2\n"
        + "svclab> { 1, \"a\", k = true }\nsvclab> \n"
    ),
  ]

  @Test(arguments: cases)
  func script(_ c: ScriptCase) throws {
    let result = try runSvclab(c.arguments, input: c.input)
    #expect(result.status == c.status, "stderr: \(result.stderr)")
    if !c.stdout.isEmpty { #expect(result.stdout == c.stdout) }
    if !c.stderrContains.isEmpty {
      #expect(result.stderr.contains(c.stderrContains), "stderr: \(result.stderr)")
    }
  }

  @Test func scriptGetsArgTableAndVarargs() throws {
    let path = try temporaryFile(
      "args.lua", Data("print(arg[0] == ..., arg[1], arg[2], select('#', ...))".utf8))
    let result = try runSvclab([path, "one", "two"])
    #expect(result.stdout == "false\tone\ttwo\t2\n")
    #expect(result.status == 0)
  }

  @Test func binaryFileFailsWithAMessage() throws {
    let path = try temporaryFile(
      "binary.lua", Data([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x00, 0xff, 0xfe]))
    let result = try runSvclab([path])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("svclab: "))
    #expect(result.stderr.contains("binary.lua:1: unexpected symbol near"))
  }
}
