/// The `help` primitive: usage of every registered primitive, or of one.
extension LuaState {
  /// Registers the global `help([name or function])`, which returns help text built
  /// from every ``HelpEntry`` given at registration.
  func installHelp() throws {
    let entry = HelpEntry(
      usage: "help([name])",
      summary: "lists every primitive, or shows the usage and details of one",
      details: "`name` may be the primitive's name or the function itself.")
    try register("help", help: entry) { call in
      try call.pushString(try call.state.helpText(for: call))
      return 1
    }
  }

  /// The text `help` returns for its first argument.
  private func helpText(for call: LuaCall) throws -> String {
    if call.isAbsent(1) { return helpIndex() }
    let name: String
    if call.type(at: 1) == .function {
      let target = try call.reference(at: 1)
      guard let found = helpEntries.keys.sorted().first(where: { global($0) == .function(target) })
      else { throw call.error("no help for this function") }
      name = found
    } else {
      name = try call.checkString(1)
    }
    guard let entry = helpEntries[name] else { throw call.error("no help for '\(name)'") }
    return entry.details.isEmpty
      ? "\(entry.usage)\n  \(entry.summary)"
      : "\(entry.usage)\n  \(entry.summary)\n\n\(entry.details)"
  }

  /// One line per primitive, sorted by name: usage padded, then the summary.
  func helpIndex() -> String {
    let names = helpEntries.keys.sorted()
    let width = min(40, names.compactMap { helpEntries[$0]?.usage.count }.max() ?? 0)
    return names.compactMap { name -> String? in
      guard let entry = helpEntries[name] else { return nil }
      let pad = String(repeating: " ", count: max(1, width - entry.usage.count + 2))
      return entry.usage + pad + entry.summary
    }.joined(separator: "\n")
  }
}
