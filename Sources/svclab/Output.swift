#if canImport(Glibc)
  import Glibc
#endif

/// Flushes every C stream (standard output included); Swift 6 forbids naming `stdout`.
func flushOutput() {
  fflush(nil)
}

/// Writes `text` to standard output without a newline and flushes it.
func printRaw(_ text: String) {
  print(text, terminator: "")
  fflush(nil)
}

/// Writes `text` and a newline to standard error after flushing standard output, so
/// that the two streams interleave in the order things happened.
func printError(_ text: String) {
  fflush(nil)
  var line = text + "\n"
  line.withUTF8 { buffer in
    var offset = 0
    while offset < buffer.count {
      let n = write(2, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
      if n <= 0 { break }
      offset += n
    }
  }
}
