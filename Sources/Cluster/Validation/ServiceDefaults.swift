import NetAddr

/// The v1 defaulting and registry preparation a Service goes through before validation.
enum ServiceDefaults {
  /// `SetDefaults_Service` plus `clusterIP`/`clusterIPs` syncing (`PrepareForCreate`).
  static func apply(_ s: inout ServiceSpec) {
    if s.type.rawValue.isEmpty { s.type = .clusterIP }
    if s.sessionAffinity.rawValue.isEmpty { s.sessionAffinity = .none }
    if s.sessionAffinity == .none { s.sessionAffinityTimeoutSeconds = nil }
    if s.sessionAffinity == .clientIP && s.sessionAffinityTimeoutSeconds == nil {
      s.sessionAffinityTimeoutSeconds = 10800
    }
    for i in s.ports.indices {
      if s.ports[i].protocol.rawValue.isEmpty { s.ports[i].protocol = .tcp }
      if s.ports[i].targetPort == nil || s.ports[i].targetPort == .int(0)
        || s.ports[i].targetPort == .string("")
      {
        s.ports[i].targetPort = .int(s.ports[i].port)
      }
      if s.ports[i].nodePort == 0 { s.ports[i].nodePort = nil }
    }
    // Every externally-accessible Service (ClusterIP with externalIPs included) gets Cluster.
    if externallyAccessible(s) && s.externalTrafficPolicy == nil {
      s.externalTrafficPolicy = .cluster
    }
    if s.type != .externalName && s.internalTrafficPolicy == nil {
      s.internalTrafficPolicy = .cluster
    }
    if s.type == .loadBalancer && s.allocateLoadBalancerNodePorts == nil {
      s.allocateLoadBalancerNodePorts = true
    }
    if s.healthCheckNodePort == 0 { s.healthCheckNodePort = nil }
    if !s.clusterIP.isEmpty && s.clusterIPs.isEmpty { s.clusterIPs = [s.clusterIP] }
    if s.clusterIP.isEmpty, let first = s.clusterIPs.first { s.clusterIP = first }
  }

  /// `dropTypeDependentFields`: on update, fields the new type no longer uses are cleared when
  /// the caller left them as they were.
  static func dropTypeDependentFields(_ s: inout ServiceSpec, old: ServiceSpec) {
    if needsClusterIP(old) && !needsClusterIP(s) && s.clusterIPs == old.clusterIPs {
      s.clusterIP = ""
      s.clusterIPs = []
      if s.ipFamilies == old.ipFamilies { s.ipFamilies = [] }
      if s.ipFamilyPolicy == old.ipFamilyPolicy { s.ipFamilyPolicy = nil }
    }
    if needsNodePort(old) && !needsNodePort(s) {
      for i in s.ports.indices
      where old.ports.contains(where: { $0.nodePort == s.ports[i].nodePort }) {
        s.ports[i].nodePort = nil
      }
    }
    if needsHealthCheck(old) && !needsHealthCheck(s)
      && s.healthCheckNodePort == old.healthCheckNodePort
    {
      s.healthCheckNodePort = nil
    }
    if old.type == .loadBalancer && s.type != .loadBalancer
      && s.allocateLoadBalancerNodePorts == old.allocateLoadBalancerNodePorts
    {
      s.allocateLoadBalancerNodePorts = nil
    }
    if !externallyAccessible(s) && s.externalTrafficPolicy == old.externalTrafficPolicy {
      s.externalTrafficPolicy = nil
    }
  }

  static func needsClusterIP(_ s: ServiceSpec) -> Bool { s.type != .externalName }
  static func needsNodePort(_ s: ServiceSpec) -> Bool {
    s.type == .nodePort || s.type == .loadBalancer
  }
  /// `NeedsHealthCheck`: LoadBalancer with externalTrafficPolicy Local.
  static func needsHealthCheck(_ s: ServiceSpec) -> Bool {
    s.type == .loadBalancer && s.externalTrafficPolicy == .local
  }
  /// `ExternallyAccessible`: NodePort, LoadBalancer, or ClusterIP with external IPs.
  static func externallyAccessible(_ s: ServiceSpec) -> Bool {
    s.type == .loadBalancer || s.type == .nodePort
      || (s.type == .clusterIP && !s.externalIPs.isEmpty)
  }
  /// Whether new node ports are handed out (`shouldAllocateNodePorts`).
  static func shouldAllocateNodePorts(_ s: ServiceSpec) -> Bool {
    s.type == .nodePort || (s.type == .loadBalancer && s.allocateLoadBalancerNodePorts != false)
  }

  static func family(of text: String) -> IPFamily? { IPAddress(text)?.family }
}
