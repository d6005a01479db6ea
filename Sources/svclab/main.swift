#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// Entry point: `svclab test ...` runs the test runner; anything else behaves as lua.c.
func svclabMain(_ argv: [String]) -> Int32 {
  if argv.count > 1 && argv[1] == "test" {
    return TestCommand.run(arguments: Array(argv.dropFirst(2)))
  }
  if let status = KernelCommands.run(argv) { return status }
  if argv.dropFirst().first == "dns" { return DNSCommand.run(Array(argv.dropFirst(2))) }
  if argv.dropFirst().first == "tutorial" { return TutorialCommand.run(Array(argv.dropFirst(2))) }
  let invocation: Invocation
  do {
    invocation = try Invocation(argv)
  } catch {
    printError("svclab: \(error)\n\(usageText)")
    return 1
  }
  if invocation.help {
    print(usageText)
    return 0
  }
  return Interpreter(argv: argv, invocation: invocation).run()
}

exit(svclabMain(CommandLine.arguments))
