import CLua
import CLuaGlue

/// Completion for the REPL: globals, fields after `.` and methods after `:`, and,
/// through ``LuaState/stringArgumentCompleter``, names inside string arguments.
extension LuaState {
  /// Characters that end the word being completed (luaprompt's set without `.`/`:`,
  /// so that `string.fo` is one word, and with quotes, so that a string argument's
  /// contents are one).
  public static let completionWordBreaks = " \t\n\"\\'`@$><=;|&{(,"

  /// Candidates replacing the word that ends `line` (the text up to the cursor).
  ///
  /// Inside a string argument — `resolve("we` — the word is the partial string and
  /// candidates come from ``stringArgumentCompleter`` given the function's name.
  /// Otherwise the word is a dotted expression; candidates are its completions among
  /// the globals (and keywords), the fields of a table, or the methods after `:`.
  public func completions(forLineUpToCursor line: String) -> [String] {
    if let (function, partial) = Self.openStringArgument(in: line) {
      return (stringArgumentCompleter?(function, partial) ?? [])
        .filter { $0.hasPrefix(partial) }.sorted()
    }
    let word = String(line.reversed().prefix { !Self.completionWordBreaks.contains($0) }.reversed())
    guard let cut = word.lastIndex(where: { $0 == "." || $0 == ":" }) else {
      let names = fieldNames(path: [], methodsOnly: false) + Self.keywords
      return Set(names.filter { $0.hasPrefix(word) }).sorted()
    }
    let path = word[..<cut].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    let partial = String(word[word.index(after: cut)...])
    let head = String(word[...cut])
    return fieldNames(path: path, methodsOnly: word[cut] == ":")
      .filter { $0.hasPrefix(partial) }.sorted().map { head + $0 }
  }

  /// The function name and partial text when `line` ends inside `name("partial`.
  static func openStringArgument(in line: String) -> (String, String)? {
    var quote: Character?
    var quoteStart = line.startIndex
    for index in line.indices {
      let c = line[index]
      if let q = quote {
        if c == q { quote = nil }
      } else if c == "\"" || c == "'" {
        quote = c
        quoteStart = index
      }
    }
    guard quote != nil else { return nil }
    let partial = String(line[line.index(after: quoteStart)...])
    var before = line[..<quoteStart]
    while before.last == " " { before.removeLast() }
    guard before.last == "(" || before.last == "," else { return nil }
    // The function is the identifier before the nearest unclosed "(".
    var depth = 0
    var index = before.endIndex
    while index > before.startIndex {
      index = before.index(before: index)
      if before[index] == ")" { depth += 1 }
      if before[index] == "(" {
        if depth == 0 { break }
        depth -= 1
      }
    }
    let name = before[..<index].reversed().prefix {
      $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == ":"
    }
    guard !name.isEmpty else { return nil }
    return (String(name.reversed()), partial)
  }

  /// String keys (identifiers) of the table at `path` from the globals, following
  /// `__index` tables as method lookups do; raw reads only, no metamethod runs.
  private func fieldNames(path: [String], methodsOnly: Bool) -> [String] {
    let stack = activeStack
    let base = stack.top
    defer { stack.setTop(base) }
    guard lua_checkstack(stack.L, 8) != 0 else { return [] }
    svl_pushglobaltable(stack.L)
    for name in path {
      guard stack.type(at: -1) == .table else { return [] }
      stack.pushString(name)
      lua_rawget(stack.L, -2)
    }
    var names: [String] = []
    var hops = 0
    while hops < 4 {
      if stack.type(at: -1) == .table { names += keys(of: stack, methodsOnly: methodsOnly) }
      // Follow the metatable's __index when it is a table (objects, strings' methods).
      guard lua_getmetatable(stack.L, -1) != 0 else { break }
      stack.pushString("__index")
      lua_rawget(stack.L, -2)
      guard stack.type(at: -1) == .table else { break }
      hops += 1
    }
    return names
  }

  private func keys(of stack: LuaStack, methodsOnly: Bool) -> [String] {
    var names: [String] = []
    let table = stack.top
    lua_pushnil(stack.L)
    while lua_next(stack.L, Int32(table)) != 0 {
      if stack.type(at: -2) == .string, let key = stack.string(at: -2),
        !methodsOnly || stack.type(at: -1) == .function,
        key.first.map({ $0 == "_" || $0.isLetter }) == true
      {
        names.append(key)
      }
      stack.pop()
    }
    return names
  }

  static let keywords = [
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
    "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
  ]
}
