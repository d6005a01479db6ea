import Foundation

/// Where `importCluster` reads from: one or several files written by
/// `kubectl get … -A -o yaml` or `-o json`, or that text itself.
enum DumpInput {
  /// The most one import reads (a 100,000-pod JSON dump is about 200 MB).
  static let maxBytes = 1 << 30

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

  /// The documents of every source, numbered from 1 across them.
  static func documents(_ sources: [String]) throws(ManifestError) -> [YAMLDocument] {
    var docs: [YAMLDocument] = []
    var total = 0
    for arg in sources {
      let (source, text) = try read(arg)
      total += text.utf8.count
      guard total <= maxBytes else {
        throw .input("the dump is too large (more than \(maxBytes >> 20) MiB)")
      }
      let first = text.first { !$0.isWhitespace }
      if first == "{" || first == "[" {
        docs.append(
          YAMLDocument(
            value: try json(text, source: source), index: docs.count + 1, source: source, line: 1))
      } else {
        docs += try YAMLReader.documents(text, source: source, firstIndex: docs.count + 1)
      }
    }
    return docs
  }

  /// The text of one source: a path, or the dump text itself.
  private static func read(_ arg: String) throws(ManifestError) -> (String?, String) {
    if ManifestInput.isText(arg) { return (nil, arg) }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: arg, isDirectory: &isDir) else {
      throw .input("the path \"\(arg)\" does not exist")
    }
    guard !isDir.boolValue else { throw .input("\"\(arg)\" is a directory; give the dump's files") }
    guard let data = FileManager.default.contents(atPath: arg) else {
      throw .input("error reading \"\(arg)\": permission denied or not a regular file")
    }
    guard data.count <= maxBytes, let text = String(data: data, encoding: .utf8) else {
      throw .input("error reading \"\(arg)\": not UTF-8 text or larger than \(maxBytes >> 20) MiB")
    }
    return (arg, text)
  }

  /// A JSON text as a value (Foundation's decoder: faster than the YAML reader on the
  /// hundreds of megabytes of a large cluster's `-o json`).
  static func json(_ text: String, source: String?) throws(ManifestError) -> YAMLValue {
    do {
      return try JSONDecoder().decode(JSONNode.self, from: Data(text.utf8)).value
    } catch let DecodingError.dataCorrupted(context) {
      let why =
        (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
      throw .syntax(source: source, message: "invalid JSON: \(why ?? context.debugDescription)")
    } catch {
      throw .syntax(source: source, message: "invalid JSON: \(error)")
    }
  }
}

/// One decoded JSON value.
private struct JSONNode: Decodable {
  let value: YAMLValue

  struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  init(from decoder: Decoder) throws {
    if let object = try? decoder.container(keyedBy: Key.self) {
      var map = YAMLMap()
      for key in object.allKeys {
        map[key.stringValue] = try object.decode(JSONNode.self, forKey: key).value
      }
      value = .map(map)
      return
    }
    if var array = try? decoder.unkeyedContainer() {
      var items: [YAMLValue] = []
      while !array.isAtEnd { items.append(try array.decode(JSONNode.self).value) }
      value = .list(items)
      return
    }
    let single = try decoder.singleValueContainer()
    if single.decodeNil() {
      value = .null
    } else if let b = try? single.decode(Bool.self) {
      value = .bool(b)
    } else if let n = try? single.decode(Int.self) {
      value = .int(n)
    } else if let d = try? single.decode(Double.self) {
      value = .double(d)
    } else {
      value = .string(try single.decode(String.self))
    }
  }
}
