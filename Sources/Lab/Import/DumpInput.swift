import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Where `importCluster` reads from: one or several files written by
/// `kubectl get … -A -o yaml` or `-o json`, or that text itself.
enum DumpInput {
  /// The most one import reads. The limit stops a mistaken path (a disk image, a log that
  /// never ends), not a real dump: the largest cluster Kubernetes supports (150,000 pods on
  /// 5,000 nodes) prints about 1.1 GB of `-o json` the way `Scripts/gen-dump.py` writes a
  /// pod, and a real pod with more containers, volumes and managedFields can take twice
  /// that. A JSON file is mapped, not copied, so its size costs no heap.
  static let maxBytes = 4 << 30

  /// Whether a file's text looks like a cluster dump rather than a Lua script: its first
  /// meaningful line opens a JSON object or a YAML mapping with a Kubernetes object's keys.
  static func looksLikeDump(_ text: Substring) -> Bool {
    for raw in text.split(separator: "\n", maxSplits: 50) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") || line == "---" { continue }
      if line.hasPrefix("{") { return true }
      return ["apiVersion:", "kind:", "items:", "metadata:"].contains { line.hasPrefix($0) }
    }
    return false
  }

  /// Whether the file at `path` is a cluster dump (`svclab FILE`).
  static func isDump(path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let head = (try? handle.read(upToCount: 4096)) ?? Data()
    return looksLikeDump(Substring(String(decoding: head, as: UTF8.self)))
  }

  /// Reads every source in turn into `builder`, documents numbered from 1 across them, and
  /// returns how many documents there were. A JSON source is one document whose list items
  /// go to the builder as they are read; a YAML source goes through ``YAMLReader``.
  static func read(
    _ sources: [String], into builder: inout DumpBuilder
  ) throws(ManifestError)
    -> Int
  {
    var documents = 0
    var total = 0
    for arg in sources {
      let source = try open(arg)
      total += source.bytes.count
      guard total <= maxBytes else { throw tooLarge(source.path ?? "the dump text", total) }
      if isJSON(source.bytes) {
        documents += 1
        try json(source, index: documents, into: &builder)
      } else {
        let text = try source.text()
        for doc in try YAMLReader.documents(text, source: source.path, firstIndex: documents + 1) {
          builder.add(doc.value, document: doc.index)
          documents = doc.index
        }
      }
    }
    return documents
  }

  /// Whether the first byte past the spaces opens a JSON object or array.
  private static func isJSON(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
    return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
  }

  /// One JSON document: a `v1/List`'s items (or a top-level array's elements) are read one
  /// at a time into a builder of their own, kept if the document was a list; any other
  /// document is read again whole, as one value.
  private static func json(
    _ source: Source, index: Int, into builder: inout DumpBuilder
  ) throws(ManifestError) {
    var reader = JSONReader(source.bytes)
    var items = DumpBuilder()
    do throws(JSONReader.Failure) {
      let (rest, streamed) = try reader.document(plan: DumpPlan.document) {
        (v: YAMLValue) throws(JSONReader.Failure) in items.add(v, document: index)
      }
      if !streamed {
        builder.add(rest, document: index)
      } else if case .map = rest, rest["kind"] != nil, rest["kind"] != .string("List") {
        builder.add(try reader.value(plan: DumpPlan.document), document: index)
      } else {
        builder.merge(items)
      }
    } catch .syntax(_, let message) where message == JSONReader.repeatedItems {
      do throws(JSONReader.Failure) {
        builder.add(try reader.value(plan: DumpPlan.document), document: index)
      } catch {
        throw failure(error, source)
      }
    } catch {
      throw failure(error, source)
    }
  }

  /// A reader's failure in the import's words: a file that is not UTF-8 is said to be so
  /// before any syntax error in it, as when the file was first decoded as text whole.
  private static func failure(_ f: JSONReader.Failure, _ source: Source) -> ManifestError {
    guard case .syntax(let offset, let message) = f, isUTF8(source.bytes) else {
      return .input("error reading \"\(source.path ?? "the dump text")\": not UTF-8 text")
    }
    let end = offset < 0 ? source.bytes.count : offset
    let line = 1 + source.bytes[..<end].count { $0 == UInt8(ascii: "\n") }
    return .syntax(source: source.path, message: "invalid JSON: line \(line): \(message)")
  }

  private static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    !transcode(bytes.makeIterator(), from: UTF8.self, to: UTF32.self, stoppingOnError: true) {
      _ in
    }
  }

  private static func tooLarge(_ what: String, _ size: Int) -> ManifestError {
    .input(
      "\"\(what)\" is too large (\(size) bytes; importCluster reads at most \(maxBytes) bytes, "
        + "\(maxBytes >> 30) GiB, per call)")
  }

  // MARK: - Sources

  /// The bytes of one source: a file mapped read-only, or the text given as the argument.
  final class Source {
    /// The file, or nil for text given directly.
    let path: String?
    let bytes: UnsafeBufferPointer<UInt8>
    /// Whether `bytes` is a mapping of the file (else a copy of the text, owned here).
    private let mapped: Bool

    init(text: String) {
      let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.utf8.count)
      _ = copy.initialize(from: text.utf8)
      bytes = UnsafeBufferPointer(copy)
      path = nil
      mapped = false
    }

    init(path: String, bytes: UnsafeBufferPointer<UInt8>) {
      self.path = path
      self.bytes = bytes
      mapped = true
    }

    deinit {
      guard let base = bytes.baseAddress else { return }
      if mapped {
        munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
      } else {
        bytes.deallocate()
      }
    }

    /// The source as a string, for the YAML reader.
    func text() throws(ManifestError) -> String {
      guard let s = String(validating: bytes, as: UTF8.self) else {
        throw .input("error reading \"\(path ?? "")\": not UTF-8 text")
      }
      return s
    }
  }

  /// The source an argument names: a path, or the dump text itself.
  private static func open(_ arg: String) throws(ManifestError) -> Source {
    if ManifestInput.isText(arg) { return Source(text: arg) }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: arg, isDirectory: &isDir) else {
      throw .input("the path \"\(arg)\" does not exist")
    }
    guard !isDir.boolValue else { throw .input("\"\(arg)\" is a directory; give the dump's files") }
    let unreadable = ManifestError.input(
      "error reading \"\(arg)\": permission denied or not a regular file")
    let fd = Glibc.open(arg, O_RDONLY)
    guard fd >= 0 else { throw unreadable }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { throw unreadable }
    let size = Int(st.st_size)
    guard size <= maxBytes else { throw tooLarge(arg, size) }
    guard size > 0 else {
      return Source(path: arg, bytes: UnsafeBufferPointer(start: nil, count: 0))
    }
    guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
      throw unreadable
    }
    // The reader walks the file once from the front.
    madvise(base, size, MADV_SEQUENTIAL)
    let bytes = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: size)
    return Source(path: arg, bytes: bytes)
  }
}
