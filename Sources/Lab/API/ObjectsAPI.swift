import Cluster
import LuaKit

/// Nodes, namespaces, pods, Deployments, Services and EndpointSlices: the API objects.
enum ObjectsAPI {
  static func register(_ lab: LabSession, in state: LuaState) throws {
    try registerNodesAndNamespaces(lab, state)
    try registerPods(lab, state)
    try registerDeployments(lab, state)
    try registerServices(lab, state)
    try registerSlices(lab, state)
    try EndpointsAPI.register(lab, in: state)
    try ServiceCIDRAPI.register(lab, in: state)
    try registerReads(lab, state)
  }

  /// The `namespace` field of an options table, if any.
  static func namespaceOption(_ t: LuaTable?) -> String? {
    if case .string(let s) = t?["namespace"] { return s }
    return nil
  }

  private static func registerNodesAndNamespaces(_ lab: LabSession, _ state: LuaState) throws {
    try state.register(
      "addNode",
      help: HelpEntry(
        usage: "addNode(name, opts)",
        summary: "add a node (opts: zone, region, ip, podCIDR, labels, dnsSearch)")
    ) { call in
      let name = try call.checkString(1)
      let opts = try SpecReaders.nodeOptions(call.optTable(2), function: call.functionName)
      let node = try call.cluster { () throws(ClusterError) in try lab.cluster.addNode(name, opts) }
      return try call.result(ObjectTables.node(node))
    }
    try state.register(
      "removeNode",
      help: HelpEntry(
        usage: "removeNode(name)",
        summary: "remove a node; its pods go away, Deployment pods are recreated elsewhere")
    ) { call in
      let name = try lab.plainName(call, 1)
      try call.cluster { () throws(ClusterError) in try lab.cluster.removeNode(name) }
      return 0
    }
    try state.register(
      "createNamespace",
      help: HelpEntry(
        usage: "createNamespace(name, opts)", summary: "create a namespace (opts: labels)")
    ) { call in
      let name = try call.checkString(1)
      var f = Fields(try call.optTable(2), path: "opts", function: call.functionName)
      let labels = try f.stringMap("labels") ?? [:]
      try f.rejectUnknown()
      let ns = try call.cluster { () throws(ClusterError) in
        try lab.cluster.createNamespace(name, labels: labels)
      }
      return try call.result(ObjectTables.namespace(ns))
    }
    try state.register(
      "deleteNamespace",
      help: HelpEntry(
        usage: "deleteNamespace(name)", summary: "delete a namespace and everything in it")
    ) { call in
      let name = try lab.plainName(call, 1)
      try call.cluster { () throws(ClusterError) in try lab.cluster.deleteNamespace(name) }
      if lab.currentNamespace == name { lab.currentNamespace = "default" }
      return 0
    }
  }

  private static func registerPods(_ lab: LabSession, _ state: LuaState) throws {
    try state.register(
      "addPod",
      help: HelpEntry(
        usage: "addPod(name, opts)",
        summary:
          "create a pod (opts: namespace, labels, node, ip, ready, ports, hostname, "
          + "subdomain, dnsPolicy, dnsConfig, hostNetwork)"
      )
    ) { call in
      let opts = try call.optTable(2)
      let key = try lab.key(call, 1, namespace: namespaceOption(opts))
      let o = try SpecReaders.podOptions(
        opts, function: call.functionName, name: key.name, namespace: key.namespace)
      let pod = try call.cluster { () throws(ClusterError) in try lab.cluster.addPod(key.name, o) }
      try ObjectTables.pushPod(pod, on: call)
      return 1
    }
    try state.register(
      "deletePod",
      help: HelpEntry(
        usage: "deletePod(name, opts)",
        summary:
          "delete a pod (opts: grace seconds, default 30; it "
          + "stays Terminating until the clock passes it)"
      )
    ) { call in
      let opts = try call.optTable(2)
      let key = try lab.key(call, 1, namespace: namespaceOption(opts))
      var f = Fields(opts, path: "opts", function: call.functionName)
      _ = f.raw("namespace")
      let grace = try f.int("grace")
      try f.rejectUnknown()
      if let grace, grace < 0 {
        throw call.error(
          "Pod \"\(key.name)\" is invalid: gracePeriodSeconds: Invalid value: "
            + "\(grace): must be greater than or equal to 0"
        )
      }
      try call.cluster { () throws(ClusterError) in try lab.cluster.deletePod(key, grace: grace) }
      return 0
    }
    try state.register(
      "setPodReady",
      help: HelpEntry(
        usage: "setPodReady(name, ready, opts)",
        summary: "set a pod's Ready condition; endpoints follow")
    ) { call in
      let opts = try call.optTable(3)
      let key = try lab.key(call, 1, namespace: namespaceOption(opts))
      let ready = try call.checkBoolean(2)
      let pod = try call.cluster { () throws(ClusterError) in
        try lab.cluster.setPodReady(key, ready)
      }
      try ObjectTables.pushPod(pod, on: call)
      return 1
    }
  }

  private static func registerDeployments(_ lab: LabSession, _ state: LuaState) throws {
    try state.register(
      "createDeployment",
      help: HelpEntry(
        usage: "createDeployment(name, opts)",
        summary:
          "create a Deployment (opts: replicas, labels, selector, ports, "
          + "namespace); pods are <name>-<hash>-<5 chars>"
      )
    ) { call in
      let opts = try call.optTable(2)
      let key = try lab.key(call, 1, namespace: namespaceOption(opts))
      let o = try SpecReaders.deploymentOptions(
        opts, function: call.functionName, name: key.name, namespace: key.namespace)
      let d = try call.cluster { () throws(ClusterError) in
        try lab.cluster.createDeployment(key.name, o)
      }
      return try call.result(ObjectTables.deployment(d))
    }
    try state.register(
      "scale",
      help: HelpEntry(
        usage: "scale(name, replicas, opts)", summary: "change a Deployment's replica count")
    ) { call in
      let opts = try call.optTable(3)
      let key = try lab.key(call, 1, namespace: namespaceOption(opts))
      let n = try call.checkInteger(2)
      try SpecReaders.int32(
        n, field: "replicas", owner: "ScaleSpec.spec", function: call.functionName)
      let d = try call.cluster { () throws(ClusterError) in try lab.cluster.scale(key, replicas: n)
      }
      return try call.result(ObjectTables.deployment(d))
    }
    try state.register(
      "deleteDeployment",
      help: HelpEntry(
        usage: "deleteDeployment(name, opts)",
        summary: "delete a Deployment and its pods (never a Service)")
    ) { call in
      let key = try lab.key(call, 1, namespace: namespaceOption(try call.optTable(2)))
      try call.cluster { () throws(ClusterError) in try lab.cluster.deleteDeployment(key) }
      return 0
    }
  }

  private static func registerServices(_ lab: LabSession, _ state: LuaState) throws {
    try state.register(
      "createService",
      help: HelpEntry(
        usage: "createService(name, spec)",
        summary:
          "create a Service (v1 spec fields: type, selector, ports, clusterIP(s), ipFamilies, "
          + "ipFamilyPolicy, externalName, externalIPs, sessionAffinity, "
          + "externalTrafficPolicy, internalTrafficPolicy, ...)",
        details:
          "loadBalancerIPMode (\"VIP\" or \"Proxy\") sets the ipMode the simulated cloud "
          + "reports in status.loadBalancer.ingress[]. The API server's warnings are "
          + "printed as kubectl prints them (Warning: ...)."
      )
    ) { call in
      let spec = try call.checkTable(2, name: "spec")
      let key = try lab.key(call, 1, namespace: namespaceOption(spec))
      let (s, labels) = try SpecReaders.serviceSpec(
        spec, over: ServiceSpec(), function: call.functionName, name: key.name)
      let mode = try SpecReaders.loadBalancerIPMode(
        spec, function: call.functionName, name: key.name)
      var svc = try call.cluster { () throws(ClusterError) in
        try lab.cluster.createService(
          key.name, namespace: key.namespace, spec: s, labels: labels ?? [:])
      }
      if let mode {
        svc = try call.cluster { () throws(ClusterError) in
          try lab.cluster.setLoadBalancerIPMode(key, mode)
        }
      }
      lab.showAPIWarnings(ServiceWarnings.forService(svc))
      return try call.result(ObjectTables.service(svc))
    }
    try state.register(
      "updateService",
      help: HelpEntry(
        usage: "updateService(name, changes)",
        summary: "change some fields of a Service's spec (same validation as create)",
        details:
          "loadBalancerIPMode (\"VIP\" or \"Proxy\") changes the ipMode the simulated "
          + "cloud reports; warnings as for createService."
      )
    ) { call in
      let changes = try call.checkTable(2, name: "spec")
      let key = try lab.key(call, 1, namespace: namespaceOption(changes))
      guard let old = lab.cluster.service(key) else {
        throw call.error("services \"\(key.name)\" not found")
      }
      let (s, labels) = try SpecReaders.serviceSpec(
        changes, over: old.spec, function: call.functionName, name: key.name)
      let mode = try SpecReaders.loadBalancerIPMode(
        changes, function: call.functionName, name: key.name)
      var svc = try call.cluster { () throws(ClusterError) in
        try lab.cluster.updateService(key, spec: s, labels: labels)
      }
      if let mode {
        svc = try call.cluster { () throws(ClusterError) in
          try lab.cluster.setLoadBalancerIPMode(key, mode)
        }
      }
      lab.showAPIWarnings(ServiceWarnings.forService(svc))
      return try call.result(ObjectTables.service(svc))
    }
    try state.register(
      "deleteService",
      help: HelpEntry(usage: "deleteService(name, opts)", summary: "delete a Service")
    ) { call in
      let key = try lab.key(call, 1, namespace: namespaceOption(try call.optTable(2)))
      try call.cluster { () throws(ClusterError) in try lab.cluster.deleteService(key) }
      return 0
    }
  }
}
