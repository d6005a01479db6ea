/// What the command line asks for, parsed the way lua.c's `collectargs` does:
/// options come first; the first other argument is the script, and everything
/// after it belongs to the script (so `busted --lua=svclab` works unchanged).
struct Invocation: Equatable {
  /// A `-e` chunk or `-l` module, in command-line order.
  enum Action: Equatable {
    case execute(String)
    case require(global: String, module: String)
  }

  var actions: [Action] = []
  var interactive = false
  var version = false
  var ignoreEnvironment = false
  var warnings = false
  var help = false
  var maxInstructions: Int?
  var maxMemory: Int?
  var sandbox = false
  /// Define `_bench.c` and `_bench.swift` (see Scripts/bench-call.sh).
  var benchmark = false
  /// `--graph FILE`: after the script, write the lab's graph there (SVG, or DOT for `.dot`).
  var graphOutput: String?
  /// The script path (`-` for standard input), or nil.
  var script: String?
  /// Arguments after the script.
  var scriptArguments: [String] = []
  /// Index in argv of the script (lua.c's `script`), for the `arg` table.
  var scriptIndex: Int?

  /// The error lua.c prints for a bad option.
  struct UsageError: Error, CustomStringConvertible {
    var description: String
  }

  /// Parses argv (argv[0] is the program).
  init(_ argv: [String]) throws {
    var i = 1
    while i < argv.count {
      let a = argv[i]
      if !a.hasPrefix("-") || a == "-" { break }
      i += 1
      switch a {
      case "--": break
      case "-i":
        interactive = true
        version = true
      case "-v": version = true
      case "-E": ignoreEnvironment = true
      case "-W": warnings = true
      case "-h", "--help": help = true
      case "--sandbox": sandbox = true
      case "--bench": benchmark = true
      case "-e", "-l", "--max-instructions", "--max-memory", "--graph":
        guard i < argv.count else { throw UsageError(description: "'\(a)' needs argument") }
        try take(a, argv[i])
        i += 1
      default:
        if a.hasPrefix("-e") || a.hasPrefix("-l") {
          try take(String(a.prefix(2)), String(a.dropFirst(2)))
        } else if let eq = a.firstIndex(of: "="), a.hasPrefix("--max-") {
          try take(String(a[..<eq]), String(a[a.index(after: eq)...]))
        } else {
          throw UsageError(description: "unrecognized option '\(a)'")
        }
      }
      if a == "--" { break }
    }
    if i < argv.count {
      script = argv[i]
      scriptIndex = i
      scriptArguments = Array(argv[(i + 1)...])
    }
  }

  private mutating func take(_ option: String, _ value: String) throws {
    switch option {
    case "-e": actions.append(.execute(value))
    case "-l":
      if let eq = value.firstIndex(of: "=") {
        actions.append(
          .require(global: String(value[..<eq]), module: String(value[value.index(after: eq)...])))
      } else {
        actions.append(.require(global: value, module: value))
      }
    case "--graph":
      graphOutput = value
    case "--max-instructions":
      guard let n = Int(value), n > 0 else {
        throw UsageError(description: "bad value for \(option): '\(value)'")
      }
      maxInstructions = n
    default:
      guard let n = parseSize(value) else {
        throw UsageError(description: "bad value for \(option): '\(value)'")
      }
      maxMemory = n
    }
  }
}

/// Reads a size such as `512M`, `2G`, `65536` (suffixes K, M, G; powers of 1024).
func parseSize(_ text: String) -> Int? {
  let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
  var digits = text.uppercased()
  var scale = 1
  if let last = digits.last, let unit = units[last] {
    scale = unit
    digits.removeLast()
  }
  guard let n = Int(digits), n > 0 else { return nil }
  return n.multipliedReportingOverflow(by: scale).overflow ? nil : n * scale
}

let usageText = """
  usage: svclab [options] [script [args]]
         svclab test [--max-instructions N] [--max-memory SIZE] [PATH...]
         svclab tutorial [NAME]
         svclab up [SCRIPT]   build the lab on this machine's kernel (root); svclab down removes it
         svclab dns [--listen ADDR:PORT]... [script [args]]
  Available options are:
    -e stat   execute string 'stat'
    -i        enter interactive mode after executing 'script'
    -l mod    require library 'mod' into global 'mod'
    -l g=mod  require library 'mod' into global 'g'
    -v        show version information
    -E        ignore environment variables
    -W        turn warnings on
    --max-instructions N  stop each top-level call after N Lua instructions
    --max-memory SIZE     cap Lua memory (bytes, or with K/M/G)
    --sandbox             no os.execute, io.popen, C modules, writes outside .
    --bench               define _bench.c and _bench.swift, empty C and Swift functions
    --graph FILE          after the script, write graph() to FILE (SVG; DOT if FILE ends in .dot)
    --        stop handling options
    -         stop handling options and execute stdin
  """
