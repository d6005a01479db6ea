import LuaKit

/// The Lua API of svclab: installs every primitive of the contract in a Lua state.
public enum Lab {
  /// Registers svclab's primitives in a fresh state, with a new default cluster.
  public static func install(in state: LuaState) throws {
    let lab = try LabSession()
    try ClusterAPI.register(lab, in: state)
    try ObjectsAPI.register(lab, in: state)
    try DNSAPI.register(lab, in: state)
    let wire = try WireAPI.register(lab, in: state)
    try TrafficAPI.register(lab, in: state)
    try ManifestsAPI.register(lab, in: state)
    try ViewsAPI.register(lab, in: state)
    try InvariantsAPI.register(lab, in: state)
    try KernelAPI.register(lab, in: state, wire: wire)
    try ImportAPI.register(lab, in: state)
    try RulesAPI.register(lab, in: state)
    CompletionAPI.install(lab, in: state)
    // Last: it wraps the primitives above that change the lab, to record them.
    try LabFilesAPI.register(lab, in: state)
    // Over its --max-memory cap a session can still give memory back.
    state.processMemory?.releasing = [
      "reset", "deleteNamespace", "deletePod", "deleteDeployment", "deleteService", "removeNode",
      "scale", "disconnect",
    ]
  }

  /// Whether the file at `path` is a cluster dump (`kubectl get … -o yaml|json`) rather than
  /// a Lua script, so that `svclab FILE` imports it.
  public static func isClusterDump(path: String) -> Bool { DumpInput.isDump(path: path) }
}
