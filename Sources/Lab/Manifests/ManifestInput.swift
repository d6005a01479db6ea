import Foundation

/// Where `apply` reads from: YAML text, a file, or every manifest file of a folder.
enum ManifestInput {
  /// The most `apply` reads in one call, so a mistaken path cannot swallow the process.
  static let maxBytes = 4 << 20

  /// Whether the argument is manifest text rather than a path.
  static func isText(_ s: String) -> Bool {
    s.contains("\n") || s.hasPrefix("{") || s.hasPrefix("apiVersion:") || s.hasPrefix("---")
      || s.hasPrefix("kind:")
  }

  /// The documents of the argument, numbered from 1 across files.
  static func documents(_ arg: String) throws(ManifestError) -> [YAMLDocument] {
    var docs: [YAMLDocument] = []
    var tally = YAMLGuard.Tally()
    for (source, text) in try texts(arg) {
      docs += try YAMLReader.documents(
        text, source: source, firstIndex: docs.count + 1, tally: &tally)
    }
    return docs
  }

  /// The manifest texts of the argument with the file each came from (nil for text).
  static func texts(_ arg: String) throws(ManifestError) -> [(source: String?, text: String)] {
    if isText(arg) {
      guard arg.utf8.count <= maxBytes else { throw tooLarge("the manifest text", arg.utf8.count) }
      return [(nil, arg)]
    }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: arg, isDirectory: &isDir) else {
      throw .input("the path \"\(arg)\" does not exist")
    }
    var files = [arg]
    if isDir.boolValue {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: arg)) ?? []
      files = names.filter { n in [".yaml", ".yml", ".json"].contains { n.hasSuffix($0) } }.sorted()
        .map { (arg as NSString).appendingPathComponent($0) }
      if files.isEmpty {
        throw .input("no objects passed to apply (no .yaml, .yml or .json file in \"\(arg)\")")
      }
    }
    var total = 0
    var out: [(source: String?, text: String)] = []
    for file in files {
      let size = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0
      total += size
      guard total <= maxBytes else { throw tooLarge("\"\(file)\"", total) }
      guard let data = FileManager.default.contents(atPath: file) else {
        throw .input("error reading \"\(file)\": permission denied or not a regular file")
      }
      guard let text = String(data: data, encoding: .utf8) else {
        throw .input("error reading \"\(file)\": not UTF-8 text")
      }
      out.append((file, text))
    }
    return out
  }

  private static func tooLarge(_ what: String, _ size: Int) -> ManifestError {
    .input(
      "\(what) is too large (\(size) bytes; apply reads at most \(maxBytes) bytes, 4 MiB, per call)"
    )
  }
}
