import ArgumentParser
import LuaKit

/// `svclab test [PATH...]`: the command-line face of ``TestRunner``.
struct TestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "svclab test",
    abstract: "Runs Lua test files, each in a fresh state, and prints TAP.",
    discussion: """
      Every *.lua file under each PATH (recursively, in sorted order) runs in its own \
      state. Files call test(name, fn) for each case. The output ends with the line \
      'N passed, N failed'; the exit status is non-zero if anything failed.
      """)

  @Option(help: "Lua instructions each test (and each file's top level) may run.")
  var maxInstructions: Int = TestRunner.defaultMaxInstructions

  @Option(
    help: "Memory cap of each file's state (bytes, or with K/M/G).",
    transform: { text in
      guard let size = parseSize(text) else { throw ValidationError("bad size '\(text)'") }
      return size
    })
  var maxMemory: Int = TestRunner.defaultMaxMemory

  @Flag(help: "Run the files sandboxed (see svclab --help).")
  var sandbox = false

  @Argument(help: "Files or folders of tests.")
  var paths: [String] = ["Tests/lua"]

  /// Parses `arguments` (after the word `test`), runs, and returns the exit status.
  static func run(arguments: [String]) -> Int32 {
    do {
      let command = try TestCommand.parse(arguments)
      let options = LuaOptions(
        maxInstructions: command.maxInstructions, maxMemory: command.maxMemory,
        sandbox: command.sandbox)
      return TestRunner(options: options).run(paths: command.paths)
    } catch {
      let code = TestCommand.exitCode(for: error)
      let message = TestCommand.fullMessage(for: error)
      if code == .success { print(message) } else { printError(message) }
      return code.rawValue
    }
  }
}
