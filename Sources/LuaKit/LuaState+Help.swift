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
    return helpText(entry, width: TextWrap.terminalWidth())
  }

  /// One primitive's help fitted to `width` columns, broken between words: the usage line
  /// as it is, the summary indented by two, then the details.
  public func helpText(_ entry: HelpEntry, width: Int) -> String {
    var lines = [entry.usage]
    lines += TextWrap.wrap(entry.summary, width: width, first: "  ", indent: "  ")
    if !entry.details.isEmpty { lines += [""] + TextWrap.wrapLines(entry.details, width: width) }
    return lines.joined(separator: "\n")
  }

  /// One entry per primitive, sorted by name: usage padded, then the summary, fitted to the
  /// terminal's width (``TextWrap/terminalWidth()``).
  func helpIndex() -> String { helpIndex(width: TextWrap.terminalWidth()) }

  /// The index fitted to `width` columns: summaries in a column a third of the width (at most
  /// as wide as the longest usage needs), broken between words; a usage too long for the
  /// column has its summary start on the next line.
  public func helpIndex(width: Int) -> String {
    let names = helpEntries.keys.sorted()
    let longest = names.compactMap { helpEntries[$0]?.usage.count }.max() ?? 0
    let column = max(4, min(longest + 2, width / 3))
    let indent = String(repeating: " ", count: column)
    return names.compactMap { name -> String? in
      guard let entry = helpEntries[name] else { return nil }
      if entry.usage.count + 2 > column {
        let summary = TextWrap.wrap(entry.summary, width: width, first: indent, indent: indent)
        return ([entry.usage] + summary).joined(separator: "\n")
      }
      let pad = String(repeating: " ", count: max(1, column - entry.usage.count))
      return TextWrap.wrap(entry.summary, width: width, first: entry.usage + pad, indent: indent)
        .joined(separator: "\n")
    }.joined(separator: "\n")
  }
}
