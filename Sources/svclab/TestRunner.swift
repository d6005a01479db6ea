import LuaKit

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// Runs Lua test files and reports them as TAP: `ok N - file › name`, or
/// `not ok N - file › name` followed by `# file:line: message` lines; then the plan
/// `1..N` and the summary `N passed, N failed` (`, N skipped` when any).
final class TestRunner {
  /// Default budget per test: a runaway loop fails in seconds instead of hanging CI.
  static let defaultMaxInstructions = 200_000_000
  /// Default memory cap per file's state.
  static let defaultMaxMemory = 512 << 20

  let options: LuaOptions
  private(set) var number = 0
  private(set) var passed = 0
  private(set) var failed = 0
  private(set) var skipped = 0

  init(options: LuaOptions) {
    self.options = options
  }

  /// Runs every test file under `paths`; returns the exit status.
  func run(paths: [String]) -> Int32 {
    for path in paths {
      guard let files = TestRunner.luaFiles(at: path) else {
        fail("\(path)", message: "cannot open \(path)")
        continue
      }
      for file in files { runFile(file) }
    }
    print("1..\(number)")
    var summary = "\(passed) passed, \(failed) failed"
    if skipped > 0 { summary += ", \(skipped) skipped" }
    print(summary)
    flushOutput()
    return failed > 0 ? 1 : 0
  }

  /// Runs one file in a fresh state; an error outside any test fails the file.
  func runFile(_ path: String) {
    do {
      let state = try Interpreter.makeState(options: options)
      try TestPrimitives(runner: self, file: path).install(in: state)
      try state.loadFile(path: path).call(interruptible: true, freshBudget: true)
    } catch {
      fail(path, message: String(describing: (error as? LuaError)?.message ?? "\(error)"))
    }
  }

  /// Records a passing test.
  func pass(_ name: String) {
    number += 1
    passed += 1
    emit("ok \(number) - \(name)")
  }

  /// Records a skipped test.
  func skip(_ name: String, reason: String) {
    number += 1
    skipped += 1
    emit("ok \(number) - \(name) # SKIP \(reason)")
  }

  /// Records a failure with its message as `#` lines.
  func fail(_ name: String, message: String) {
    number += 1
    failed += 1
    let details = message.split(separator: "\n", omittingEmptySubsequences: false)
      .map { "# " + $0 }.joined(separator: "\n")
    emit("not ok \(number) - \(name)\n\(details)")
  }

  private func emit(_ line: String) {
    print(line)
    flushOutput()
  }

  /// `*.lua` files at `path`: the file itself, or every one below a folder, sorted.
  /// Nil when the path does not exist.
  static func luaFiles(at path: String) -> [String]? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    guard (info.st_mode & S_IFMT) == S_IFDIR else { return [path] }
    var found: [String] = []
    guard let dir = opendir(path) else { return nil }
    defer { closedir(dir) }
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if name.hasPrefix(".") { continue }
      let child = path.hasSuffix("/") ? path + name : path + "/" + name
      var childInfo = stat()
      guard stat(child, &childInfo) == 0 else { continue }
      if (childInfo.st_mode & S_IFMT) == S_IFDIR {
        found += luaFiles(at: child) ?? []
      } else if name.hasSuffix(".lua") {
        found.append(child)
      }
    }
    return found.sorted()
  }
}
