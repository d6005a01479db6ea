import LuaKit

/// The primitives of a test file: `test`, `skip`, `assertEqual`, `assertError`; and
/// an `os.exit` that fails instead of ending the run.
struct TestPrimitives {
  let runner: TestRunner
  let file: String

  /// Registers the primitives (with help) in a file's fresh state.
  func install(in state: LuaState) throws {
    let runner = self.runner
    let file = self.file
    try state.register("test", help: Help.test) { call in
      let name = try call.checkString(1)
      let body = try call.function(at: 2)
      do {
        try body.call(freshBudget: true)
        runner.pass("\(file) › \(name)")
      } catch let error as LuaError {
        runner.fail("\(file) › \(name)", message: error.message)
      }
      return 0
    }
    try state.register("skip", help: Help.skip) { call in
      let name = try call.checkString(1)
      runner.skip("\(file) › \(name)", reason: try call.optString(2) ?? "skipped")
      return 0
    }
    try state.register("assertEqual", help: Help.assertEqual) { call in
      try call.checkAny(2)
      let actual = call.value(at: 1)
      let expected = call.value(at: 2)
      if let difference = DeepCompare.firstDifference(actual, expected) {
        let label = try call.optString(3).map { "\($0): " } ?? ""
        throw call.error(label + difference.description)
      }
      return 0
    }
    try state.register("assertError", help: Help.assertError) { call in
      try Self.assertError(call)
    }
    let exit = try state.makeFunction(name: "os.exit") { call in
      let code = call.isAbsent(1) ? "" : call.describe(at: 1)
      throw LuaError("os.exit(\(code)) called during a test run")
    }
    try state.load("os.exit = ...", name: "=test").call([.function(exit)])
  }

  /// `assertError(fn, pattern)`: `fn` must raise, and its message must match the Lua
  /// pattern (`string.find`, not plain). Returns the message.
  static func assertError(_ call: LuaCall) throws -> Int {
    let body = try call.function(at: 1)
    let pattern = try call.optString(2)
    do {
      try body.call()
    } catch let error as LuaError {
      if let pattern {
        let find = try call.state.load("return string.find(...)", name: "=assertError")
        let found = try find.call([.string(error.message), .string(pattern)])
        if found.first?.isTruthy != true {
          throw call.error(
            "error message does not match \"\(pattern)\"\n  message: \(error.message)")
        }
      }
      try call.pushString(error.message)
      return 1
    }
    throw call.error("expected an error, but the function returned normally")
  }

  enum Help {
    static let test = HelpEntry(
      usage: "test(name, fn)", summary: "runs fn as one named test case; a raised error fails it",
      details: "Each call prints a TAP line: `ok N - file › name`, or `not ok N - file › name` "
        + "followed by `# file:line: message`. Each test has its own instruction budget.")
    static let skip = HelpEntry(
      usage: "skip(name, reason)", summary: "records a skipped test case")
    static let assertEqual = HelpEntry(
      usage: "assertEqual(actual, expected, msg)",
      summary: "deep comparison; fails naming the path of the first difference",
      details: "Tables are compared key by key (integers and floats by value, as `==`).")
    static let assertError = HelpEntry(
      usage: "assertError(fn, pattern)",
      summary: "fn must raise an error whose message matches the Lua pattern; returns the message")
  }
}
