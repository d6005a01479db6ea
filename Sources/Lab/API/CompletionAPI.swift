import Cluster
import LuaKit

/// Tab completion of object names inside string arguments in the REPL
/// (`getPod("web-<TAB>`, `resolve("kubernetes.<TAB>`).
enum CompletionAPI {
  static func install(_ lab: LabSession, in state: LuaState) {
    state.stringArgumentCompleter = { function, partial in
      candidates(function, lab).filter { $0.hasPrefix(partial) }
    }
  }

  /// Names in the current namespace are offered bare, others as `ns/name`.
  static func names(_ keys: [NamespacedName], _ lab: LabSession) -> [String] {
    keys.map { $0.namespace == lab.currentNamespace ? $0.name : "\($0.namespace)/\($0.name)" }
  }

  static func candidates(_ function: String, _ lab: LabSession) -> [String] {
    let c = lab.cluster
    let pods = { names(c.pods().map(\.key), lab) }
    let services = { names(c.services().map(\.key), lab) }
    switch function {
    case "resolve", "dig": return DNSAPI.serviceNames(lab, for: function)
    case "getPod", "deletePod", "setPodReady", "resolvConf", "hostsFile": return pods().sorted()
    case "connect", "trace", "distribution": return (pods() + services()).sorted()
    case "getService", "updateService", "deleteService", "endpoints", "endpointSlices":
      return services().sorted()
    case "getDeployment", "scale", "deleteDeployment":
      return names(c.deployments().map(\.key), lab).sorted()
    case "getNode", "removeNode", "iptablesSave", "nftRuleset", "ipvsadm":
      return c.nodes().map(\.name)
    case "useNamespace", "deleteNamespace", "getNamespace": return c.namespaces().map(\.name)
    case "get", "describe":
      return ["deployments", "endpointslices", "namespaces", "nodes", "pods", "services", "svc"]
    default: return []
    }
  }
}
