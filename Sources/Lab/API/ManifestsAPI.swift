import Cluster
import LuaKit

/// `apply` and `export`: Kubernetes manifests in and out.
enum ManifestsAPI {
  static func register(_ lab: LabSession, in state: LuaState) throws {
    try state.register(
      "apply",
      help: HelpEntry(
        usage: "apply(pathOrYaml, opts)",
        summary:
          "create or update objects from manifests (a YAML/JSON string, a "
          + "file, or a folder); returns kubectl's lines",
        details:
          "Kinds: v1 Namespace, Node, Pod, Service, List; apps/v1 Deployment, StatefulSet (its "
          + "pods); discovery.k8s.io/v1 EndpointSlice. All or nothing: an error in any document "
          + "applies nothing. Limits: 4 MiB of text per call, nesting 200 deep, alias expansion as "
          + "go-yaml bounds it (see Docs/API.md, Limits). opts.validate as kubectl apply "
          + "--validate: \"strict\" (or true, the default) refuses a field Kubernetes 1.35 does "
          + "not declare for the kind (strict decoding error: unknown field \"spec.selecter\"); "
          + "\"warn\" applies and adds a line `Warning: unknown field ...` before the object's; "
          + "\"ignore\" (or false) drops such fields silently."
      )
    ) { call in
      let arg = try call.checkString(1)
      var f = Fields(try call.optTable(2), path: "opts", function: call.functionName)
      let validation = try validationMode(f.raw("validate"), call: call)
      try f.rejectUnknown()
      let lines: [String]
      do throws(ManifestError) {
        lines = try apply(arg, to: lab, validation: validation, memory: call.state.processMemory)
      } catch {
        throw call.error(error.message)
      }
      return try call.result(.strings(lines))
    }
    try state.register(
      "export",
      help: HelpEntry(
        usage: "export(opts)",
        summary: "the user's objects as multi-document Kubernetes YAML (opts: namespace, nodes)",
        details:
          "Leaves out the system namespaces and their objects, default/kubernetes, "
          + "controller-written EndpointSlices and Deployment-owned pods; nodes "
          + "only with nodes=true. Pods keep their node and address "
          + "(spec.nodeName, status.podIPs), which apply honours."
      )
    ) { call in
      var f = Fields(try call.optTable(1), path: "opts", function: call.functionName)
      var opts = ManifestExporter.Options()
      opts.namespace = try f.string("namespace")
      opts.nodes = try f.bool("nodes") ?? false
      try f.rejectUnknown()
      let docs = ManifestExporter.documents(lab.cluster, opts)
      return try call.result(.string(YAMLWriter.documents(docs)))
    }
  }

  /// kubectl's `--validate` values: strict (or true), warn, ignore (or false).
  static func validationMode(_ v: LuaValue, call: LuaCall) throws -> ManifestSchema.Validation {
    switch v {
    case .nil: return .strict
    case .boolean(let b): return b ? .strict : .ignore
    case .string(let s):
      // kubectl reads the flag as a Go boolean first (strconv.ParseBool), then as a mode.
      if ["1", "t", "T", "TRUE", "true", "True"].contains(s) { return .strict }
      if ["0", "f", "F", "FALSE", "false", "False"].contains(s) { return .ignore }
      if let mode = ManifestSchema.Validation(rawValue: s.lowercased()) { return mode }
      throw call.error(
        "invalid - validate option \"\(s)\"; must be one of: "
          + "strict (or true), warn, ignore (or false)"
      )
    default:
      throw call.error("opts.validate: string or boolean expected, got \(v.type.name)")
    }
  }

  /// Applies every object of `arg` to the lab, all or nothing: the objects go to a scratch
  /// copy of the cluster first, and the lab takes its state over only when all succeeded.
  ///
  /// With a process memory cap (`--max-memory`), the scratch copy is measured before the lab
  /// adopts it: past the cap the call fails with nothing changed.
  static func apply(
    _ arg: String, to lab: LabSession, validation: ManifestSchema.Validation = .strict,
    memory: ProcessMemory? = nil
  ) throws(ManifestError) -> [String] {
    let docs = try ManifestInput.documents(arg)
    guard !docs.isEmpty else { throw .input("no objects passed to apply") }
    var objects: [ManifestObject] = []
    var seen: [String: Int] = [:]
    for doc in docs {
      for o in try ManifestReader.objects(
        doc, namespace: lab.currentNamespace, validation: validation)
      {
        if let first = seen[o.identity] {
          throw .duplicate(document: o.document, object: o.display, first: first)
        }
        seen[o.identity] = o.document
        objects.append(o)
      }
    }
    let scratch: Cluster
    do { scratch = try lab.cluster.scratchCopy() } catch { throw .input(error.rendered()) }
    let recorder = ChangeRecorder()
    scratch.subscribe { recorder.changes.append($0) }
    let lines = try ManifestApplier.apply(objects, to: scratch)
    if let memory, memory.isOverLimit {
      throw .input(
        "not enough memory (the session holds more than its "
          + "limit of \(memory.limit) bytes, --max-memory)"
      )
    }
    lab.cluster.restore(scratch.snapshot(), announcing: recorder.changes)
    // The API server's warnings on each Service written, as kubectl prints them.
    for o in objects {
      if case .service = o.body, let s = lab.cluster.service(o.key) {
        lab.showAPIWarnings(ServiceWarnings.forService(s))
      }
    }
    return lines
  }
}

/// Collects the changes of a scratch cluster, to announce them when the lab adopts its state.
final class ChangeRecorder {
  var changes: [ClusterChange] = []
}
