import Lab
import LuaKit

#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// `svclab dns [--listen ADDR:PORT]... [SCRIPT [ARGS]]`: runs the script (which builds the
/// cluster), then serves the lab's CoreDNS over UDP and TCP until SIGINT or SIGTERM.
enum DNSCommand {
  static let usage = "usage: svclab dns [--listen ADDR:PORT]... [SCRIPT [ARGS]]"

  static func run(_ args: [String]) -> Int32 {
    var listen: [String] = []
    var i = 0
    while i < args.count, args[i].hasPrefix("-") {
      let a = args[i]
      if a == "--listen", i + 1 < args.count {
        listen.append(args[i + 1])
        i += 2
      } else if a.hasPrefix("--listen=") {
        listen.append(String(a.dropFirst("--listen=".count)))
        i += 1
      } else if a == "-h" || a == "--help" {
        print(usage)
        return 0
      } else {
        printError("svclab dns: unrecognized option '\(a)'\n\(usage)")
        return 1
      }
    }
    let script = i < args.count ? args[i] : nil
    let scriptArgs = i + 1 < args.count ? Array(args[(i + 1)...]) : []
    let state: LuaState
    do {
      state = try Interpreter.makeState(options: LuaOptions())
      var arg = LuaTable()
      if let script { arg.map[.integer(0)] = .string(script) }
      arg.array = scriptArgs.map { .string($0) }
      try state.setGlobal("arg", .table(arg))
      if let script {
        try state.loadFile(path: script).call(scriptArgs.map { .string($0) }, interruptible: true)
      }
    } catch {
      printError("svclab: \(error)")
      return 1
    }
    // SIGINT and SIGTERM are blocked before the server thread starts (it inherits the mask)
    // and taken here with sigwait, so Ctrl-C stops the server cleanly.
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    let addresses = listen.isEmpty ? ["127.0.0.1:5353"] : listen
    let chunk = """
      local addresses = ...
      _svclab_dns = serveDNS{listen = addresses}
      return table.concat(_svclab_dns.addresses, " ")
      """
    do {
      let bound = try state.load(chunk, name: "=(svclab dns)")
        .call([.table(LuaTable(array: addresses.map { .string($0) }))])
      print(
        "svclab dns: serving on \(bound.first?.stringValue ?? "") (UDP and TCP); Ctrl-C to stop")
      fflush(stdout)
    } catch {
      printError("svclab: \(error)")
      return 1
    }
    var got: Int32 = 0
    sigwait(&signals, &got)
    do {
      try state.run(chunk: "_svclab_dns:stop()", name: "=(svclab dns)")
    } catch {
      printError("svclab: \(error)")
      return 1
    }
    return 0
  }
}
