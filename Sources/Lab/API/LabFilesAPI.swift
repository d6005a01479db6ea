import Foundation
import LuaKit

/// `saveLab` and `loadLab`: a lab kept as the calls that built it. Every primitive that
/// changes the lab is recorded with the random generator's state before it, so replaying the
/// file gives back the same objects, names, addresses, settings, clock and random stream.
enum LabFilesAPI {
  /// The largest lab file `loadLab` reads (svclab's own bound: a lab file is Lua source,
  /// read whole and run by Lua's parser).
  static let maxLabFileBytes = 64 << 20
  /// The Lua instructions a lab file's chunk may run where the session sets no budget
  /// (`--max-instructions`), as much as `svclab test` gives each test: a saved lab is one
  /// table constructor, a few instructions per value, so only a file that loops reaches it.
  static let maxLabFileInstructions = 200_000_000

  /// The primitives that change the lab (reads, lookups and connections are not recorded).
  static let recorded = [
    "reset", "seed", "advance", "useNamespace", "addNode", "removeNode", "createNamespace",
    "deleteNamespace", "addPod", "deletePod", "setPodReady", "createDeployment", "scale",
    "deleteDeployment", "createService", "updateService", "deleteService", "createEndpointSlice",
    "updateEndpointSlice", "deleteEndpointSlice", "createEndpoints", "updateEndpoints",
    "deleteEndpoints",
    "dnsConfig", "corefile", "addExternalRecord", "setProxyMode", "setPodNetwork", "apply",
    "importCluster", "createServiceCIDR", "deleteServiceCIDR",
  ]

  static func register(_ lab: LabSession, in state: LuaState) throws {
    var recorders: [String: LuaFunctionRef] = [:]
    for name in recorded {
      guard case .function(let original) = state.global(name) else { continue }
      try state.register(name, help: state.helpEntries[name]) { call in
        try record(name, original, call, lab)
      }
      if case .function(let ref) = state.global(name) { recorders[name] = ref }
    }
    let replayers = recorders
    try state.register(
      "saveLab",
      help: HelpEntry(
        usage: "saveLab(path)",
        summary: "keep the whole lab (objects, settings, clock, seed) in a file loadLab reads")
    ) { call in
      let path = try call.checkString(1)
      let text = fileText(lab)
      guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
        throw call.error("cannot write \"\(path)\"")
      }
      return 0
    }
    try state.register(
      "loadLab",
      help: HelpEntry(usage: "loadLab(path)", summary: "restore a lab kept with saveLab")
    ) { call in
      let path = try call.checkString(1)
      let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
      guard size <= maxLabFileBytes else {
        throw call.error(
          "\"\(path)\" is too large (\(size) bytes; loadLab reads at most \(maxLabFileBytes))")
      }
      guard let data = FileManager.default.contents(atPath: path) else {
        throw call.error("cannot open \"\(path)\"")
      }
      let file = try parse(String(decoding: data, as: UTF8.self), path: path, call)
      let previous = lab.journal.entries
      do {
        try replay(file.entries, replayers, lab)
      } catch {
        try? replay(previous, replayers, lab)
        throw call.error("\(path): \((error as? LuaError)?.message ?? "\(error)")")
      }
      lab.cluster.random.state = file.randomState
      return 0
    }
  }

  /// Runs `original` with the call's arguments and records the call if it succeeded; its
  /// results stay on the stack as they are.
  private static func record(
    _ name: String, _ original: LuaFunctionRef, _ call: LuaCall, _ lab: LabSession
  ) throws -> Int {
    let before = lab.cluster.random.state
    let results: Int
    do {
      results = try call.forward(to: original)
    } catch let e as LuaError {
      throw LuaError(e.message, kind: e.kind)
    }
    // Converted once the primitive accepted them (it refuses, in its own words, a table
    // nested too deeply or too large); the arguments stay below its results.
    let args =
      call.argumentCount - results > 0
      ? (1...(call.argumentCount - results)).map { call.value(at: $0) } : []
    lab.journal.record(name, recordedArguments(name, args), randomState: before)
    for hook in lab.afterChange { hook() }
    return results
  }

  /// `apply` is recorded with the manifest text it read, so the file does not depend on
  /// manifests that may change later.
  private static func recordedArguments(_ name: String, _ args: [LuaValue]) -> [LuaValue] {
    guard name == "apply", case .string(let arg)? = args.first,
      let texts = try? ManifestInput.texts(arg), !ManifestInput.isText(arg)
    else { return args }
    return [.string(texts.map(\.text).joined(separator: "\n---\n"))]
  }

  static func fileText(_ lab: LabSession) -> String {
    let calls = lab.journal.entries.map { e -> LuaValue in
      var r = Record()
      r["call"] = .string(e.function)
      r["random"] = .integer(Int64(bitPattern: e.randomState))
      r["args"] = .list(e.arguments)
      return r.value
    }
    var file = Record()
    file["version"] = .int(1)
    file["now"] = .seconds(lab.cluster.now)
    file["random"] = .integer(Int64(bitPattern: lab.cluster.random.state))
    file["calls"] = .list(calls)
    return
      "-- svclab lab file: the calls that built the lab; restore it with loadLab(path)\nreturn "
      + LuaSource.write(file.value) + "\n"
  }

  struct LabFile {
    var entries: [Journal.Entry]
    var randomState: UInt64
  }

  /// Reads a lab file as data (no globals visible to it).
  private static func parse(_ text: String, path: String, _ call: LuaCall) throws -> LabFile {
    guard case .function(let load) = call.state.global("load") else {
      throw call.error("load is unavailable")
    }
    let loaded = try load.call([
      .string(text), .string("=\(path)"), .string("t"), .table(LuaTable()),
    ])
    guard case .function(let chunk)? = loaded.first else {
      throw call.error(
        "\(path): not a lab file (\(loaded.dropFirst().first?.stringValue ?? "unreadable"))")
    }
    let results: [LuaValue]
    do {
      results = try chunk.call(instructions: maxLabFileInstructions)
    } catch let e as LuaError {
      throw call.error("\(path): \(e.message)")
    }
    guard case .table(let t)? = results.first, t["version"] == .integer(1),
      case .integer(let random) = t["random"], case .table(let calls) = t["calls"]
    else { throw call.error("\(path): not a lab file saved by saveLab") }
    let entries = try calls.array.map { v -> Journal.Entry in
      guard case .table(let e) = v, case .string(let fn) = e["call"], recorded.contains(fn),
        case .integer(let r) = e["random"]
      else { throw call.error("\(path): not a lab file saved by saveLab") }
      let args = e["args"].tableValue?.array ?? []
      return Journal.Entry(function: fn, arguments: args, randomState: UInt64(bitPattern: r))
    }
    guard entries.first?.function == "reset" || entries.first?.function == "importCluster" else {
      throw call.error("\(path): a lab file starts with reset")
    }
    return LabFile(entries: entries, randomState: UInt64(bitPattern: random))
  }

  /// Replays recorded calls through the recording wrappers (so the journal is rebuilt).
  private static func replay(
    _ entries: [Journal.Entry], _ functions: [String: LuaFunctionRef], _ lab: LabSession
  ) throws {
    for e in entries {
      guard let f = functions[e.function] else { continue }
      if e.function != "reset" && e.function != "importCluster" {
        lab.cluster.random.state = e.randomState
      }
      _ = try f.call(e.arguments)
    }
  }
}
