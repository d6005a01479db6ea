import Testing

@testable import Cluster

@Suite struct ServiceValidationTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let id: String
    var name = "web"
    let spec: ServiceSpec
    let message: String
    var testDescription: String { id }
  }

  static let port80 = [ServicePort(port: 80)]

  /// The API server's message for a value outside a field's allowed ones (`NotSupported`);
  /// `supported` as it prints them.
  static func unsupported(_ field: String, _ value: String, _ supported: String) -> String {
    "Service \"web\" is invalid: \(field): Unsupported value: \"\(value)\": "
      + "supported values: \(supported)"
  }

  static let cases: [Case] = [
    Case(
      id: "port out of range",
      spec: ServiceSpec(
        selector: ["a": "b"], ports: [ServicePort(port: 70000, targetPort: .int(8080))]),
      message:
        #"Service "web" is invalid: spec.ports[0].port: Invalid value: "#
        + #"70000: must be between 1 and 65535, inclusive"#
    ),
    Case(
      id: "DNS-1035 name", name: "My_Svc", spec: ServiceSpec(ports: port80),
      message:
        #"Service "My_Svc" is invalid: metadata.name: Invalid value: "My_Svc": a DNS-1035 label "#
        + #"must consist of lower case alphanumeric characters or '-', start with an alphabetic "#
        + #"character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "#
        + #"regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"#
    ),
    Case(
      id: "name too long", name: String(repeating: "a", count: 64),
      spec: ServiceSpec(ports: port80),
      message: #"Service ""# + String(repeating: "a", count: 64)
        + #"" is invalid: metadata.name: Invalid value: ""# + String(repeating: "a", count: 64)
        + #"": must be no more than 63 characters"#),
    Case(
      id: "ports required", spec: ServiceSpec(selector: ["a": "b"]),
      message: #"Service "web" is invalid: spec.ports: Required value"#),
    Case(
      id: "names required with several ports",
      spec: ServiceSpec(ports: [ServicePort(port: 80), ServicePort(name: "b", port: 81)]),
      message: #"Service "web" is invalid: spec.ports[0].name: Required value"#),
    Case(
      id: "duplicate port names",
      spec: ServiceSpec(ports: [
        ServicePort(name: "http", port: 80), ServicePort(name: "http", port: 81),
      ]),
      message: #"Service "web" is invalid: spec.ports[1].name: Duplicate value: "http""#),
    Case(
      id: "upper-case port name", spec: ServiceSpec(ports: [ServicePort(name: "HTTP", port: 80)]),
      message:
        #"Service "web" is invalid: spec.ports[0].name: Invalid value: "HTTP": a lowercase RFC "#
        + #"1123 label must consist of lower case alphanumeric characters or '-', and must start "#
        + #"and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "#
        + #"validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"#
    ),
    Case(
      id: "protocol", spec: ServiceSpec(ports: [ServicePort(protocol: "ICMP", port: 80)]),
      message: unsupported("spec.ports[0].protocol", "ICMP", #""SCTP", "TCP", "UDP""#)
    ),
    Case(
      id: "duplicate protocol and port",
      spec: ServiceSpec(ports: [ServicePort(name: "a", port: 80), ServicePort(name: "b", port: 80)]
      ),
      message:
        #"Service "web" is invalid: spec.ports[1]: Duplicate value: "#
        + #"{"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}"#
    ),
    Case(
      id: "targetPort number",
      spec: ServiceSpec(ports: [ServicePort(port: 80, targetPort: .int(70000))]),
      message:
        #"Service "web" is invalid: spec.ports[0].targetPort: Invalid value: "#
        + #"70000: must be between 1 and 65535, inclusive"#
    ),
    Case(
      id: "targetPort name too long",
      spec: ServiceSpec(ports: [ServicePort(port: 80, targetPort: .string("averyveryverylongname"))]
      ),
      message:
        #"Service "web" is invalid: spec.ports[0].targetPort: Invalid value: "#
        + #""averyveryverylongname": must be no more than 15 characters"#
    ),
    Case(
      id: "nodePort on ClusterIP",
      spec: ServiceSpec(ports: [ServicePort(port: 80, nodePort: 30080)]),
      message:
        "Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: "
        + "may not be used when `type` is 'ClusterIP'"
    ),
    Case(
      id: "headless LoadBalancer",
      spec: ServiceSpec(
        type: .loadBalancer, selector: ["a": "b"], ports: port80, clusterIP: "None"),
      message:
        #"Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "None": may not be "#
        + #"set to 'None' for LoadBalancer services"#
    ),
    Case(
      id: "headless NodePort",
      spec: ServiceSpec(type: .nodePort, selector: ["a": "b"], ports: port80, clusterIP: "None"),
      message:
        #"Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "None": may "#
        + #"not be set to 'None' for NodePort services"#
    ),
    Case(
      id: "ExternalName without name", spec: ServiceSpec(type: .externalName),
      message: #"Service "web" is invalid: spec.externalName: Required value"#),
    Case(
      id: "ExternalName with clusterIP",
      spec: ServiceSpec(type: .externalName, clusterIP: "10.96.0.50", externalName: "example.com"),
      message:
        #"Service "web" is invalid: spec.clusterIPs: Forbidden: "#
        + #"may not be set for ExternalName services"#
    ),
    Case(
      id: "ExternalName bad name",
      spec: ServiceSpec(type: .externalName, externalName: "Bad_Name.com."),
      message:
        #"Service "web" is invalid: spec.externalName: Invalid value: "Bad_Name.com": a lowercase "#
        + #"RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "#
        + #"and must start and end with an alphanumeric character (e.g. 'example.com', regex used "#
        + #"for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
    ),
    Case(
      id: "session affinity value", spec: ServiceSpec(ports: port80, sessionAffinity: "Sticky"),
      message: unsupported("spec.sessionAffinity", "Sticky", #""ClientIP", "None""#)
    ),
    Case(
      id: "ClientIP timeout",
      spec: ServiceSpec(
        ports: port80, sessionAffinity: .clientIP, sessionAffinityTimeoutSeconds: 90000),
      message:
        #"Service "web" is invalid: spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid "#
        + #"value: 90000: must be greater than 0 and less than 86400"#
    ),
    Case(
      id: "eTP on ClusterIP", spec: ServiceSpec(ports: port80, externalTrafficPolicy: .local),
      message:
        #"Service "web" is invalid: spec.externalTrafficPolicy: Invalid value: "Local": may only "#
        + #"be set for externally-accessible services"#
    ),
    Case(
      id: "eTP value",
      spec: ServiceSpec(type: .nodePort, ports: port80, externalTrafficPolicy: "Nearby"),
      message: unsupported("spec.externalTrafficPolicy", "Nearby", #""Cluster", "Local""#)
    ),
    Case(
      id: "iTP value", spec: ServiceSpec(ports: port80, internalTrafficPolicy: "Node"),
      message: unsupported("spec.internalTrafficPolicy", "Node", #""Cluster", "Local""#)
    ),
    Case(
      id: "trafficDistribution", spec: ServiceSpec(ports: port80, trafficDistribution: "Anywhere"),
      message: unsupported(
        "spec.trafficDistribution", "Anywhere",
        #""PreferClose", "PreferSameNode", "PreferSameZone""#)
    ),
    Case(
      id: "source ranges on ClusterIP",
      spec: ServiceSpec(ports: port80, loadBalancerSourceRanges: ["10.0.0.0/8"]),
      message:
        "Service \"web\" is invalid: spec.LoadBalancerSourceRanges: Forbidden: may "
        + "only be used when `type` is 'LoadBalancer'"
    ),
    Case(
      id: "bad source range",
      spec: ServiceSpec(
        type: .loadBalancer, ports: port80, loadBalancerSourceRanges: ["10.0.0.0/33"]),
      message:
        #"Service "web" is invalid: spec.LoadBalancerSourceRanges[0]: Invalid value: "#
        + #""10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"#
    ),
    Case(
      id: "healthCheckNodePort misuse",
      spec: ServiceSpec(type: .nodePort, ports: port80, healthCheckNodePort: 30000),
      message:
        "Service \"web\" is invalid: spec.healthCheckNodePort: Invalid value: 30000: may only be "
        + "set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"
    ),
    Case(
      id: "type", spec: ServiceSpec(type: "Foo", ports: port80),
      message: unsupported(
        "spec.type", "Foo", #""ClusterIP", "ExternalName", "LoadBalancer", "NodePort""#)
    ),
    Case(
      id: "dual stack on single-stack cluster",
      spec: ServiceSpec(ports: port80, ipFamilyPolicy: .requireDualStack),
      message:
        #"Service "web" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this "#
        + #"cluster is not configured for dual-stack services"#
    ),
    Case(
      id: "IPv6 not configured", spec: ServiceSpec(ports: port80, ipFamilies: [.v6]),
      message:
        #"Service "web" is invalid: spec.ipFamilies[0]: Invalid "#
        + #"value: "IPv6": not configured on this cluster"#
    ),
    Case(
      id: "external IP loopback",
      spec: ServiceSpec(ports: port80, externalIPs: ["127.0.0.1"], externalTrafficPolicy: .cluster),
      message:
        #"Service "web" is invalid: spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be "#
        + #"in the loopback range (127.0.0.0/8, ::1/128)"#
    ),
    // targetPort defaults to port, so a bad port without targetPort is reported twice.
    Case(
      id: "port out of range, defaulted targetPort",
      spec: ServiceSpec(ports: [ServicePort(port: 70000)]),
      message:
        #"Service "web" is invalid: [spec.ports[0].port: Invalid value: 70000: must be "#
        + #"between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 70000: "#
        + #"must be between 1 and 65535, inclusive]"#
    ),
    Case(
      id: "several errors",
      spec: ServiceSpec(ports: [ServicePort(name: "HTTP", port: 0, targetPort: .string("http"))]),
      message:
        #"Service "web" is invalid: [spec.ports[0].name: Invalid value: "HTTP": a lowercase RFC "#
        + #"1123 label must consist of lower case alphanumeric characters or '-', and must start "#
        + #"and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "#
        + #"validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'), spec.ports[0].port: Invalid value: 0: "#
        + #"must be between 1 and 65535, inclusive]"#
    ),
  ]

  @Test(arguments: cases)
  func invalidServices(_ c: Case) throws {
    let cluster = try bareCluster(nodes: 1)
    let before = cluster.services()
    #expect(errorMessage { try cluster.createService(c.name, spec: c.spec) } == c.message)
    #expect(cluster.services() == before)
    #expect(cluster.checkInvariants() == [])
  }

  /// SetDefaults_Service defaults externalTrafficPolicy for every externally-accessible Service,
  /// so a ClusterIP Service with externalIPs needs none; an invalid external IP is its only error.
  @Test func externalIPsDefaultTheTrafficPolicy() throws {
    let cluster = try bareCluster(nodes: 1)
    let svc = try cluster.createService(
      "web", spec: ServiceSpec(ports: Self.port80, externalIPs: ["192.0.2.9"]))
    #expect(svc.spec.externalTrafficPolicy == .cluster)
    #expect(
      errorMessage {
        try cluster.createService(
          "bad", spec: ServiceSpec(ports: Self.port80, externalIPs: ["nope"]))
      }
        == #"Service "bad" is invalid: spec.externalIPs[0]: Invalid value: "nope": must be a "#
        + #"valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"#
    )
  }

  @Test func oneBasedIndexesForScripting() {
    let e = ClusterError.invalid(
      kind: "Service", name: "web",
      errors: [
        .invalid(
          FieldPath("spec", "ports").index(0).child("port"), .int(70000),
          "must be between 1 and 65535, inclusive")
      ])
    #expect(
      e.rendered(indexBase: 1)
        == #"Service "web" is invalid: spec.ports[1].port: Invalid value: "#
        + #"70000: must be between 1 and 65535, inclusive"#
    )
    #expect(
      e.description
        == #"Service "web" is invalid: spec.ports[0].port: Invalid value: "#
        + #"70000: must be between 1 and 65535, inclusive"#
    )
  }

  @Test func existenceErrors() throws {
    let c = try bareCluster(nodes: 1)
    try c.createService("web", spec: webSpec())
    #expect(
      errorMessage { try c.createService("web", spec: webSpec()) }
        == #"services "web" already exists"#)
    #expect(errorMessage { try c.deleteService(key("nope")) } == #"services "nope" not found"#)
    #expect(
      errorMessage { try c.createService("web", namespace: "x", spec: webSpec()) }
        == #"namespaces "x" not found"#)
    #expect(
      errorMessage { try c.addPod("p", PodOptions(node: "node-9")) } == #"nodes "node-9" not found"#
    )
    #expect(
      errorMessage { try c.scale(key("nope"), replicas: 1) }
        == #"deployments.apps "nope" not found"#)
    #expect(
      errorMessage { try c.deleteNamespace("default") }
        == #"namespaces "default" is forbidden: this namespace may not be deleted"#)
  }

  @Test func clusterIPIsImmutable() throws {
    let c = try bareCluster(nodes: 1)
    var spec = try c.createService("web", spec: webSpec()).spec
    spec.clusterIP = "10.96.0.99"
    spec.clusterIPs = ["10.96.0.99"]
    #expect(
      errorMessage { try c.updateService(key("web"), spec: spec) }
        == #"Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "#
        + #"["10.96.0.99"]: may not change once set"#
    )
    #expect(c.checkInvariants() == [])
  }

  @Test func deploymentValidation() throws {
    let c = try bareCluster(nodes: 1)
    #expect(
      errorMessage { try c.createDeployment("web", DeploymentOptions(replicas: -1)) }
        == #"Deployment.apps "web" is invalid: spec.replicas: Invalid "#
        + #"value: -1: must be greater than or equal to 0"#
    )
    #expect(
      errorMessage {
        try c.createDeployment(
          "web", DeploymentOptions(labels: ["app": "web"], selector: ["app": "api"]))
      }
        == #"Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: "#
        + #"{"app":"web"}: `selector` does not match template `labels`"#
    )
    #expect(c.pods().isEmpty)
  }

  @Test func podValidation() throws {
    let c = try bareCluster(nodes: 1)
    #expect(
      errorMessage { try c.addPod("Web") }
        == #"Pod "Web" is invalid: metadata.name: Invalid value: "Web": a lowercase RFC 1123 "#
        + #"subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "#
        + #"start and end with an alphanumeric character (e.g. 'example.com', regex used for "#
        + #"validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
    )
    #expect(
      errorMessage { try c.addPod("p", PodOptions(dnsPolicy: .none)) }
        == "Pod \"p\" is invalid: spec.dnsConfig: Required value: must "
        + "provide `dnsConfig` when `dnsPolicy` is None"
    )
  }
}
