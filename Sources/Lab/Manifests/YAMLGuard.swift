import CYaml

/// The limits every manifest document (YAML or JSON) is held to, checked with libyaml's
/// event parser — the parser Yams itself runs — before Yams composes the text, because
/// Yams's composer recurses once per nesting level and shares aliased nodes, so that
/// both a deep document and an alias "billion laughs" would only fail later, in Swift,
/// by overflowing the stack or by expanding without end. Nothing is built here: the walk
/// keeps one small frame per open collection and one count per anchor.
///
/// Every reader of manifests goes through ``YAMLReader/documents(_:source:firstIndex:)``,
/// which calls this first, so the limits hold for every kind and every importer.
enum YAMLGuard {
  /// The deepest nesting of collections a document may have (aliases counted where they
  /// are used). The anchors: the Go decoders under kubectl and the API server stop at
  /// 10,000 (go-yaml's max depth, go-yaml PR #515; encoding/json's maxNestingDepth), and
  /// Lua stops at LUAI_MAXCCALLS = 200 (llimits.h). The lower one applies: documents
  /// become Lua tables (`export`, `get`), Yams's composer and the conversion recurse in
  /// Swift once per level, and Yams alone (a debug build, 8 MiB stack) composes 5,000
  /// nested flow sequences but dies of a stack overflow at 10,000 (measured). No object the
  /// lab models nests past about 15 levels.
  static let maxDepth = 200

  /// Alias expansion, as go-yaml v2.2.8+ (and sigs.k8s.io/yaml's goyaml.v2 fork, which
  /// kubectl and the API server decode with) bounds it since CVE-2019-11253: a document
  /// is refused once more than 100 of its decoded nodes came from aliases, it has more
  /// than 1,000 nodes in all, and the share of alias-driven nodes exceeds 99% up to
  /// 400,000 nodes, tapering to 10% at 4,000,000 and beyond (go-yaml PR #515). So a small
  /// document expands to at most ~400,000 nodes and a large one by at most 10% of itself.
  static func allowedAliasRatio(_ decoded: Int) -> Double {
    let low = 400_000.0
    let high = 4_000_000.0
    let n = Double(decoded)
    if n <= low { return 0.99 }
    if n >= high { return 0.10 }
    return 0.99 - 0.89 * (n - low) / (high - low)
  }

  /// Whether `aliasNodes` of `decoded` nodes from aliases is too many (go-yaml's rule).
  static func excessiveAliasing(aliasNodes: Int, decoded: Int) -> Bool {
    aliasNodes > 100 && decoded > 1000
      && Double(aliasNodes) / Double(decoded) > allowedAliasRatio(decoded)
  }

  /// One open collection: the nodes under it (aliases expanded), the height of its
  /// deepest child, and its anchor.
  private struct Frame {
    var nodes = 1
    var height = 0
    var anchor: String?
  }

  /// Counts saturate here instead of overflowing.
  private static let saturation = 1 << 50

  /// The nodes decoded so far in one call, and how many of them came from aliases. go-yaml
  /// counts per document; here the whole call counts as one, across its documents and
  /// files (Yams keeps anchors from one document to the next, and a folder of small files
  /// must not add up to what one file may not).
  struct Tally {
    var decoded = 0
    var aliasNodes = 0
  }

  /// Throws when `text` nests deeper than ``maxDepth`` or expands aliases past the rule
  /// above. A syntax error ends the check quietly: Yams then reports it in its words,
  /// having met nothing deeper than the check did before it.
  static func check(_ text: String, source: String?, tally: inout Tally) throws(ManifestError) {
    var copy = text
    let problem: (line: Int, message: String)? = copy.withUTF8 { bytes in scan(bytes, &tally) }
    if let problem {
      throw .syntax(source: source, message: "yaml: line \(problem.line): \(problem.message)")
    }
  }

  private static func scan(
    _ bytes: UnsafeBufferPointer<UInt8>, _ tally: inout Tally
  ) -> (line: Int, message: String)? {
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else { return nil }
    defer { yaml_parser_delete(&parser) }
    yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
    var stack: [Frame] = []
    var anchors: [String: (nodes: Int, height: Int)] = [:]
    var decoded = tally.decoded
    var aliasNodes = tally.aliasNodes
    defer { tally = Tally(decoded: decoded, aliasNodes: aliasNodes) }

    func close(_ frame: Frame) {
      if let anchor = frame.anchor { anchors[anchor] = (frame.nodes, frame.height) }
      guard !stack.isEmpty else { return }
      stack[stack.count - 1].nodes = min(saturation, stack[stack.count - 1].nodes + frame.nodes)
      stack[stack.count - 1].height = max(stack[stack.count - 1].height, frame.height + 1)
    }
    func name(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
      p.map { String(cString: $0) }
    }

    while true {
      var event = yaml_event_t()
      guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
      defer { yaml_event_delete(&event) }
      let line = Int(event.start_mark.line) + 1
      switch event.type {
      case YAML_STREAM_END_EVENT:
        return nil
      case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
        let anchor =
          event.type == YAML_SEQUENCE_START_EVENT
          ? name(event.data.sequence_start.anchor) : name(event.data.mapping_start.anchor)
        decoded = min(saturation, decoded + 1)
        stack.append(Frame(anchor: anchor))
        if stack.count > maxDepth { return (line, "nested too deeply (limit \(maxDepth))") }
      case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
        if let frame = stack.popLast() { close(frame) }
      case YAML_SCALAR_EVENT:
        decoded = min(saturation, decoded + 1)
        let anchor = name(event.data.scalar.anchor)
        if let anchor { anchors[anchor] = (1, -1) }
        if !stack.isEmpty {
          stack[stack.count - 1].nodes = min(saturation, stack[stack.count - 1].nodes + 1)
        }
      case YAML_ALIAS_EVENT:
        // An undefined alias is Yams's error to report.
        guard let target = name(event.data.alias.anchor).flatMap({ anchors[$0] }) else { continue }
        if stack.count + target.height + 1 > maxDepth {
          return (line, "nested too deeply (limit \(maxDepth))")
        }
        decoded = min(saturation, decoded + target.nodes)
        aliasNodes = min(saturation, aliasNodes + target.nodes)
        if excessiveAliasing(aliasNodes: aliasNodes, decoded: decoded) {
          return (line, "document contains excessive aliasing")
        }
        if !stack.isEmpty {
          stack[stack.count - 1].nodes = min(
            saturation, stack[stack.count - 1].nodes + target.nodes)
          stack[stack.count - 1].height = max(stack[stack.count - 1].height, target.height + 1)
        }
      default:
        break
      }
    }
  }
}
