#if canImport(Glibc)
  @preconcurrency import Glibc
#endif

/// Fitting text to a terminal: its width, and lines broken between words.
public enum TextWrap {
  /// The width to fit: `$COLUMNS` when set to a number, else the terminal's on standard
  /// output (TIOCGWINSZ), else 80.
  public static func terminalWidth() -> Int {
    if let env = getenv("COLUMNS"), let n = Int(String(cString: env)), n > 0 { return n }
    return terminalSize()?.columns ?? 80
  }

  /// The size of the terminal on standard output (TIOCGWINSZ), nil without one.
  public static func terminalSize() -> (columns: Int, rows: Int)? {
    guard isatty(1) != 0 else { return nil }
    var size = winsize()
    let status = withUnsafeMutablePointer(to: &size) { ioctl(1, UInt(TIOCGWINSZ), $0) }
    guard status == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
    return (Int(size.ws_col), Int(size.ws_row))
  }

  /// `text` broken into lines of at most `width` characters, between words only: a word
  /// longer than the line stays whole on a line of its own. The first line starts with
  /// `first` (its width counted), the others with `indent`.
  public static func wrap(
    _ text: String, width: Int, first: String = "", indent: String = ""
  ) -> [String] {
    var lines: [String] = []
    var line = first
    var lineHasWord = false
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
      if lineHasWord && line.count + 1 + word.count > width {
        lines.append(line)
        line = indent
        lineHasWord = false
      }
      if lineHasWord { line += " " }
      line += word
      lineHasWord = true
    }
    lines.append(line)
    return lines
  }

  /// Each line of `text` wrapped to `width`, its continuation lines indented as the line is
  /// (two more spaces for a list item `- `); blank lines kept.
  public static func wrapLines(_ text: String, width: Int) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { raw -> [String] in
      let line = String(raw)
      let lead = String(line.prefix(while: { $0 == " " }))
      let body = String(line.dropFirst(lead.count))
      if body.isEmpty { return [line] }
      let hanging = body.hasPrefix("- ") ? lead + "  " : lead
      return wrap(body, width: width, first: lead, indent: hanging)
    }
  }
}
