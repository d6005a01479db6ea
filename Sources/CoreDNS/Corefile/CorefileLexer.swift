/// One word of a Corefile with the line it is on.
struct CorefileToken: Equatable {
  let text: String
  let line: Int
}

/// A directive line of a server block, with its own `{ … }` block split into lines.
struct CorefileDirective {
  let name: CorefileToken
  let args: [CorefileToken]
  /// The lines inside the directive's block; each line's first token is a property name.
  let block: [[CorefileToken]]

  /// The last token read on the directive's line (what Caddy's `ArgErr` names).
  var lastToken: CorefileToken { args.last ?? name }
}

/// A server block: its keys (`.:53`) and directives.
struct CorefileServerBlock {
  let keys: [CorefileToken]
  let directives: [CorefileDirective]
}

/// Caddy's Corefile syntax: words separated by blanks, `#` comments, double quotes, and
/// braces around server blocks and directive blocks.
enum CorefileLexer {
  /// Splits the text into tokens with line numbers.
  static func tokens(_ text: String) -> [CorefileToken] {
    var out: [CorefileToken] = []
    var line = 1
    var current = ""
    var startLine = 1
    var inQuote = false
    var inComment = false
    func flush() {
      if !current.isEmpty { out.append(CorefileToken(text: current, line: startLine)) }
      current = ""
    }
    for ch in text {
      if inComment {
        if ch == "\n" {
          inComment = false
          line += 1
        }
        continue
      }
      if inQuote {
        if ch == "\"" { inQuote = false } else { current.append(ch) }
        if ch == "\n" { line += 1 }
        continue
      }
      switch ch {
      case "\"":
        if current.isEmpty { startLine = line }
        inQuote = true
      case "#" where current.isEmpty: inComment = true
      case "\n":
        flush()
        line += 1
      case " ", "\t", "\r": flush()
      default:
        if current.isEmpty { startLine = line }
        current.append(ch)
      }
    }
    flush()
    return out
  }

  /// Parses the server blocks.
  /// - Throws: `CoreDNSError.corefile` for a missing or unbalanced brace.
  static func serverBlocks(_ text: String) throws(CoreDNSError) -> [CorefileServerBlock] {
    let toks = tokens(text)
    var i = 0
    var blocks: [CorefileServerBlock] = []
    while i < toks.count {
      var keys: [CorefileToken] = []
      while i < toks.count && toks[i].text != "{" {
        if toks[i].text == "}" {
          throw .corefile(
            line: toks[i].line, message: "Unexpected '}' because no matching opening brace")
        }
        keys.append(toks[i])
        i += 1
      }
      guard i < toks.count else {
        throw .corefile(line: keys.last?.line ?? 1, message: "Unexpected EOF")
      }
      i += 1
      var directives: [CorefileDirective] = []
      while true {
        guard i < toks.count else {
          throw .corefile(line: toks.last?.line ?? 1, message: "Unexpected EOF")
        }
        if toks[i].text == "}" {
          i += 1
          break
        }
        directives.append(try directive(toks, &i))
      }
      blocks.append(CorefileServerBlock(keys: keys, directives: directives))
    }
    return blocks
  }

  /// Reads one directive starting at `i`: its line, then an optional `{ … }` block.
  private static func directive(
    _ toks: [CorefileToken], _ i: inout Int
  ) throws(CoreDNSError)
    -> CorefileDirective
  {
    let name = toks[i]
    i += 1
    var args: [CorefileToken] = []
    while i < toks.count && toks[i].line == name.line && toks[i].text != "{" && toks[i].text != "}"
    {
      args.append(toks[i])
      i += 1
    }
    var block: [[CorefileToken]] = []
    if i < toks.count && toks[i].text == "{" && toks[i].line == name.line {
      i += 1
      var lineToks: [CorefileToken] = []
      while true {
        guard i < toks.count else {
          throw .corefile(line: toks.last?.line ?? name.line, message: "Unexpected EOF")
        }
        let t = toks[i]
        i += 1
        if t.text == "}" { break }
        if let last = lineToks.last, last.line != t.line {
          block.append(lineToks)
          lineToks = []
        }
        lineToks.append(t)
      }
      if !lineToks.isEmpty { block.append(lineToks) }
    }
    return CorefileDirective(name: name, args: args, block: block)
  }
}
