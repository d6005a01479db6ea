import LuaKit

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// `svclab tutorial [NAME]`: lists the tutorials, or runs one a step at a time.
///
/// A tutorial is a Lua file `NN-name.lua` that is also a test file. Its first line is
/// `--- Title`, followed by `--` lines of introduction. Each step starts with a line
/// `--- step: Title`, then `--` lines of explanation, then the code, a call
/// `test("Title", function() ... end)` closed by `end)` at the start of a line; `--`
/// lines after it are shown once the step has run. Inside the code, a line `--- check`
/// starts lines that run but are not shown (the step's assertions and formatting), up to
/// a line `--- end` or the step's `end)`. `svclab test` runs the file as it runs any
/// test; here each `test` call prints its step's text and shown code, runs it, and prints
/// what the function returned. On a terminal the tutorial pauses after its introduction
/// and after each step; a step taller than the terminal repeats its heading at the pause.
enum TutorialCommand {
  /// Runs the command with the arguments after the word `tutorial`; returns the status.
  static func run(_ arguments: [String]) -> Int32 {
    if arguments.contains(where: { $0 == "-h" || $0 == "--help" }) {
      print(
        "usage: svclab tutorial [NAME | FILE.lua]\n  lists the tutorials, or runs one step by step")
      return 0
    }
    guard arguments.count <= 1 else {
      printError("svclab tutorial: too many arguments\nusage: svclab tutorial [NAME]")
      return 1
    }
    guard let folder = tutorialFolder() else {
      printError(
        "svclab tutorial: no tutorials found in ./Docs/tutorials, beside the svclab "
          + "executable, or in $SVCLAB_TUTORIALS")
      return 1
    }
    let tutorials = (TestRunner.luaFiles(at: folder) ?? []).compactMap(Tutorial.init(path:))
    guard let wanted = arguments.first else {
      list(tutorials)
      return 0
    }
    if wanted.hasSuffix(".lua"), !tutorials.contains(where: { $0.matches(wanted) }),
      let file = Tutorial(path: wanted)
    {
      return TutorialPlayer(tutorial: file, next: nil).play()
    }
    guard let tutorial = tutorials.first(where: { $0.matches(wanted) }) else {
      printError("svclab tutorial: no tutorial named '\(wanted)'")
      list(tutorials)
      return 1
    }
    let next = tutorials.firstIndex(where: { $0.path == tutorial.path })
      .flatMap { $0 + 1 < tutorials.count ? tutorials[$0 + 1] : nil }
    return TutorialPlayer(tutorial: tutorial, next: next).play()
  }

  /// Prints the tutorials in chapter order.
  static func list(_ tutorials: [Tutorial]) {
    let width = tutorials.map(\.name.count).max() ?? 0
    print("Tutorials, in the order to follow them (run one with `svclab tutorial NAME`):")
    for (i, t) in tutorials.enumerated() {
      let pad = String(repeating: " ", count: width - t.name.count + 2)
      print("  \(i + 1). \(t.name)\(pad)\(t.title)")
    }
  }

  /// Docs/tutorials under the current directory, else under a folder above the
  /// executable (the package root of a build), else `$SVCLAB_TUTORIALS`.
  static func tutorialFolder() -> String? {
    if isDirectory("Docs/tutorials") { return "Docs/tutorials" }
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if n > 0 {
      var dir = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      while let slash = dir.lastIndex(of: "/"), !dir.isEmpty {
        dir = String(dir[..<slash])
        if isDirectory(dir + "/Docs/tutorials") { return dir + "/Docs/tutorials" }
      }
    }
    if let env = getenv("SVCLAB_TUTORIALS").map({ String(cString: $0) }), isDirectory(env) {
      return env
    }
    return nil
  }

  static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }
}

/// One tutorial file, cut into its introduction and steps.
struct Tutorial {
  struct Step {
    var title: String
    var explanation: [String] = []
    var code: [String] = []
    var afterword: [String] = []
  }

  let path: String
  /// `endpoints` for `01-endpoints.lua`.
  let name: String
  var title = ""
  var introduction: [String] = []
  var steps: [Step] = []

  /// Reads and cuts the file; nil when it cannot be read.
  init?(path: String) {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var lines: [String] = []
    var line: UnsafeMutablePointer<CChar>?
    var capacity = 0
    while getline(&line, &capacity, file) >= 0, let line {
      lines.append(String(cString: line).trimmingSuffix("\n"))
    }
    free(line)
    self.path = path
    let stem = String(path.split(separator: "/").last ?? "").trimmingSuffix(".lua")
    let digits = stem.prefix(while: { $0.isNumber })
    name = digits.isEmpty ? stem : String(stem.dropFirst(digits.count).drop(while: { $0 == "-" }))
    parse(lines)
  }

  /// Whether NAME asks for this tutorial: its name, its file name, or its number.
  func matches(_ wanted: String) -> Bool {
    let file = String(path.split(separator: "/").last ?? "").trimmingSuffix(".lua")
    let number = file.prefix(while: { $0.isNumber })
    return wanted == name || wanted == file || (Int(wanted) != nil && Int(wanted) == Int(number))
  }

  /// Cuts lines into title, introduction and steps (see ``TutorialCommand``).
  private mutating func parse(_ lines: [String]) {
    enum Part { case header, explanation, code, afterword }
    var part = Part.header
    var hidden = false
    for line in lines {
      if part == .code || part == .explanation, steps.count > 0 {
        let marker = line.trimmed
        if marker == "--- check" {
          hidden = true
          part = .code
          continue
        }
        if marker == "--- end" {
          hidden = false
          continue
        }
        if hidden && !line.hasPrefix("end)") { continue }
      }
      if let title = line.removingPrefix("--- step:") {
        steps.append(Step(title: title.trimmed))
        part = .explanation
        continue
      }
      let comment = line.removingPrefix("--")
        .map { $0.hasPrefix(" ") ? String($0.dropFirst()) : $0 }
      switch part {
      case .header:
        if let heading = line.removingPrefix("---"), title.isEmpty {
          title = heading.trimmed
        } else if let comment {
          introduction.append(comment)
        }
      case .explanation:
        if let comment {
          steps[steps.count - 1].explanation.append(comment)
          continue
        }
        part = .code
        steps[steps.count - 1].code.append(line)
      case .code:
        steps[steps.count - 1].code.append(line)
        if line.hasPrefix("end)") {
          part = .afterword
          hidden = false
        }
      case .afterword:
        if let comment { steps[steps.count - 1].afterword.append(comment) }
      }
    }
  }
}

extension String {
  fileprivate func removingPrefix(_ prefix: String) -> String? {
    hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
  }

  fileprivate func trimmingSuffix(_ suffix: String) -> String {
    hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
  }

  fileprivate var trimmed: String {
    String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
  }
}

/// Plays one tutorial: runs its file in a fresh lab where `test(name, fn)` shows the
/// step of that name, runs it, shows its results, and pauses on a terminal.
final class TutorialPlayer {
  let tutorial: Tutorial
  let next: Tutorial?
  let interactive = isatty(0) != 0
  let colour: Bool
  private var stepsRun = 0
  private var quit = false

  init(tutorial: Tutorial, next: Tutorial?) {
    self.tutorial = tutorial
    self.next = next
    let noColour = getenv("NO_COLOR").map { String(cString: $0).isEmpty == false } ?? false
    colour = isatty(1) != 0 && !noColour
  }

  /// Runs the tutorial; returns the exit status (non-zero when a step fails).
  func play() -> Int32 {
    let options = LuaOptions(
      maxInstructions: TestRunner.defaultMaxInstructions, maxMemory: TestRunner.defaultMaxMemory)
    do {
      let state = try Interpreter.makeState(options: options)
      let runner = TestRunner(options: options)
      try TestPrimitives(runner: runner, file: tutorial.path).install(in: state)
      try state.register("test", help: TestPrimitives.Help.test) { [self] call in
        try self.runStep(name: try call.checkString(1), body: try call.function(at: 2))
        return 0
      }
      try showIntroduction()
      try state.loadFile(path: tutorial.path).call(freshBudget: true)
    } catch {
      if quit { return 0 }
      printError(paint("31", "svclab tutorial: \(tutorial.name): \(error)"))
      return 1
    }
    if stepsRun < tutorial.steps.count {
      printError(
        "svclab tutorial: \(tutorial.name): step '\(tutorial.steps[stepsRun].title)' "
          + "has no test(\"\(tutorial.steps[stepsRun].title)\", ...) call")
      return 1
    }
    let hint =
      next.map { "Next: svclab tutorial \($0.name)  (\($0.title))" }
      ?? "That was the last one."
    print("\n" + paint("1", "End of \"\(tutorial.title)\". ") + hint)
    flushOutput()
    return 0
  }

  /// Shows step `name` (the next one in the file), runs `body`, shows its results.
  private func runStep(name: String, body: LuaFunctionRef) throws {
    guard stepsRun < tutorial.steps.count, tutorial.steps[stepsRun].title == name else {
      let expected = stepsRun < tutorial.steps.count ? tutorial.steps[stepsRun].title : "(none)"
      throw LuaError("test(\"\(name)\") does not match the next '--- step:' marker: \(expected)")
    }
    let step = tutorial.steps[stepsRun]
    stepsRun += 1
    let heading = "Step \(stepsRun) of \(tutorial.steps.count): \(step.title)"
    shownLines = 0
    say("\n" + paint("1", heading) + "\n" + String(repeating: "-", count: heading.count))
    printParagraphs(step.explanation)
    say(displayCode(step.code).map { paint("36", "    " + $0) }.joined(separator: "\n"))
    say("")
    let results = try body.callDescribing()
    for result in results {
      let lines = trimBlank(
        result.split(separator: "\n", omittingEmptySubsequences: false)
          .map(String.init))
      if lines.count == 1 {
        say(paint("32", "--> " + (lines.first ?? "")))
      } else {
        say(paint("32", "-->\n" + lines.map { "    " + $0 }.joined(separator: "\n")))
      }
    }
    if !step.afterword.isEmpty {
      say("")
      printParagraphs(step.afterword)
    }
    // A step taller than the terminal has scrolled its heading off: say it again.
    if interactive, stepsRun < tutorial.steps.count, shownLines + 2 > Self.terminalRows() {
      say(paint("1", "(end of \(heading))"))
    }
    flushOutput()
    if stepsRun < tutorial.steps.count { try pause() }
  }

  /// Lines printed for the current step, counting those the terminal wraps.
  private var shownLines = 0

  /// Prints `text` and counts the terminal lines it takes.
  private func say(_ text: String) {
    print(text)
    let width = TextWrap.terminalWidth()
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      shownLines += max(1, (visibleLength(line) + width - 1) / width)
    }
  }

  /// The characters of `line` a terminal shows (SGR sequences left out).
  private func visibleLength(_ line: Substring) -> Int {
    var n = 0
    var escape = false
    for c in line {
      if escape {
        if c == "m" { escape = false }
      } else if c == "\u{1b}" {
        escape = true
      } else {
        n += 1
      }
    }
    return n
  }

  /// The terminal's height: `$LINES` when set to a number, else TIOCGWINSZ, else 24.
  static func terminalRows() -> Int {
    if let env = getenv("LINES"), let n = Int(String(cString: env)), n > 0 { return n }
    return TextWrap.terminalSize()?.rows ?? 24
  }

  /// Waits for Enter on a terminal; `q` (or end of input) ends the tutorial.
  private func pause() throws {
    guard interactive else { return }
    printRaw("\n" + paint("2", "Press Enter to continue (q to quit) "))
    guard let answer = readLine(), answer.trimmingCharacters(in: " ").lowercased() != "q" else {
      quit = true
      throw LuaError("quit")
    }
  }

  /// The title and introduction, then (on a terminal) a pause so that they can be read
  /// before the first step scrolls them away.
  private func showIntroduction() throws {
    print(paint("1", tutorial.title) + "\n" + String(repeating: "=", count: tutorial.title.count))
    printParagraphs(tutorial.introduction)
    flushOutput()
    if !tutorial.steps.isEmpty { try pause() }
  }

  /// Prose lines without the blank lines at either end.
  private func printParagraphs(_ lines: [String]) {
    let text = trimBlank(lines)
    if !text.isEmpty { say(text.joined(separator: "\n") + "\n") }
  }

  /// The step's code as a learner reads it: the body of its `test` function, dedented.
  func displayCode(_ code: [String]) -> [String] {
    var lines = trimBlank(code)
    if let first = lines.first, first.hasPrefix("test("), first.hasSuffix("function()"),
      lines.last?.hasPrefix("end)") == true
    {
      lines = Array(lines.dropFirst().dropLast())
    }
    let indent =
      lines.filter { !$0.allSatisfy { $0 == " " } }
      .map { $0.prefix(while: { $0 == " " }).count }.min() ?? 0
    return lines.map { String($0.dropFirst(min(indent, $0.prefix(while: { $0 == " " }).count))) }
  }

  private func trimBlank(_ lines: [String]) -> [String] {
    let isBlank: (String) -> Bool = { $0.allSatisfy { $0 == " " } }
    return Array(lines.drop(while: isBlank).reversed().drop(while: isBlank).reversed())
  }

  /// `text` in SGR style `code` on a colour terminal, as it is otherwise.
  private func paint(_ code: String, _ text: String) -> String {
    colour ? "\u{1b}[\(code)m\(text)\u{1b}[0m" : text
  }
}

extension String {
  fileprivate func trimmingCharacters(in set: Character) -> String {
    String(drop(while: { $0 == set }).reversed().drop(while: { $0 == set }).reversed())
  }
}
