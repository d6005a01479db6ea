import Foundation
import Kernel

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// `svclab up [SCRIPT]`, `svclab down`, and the helpers the kernel lab runs as subcommands:
/// `svclab responder NAME PORT/PROTO…`, `svclab probe IP PORT PROTO MS`,
/// `svclab kernel-guard PID PREFIX`.
enum KernelCommands {
  /// The prefix of every name (`SVCLAB_NETNS_PREFIX` overrides `svl-`).
  static var names: KernelNames {
    KernelNames(prefix: ProcessInfo.processInfo.environment["SVCLAB_NETNS_PREFIX"] ?? "svl-")
  }

  static var program: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
  }

  /// Handles the kernel subcommands; nil when `argv` is none of them.
  static func run(_ argv: [String]) -> Int32? {
    guard argv.count > 1 else { return nil }
    let rest = Array(argv.dropFirst(2))
    switch argv[1] {
    case "up": return up(rest, argv: argv)
    case "down": return down()
    case "responder": return responder(rest)
    case "probe": return probe(rest)
    case "kernel-guard": return guardian(rest)
    default: return nil
    }
  }

  /// Runs SCRIPT (if any), builds the lab on the kernel, then the REPL on a terminal (or the
  /// standard input as a script); everything is removed when it ends.
  static func up(_ args: [String], argv: [String]) -> Int32 {
    if let reason = KernelLab.missing() {
      printError("svclab up: \(reason)")
      return 1
    }
    var invocation: Invocation
    do { invocation = try Invocation(["svclab"]) } catch { return 1 }
    if let script = args.first {
      guard FileManager.default.fileExists(atPath: script) else {
        printError("svclab up: cannot open \(script)")
        return 1
      }
      invocation.actions.append(.execute("dofile(\(luaQuoted(script)))"))
    }
    invocation.actions.append(
      .execute(
        """
        for _, line in ipairs(materialize()) do print(line) end
        print('the lab is on the kernel: namespaces \(names.prefix)*  (ip netns list; \
        ip netns exec \(names.prefix)node-1 iptables -t nat -L -v)')
        """))
    if isatty(0) != 0 {
      invocation.interactive = true
    } else {
      invocation.script = "-"
    }
    let status = Interpreter(argv: ["svclab"], invocation: invocation).run()
    _ = down(quiet: true)
    return status
  }

  /// Removes every namespace, link and file under the prefix (a crashed run's too).
  static func down(quiet: Bool = false) -> Int32 {
    let lab = KernelLab(names: names, program: program)
    let removed = lab.sweep()
    try? FileManager.default.removeItem(atPath: names.ownerFile)
    if !quiet {
      print(
        removed.isEmpty
          ? "nothing to remove (no namespaces named \(names.prefix)*)"
          : "removed \(removed.count) namespaces: \(removed.joined(separator: " "))")
    }
    return 0
  }

  static func responder(_ args: [String]) -> Int32 {
    guard let name = args.first, args.count > 1 else {
      printError("usage: svclab responder NAME PORT/PROTO...")
      return 2
    }
    var listeners: [KernelListener] = []
    for spec in args.dropFirst() {
      let parts = spec.split(separator: "/")
      guard let port = Int(parts[0]), (1...65535).contains(port) else {
        printError("svclab responder: bad port \"\(spec)\"")
        return 2
      }
      listeners.append(
        KernelListener(name: name, port: port, proto: parts.count > 1 ? String(parts[1]) : "TCP"))
    }
    do { try Responder.serve(name: name, listeners: listeners) } catch {
      printError("\(error)")
      return 1
    }
  }

  static func probe(_ args: [String]) -> Int32 {
    guard args.count >= 3, let port = Int(args[1]) else {
      printError("usage: svclab probe IP PORT TCP|UDP [TIMEOUT-MS [COUNT]]")
      return 2
    }
    let timeout = args.count > 3 ? Int(args[3]) ?? 1000 : 1000
    let count = args.count > 4 ? Int(args[4]) ?? 1 : 1
    for _ in 0..<max(1, count) {
      print(Probe.run(address: args[0], port: port, proto: args[2], timeoutMs: timeout))
    }
    return 0
  }

  /// Waits for process PID to end, then sweeps PREFIX: a run that dies however it dies
  /// (Ctrl-C, SIGTERM, a crash) leaves nothing behind.
  static func guardian(_ args: [String]) -> Int32 {
    guard args.count == 2, let pid = Int32(args[0]) else { return 2 }
    signal(SIGINT, SIG_IGN)
    signal(SIGHUP, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    while kill(pid, 0) == 0 || errno == EPERM { usleep(200_000) }
    let lab = KernelLab(names: KernelNames(prefix: args[1]), program: program)
    // A later run that took over the prefix (its pid in the owner file) keeps its namespaces.
    if let owner = lab.liveOwner(), owner != pid { return 0 }
    lab.sweep()
    try? FileManager.default.removeItem(atPath: lab.names.ownerFile)
    return 0
  }

  private static func luaQuoted(_ s: String) -> String {
    "\""
      + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      + "\""
  }
}
