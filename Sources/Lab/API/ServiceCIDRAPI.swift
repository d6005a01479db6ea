import Cluster
import LuaKit

/// ServiceCIDR objects (`createServiceCIDR`, `deleteServiceCIDR`, `getServiceCIDR`): more
/// ranges for ClusterIPs once the default one is full, as in Kubernetes 1.33+.
enum ServiceCIDRAPI {
  static func register(_ lab: LabSession, in state: LuaState) throws {
    try state.register(
      "createServiceCIDR",
      help: HelpEntry(
        usage: "createServiceCIDR(name, {cidrs = {...}})",
        summary:
          "a ServiceCIDR (networking.k8s.io/v1): one CIDR per family that ClusterIPs are "
          + "drawn from once the earlier ranges are full"
      )
    ) { call in
      let name = try call.checkString(1)
      var f = Fields(try call.checkTable(2), path: "spec", function: call.functionName)
      let cidrs = try f.strings("cidrs") ?? []
      try f.rejectUnknown()
      let obj = try call.cluster { () throws(ClusterError) in
        try lab.cluster.createServiceCIDR(name, cidrs: cidrs)
      }
      return try call.result(table(obj))
    }
    try state.register(
      "deleteServiceCIDR",
      help: HelpEntry(
        usage: "deleteServiceCIDR(name)",
        summary:
          "delete a ServiceCIDR; one still holding ClusterIPs no other ServiceCIDR covers "
          + "stays, Terminating, until they are released"
      )
    ) { call in
      let name = try call.checkString(1)
      try call.cluster { () throws(ClusterError) in try lab.cluster.deleteServiceCIDR(name) }
      return 0
    }
    try state.register(
      "getServiceCIDR",
      help: HelpEntry(
        usage: "getServiceCIDR(name)",
        summary:
          "a ServiceCIDR or nil: {name, cidrs, finalizers, terminating, "
          + "conditions={ {type, status, reason, message} }}"
      )
    ) { call in
      let name = try call.checkString(1)
      return try call.result(lab.cluster.serviceCIDR(name).map(table) ?? .nil)
    }
  }

  static func table(_ s: ServiceCIDR) -> LuaValue {
    var r = Record()
    r["name"] = .string(s.name)
    r["cidrs"] = .strings(s.cidrs.map(\.description))
    r["finalizers"] = .strings(s.finalizers)
    r["terminating"] = .boolean(s.deleting)
    var c = Record()
    c["type"] = .string("Ready")
    c["status"] = .string(s.ready.status)
    c["reason"] = s.ready.reason.isEmpty ? .nil : .string(s.ready.reason)
    c["message"] = .string(s.ready.message)
    r["conditions"] = .list([c.value])
    return r.value
  }
}
