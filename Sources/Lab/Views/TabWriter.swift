/// Aligns tab-separated cells the way Go's `text/tabwriter` does (the writer behind kubectl's
/// tables and descriptions): a cell is text ended by a tab; the last cell of a line is not
/// part of a column; a column's width is decided per block of consecutive lines that have a
/// cell in it, as `max(minWidth, widest cell + padding)`.
struct TabWriter {
  var minWidth: Int
  var padding: Int

  /// kubectl get's writer (`printers.GetNewTabWriter`: minwidth 6, padding 3).
  static let table = TabWriter(minWidth: 6, padding: 3)
  /// kubectl describe's writer (`tabbedString`: minwidth 0, padding 2).
  static let describe = TabWriter(minWidth: 0, padding: 2)

  /// Formats `text` (lines of tab-terminated cells).
  func format(_ text: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
    if lines.last == [""] { lines.removeLast() }
    var widths: [Int] = []
    var out = ""
    format(lines, 0, lines.count, &widths, &out)
    return out
  }

  private func format(
    _ lines: [[String]], _ start: Int, _ end: Int, _ widths: inout [Int], _ out: inout String
  ) {
    let column = widths.count
    var line0 = start
    var this = start
    while this < end {
      if column >= lines[this].count - 1 {
        this += 1
        continue
      }
      write(lines, line0, this, widths, &out)
      line0 = this
      var width = minWidth
      while this < end, column < lines[this].count - 1 {
        width = max(width, lines[this][column].count + padding)
        this += 1
      }
      widths.append(width)
      format(lines, line0, this, &widths, &out)
      widths.removeLast()
      line0 = this
    }
    write(lines, line0, end, widths, &out)
  }

  private func write(
    _ lines: [[String]], _ from: Int, _ to: Int, _ widths: [Int], _ out: inout String
  ) {
    guard from < to else { return }
    for line in lines[from..<to] {
      for (j, cell) in line.enumerated() {
        if j < line.count - 1, j < widths.count {
          out += cell + String(repeating: " ", count: max(0, widths[j] - cell.count))
        } else {
          out += cell
        }
      }
      out += "\n"
    }
  }
}

/// kubectl's ages (`duration.HumanDuration` in apimachinery): seconds up to 2 minutes, then
/// minutes and seconds up to 10 minutes, minutes up to 3 hours, hours and minutes up to 8
/// hours, hours up to 2 days, days and hours up to 8 days, days up to 2 years, then years.
enum HumanDuration {
  static func format(_ seconds: Double) -> String {
    let s = Int(seconds.rounded(.down))
    if s < -1 { return "<invalid>" }
    if s < 0 { return "0s" }
    if s < 120 { return "\(s)s" }
    let minutes = s / 60
    if minutes < 10 {
      let rest = s % 60
      return rest == 0 ? "\(minutes)m" : "\(minutes)m\(rest)s"
    }
    if minutes < 180 { return "\(minutes)m" }
    let hours = s / 3600
    if hours < 8 {
      let rest = minutes % 60
      return rest == 0 ? "\(hours)h" : "\(hours)h\(rest)m"
    }
    if hours < 48 { return "\(hours)h" }
    if hours < 24 * 8 {
      let rest = hours % 24
      return rest == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(rest)h"
    }
    if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
    if hours < 24 * 365 * 8 {
      let days = (hours / 24) % 365
      return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
    }
    return "\(hours / 24 / 365)y"
  }
}
