import NetAddr
import Testing

@testable import Cluster

/// ServiceCIDR objects: validation (rows from upstream's `TestValidateServiceCIDR`), the
/// multi-CIDR allocator, and the servicecidrs controller's finalizer rule.
@Suite struct ServiceCIDRTests {
  struct ValidationCase: CustomTestStringConvertible, Sendable {
    let name: String
    let cidrs: [String]
    let errors: Int
    /// Where the row comes from.
    let source: String
    var testDescription: String { name }
  }

  static let upstream =
    "kubernetes pkg/apis/networking/validation/validation_test.go TestValidateServiceCIDR"

  @Test(arguments: [
    ValidationCase(name: "empty-iprange", cidrs: [], errors: 1, source: upstream),
    ValidationCase(
      name: "three-ipranges", cidrs: ["192.168.0.0/24", "fd00::/64", "10.0.0.0/16"], errors: 1,
      source: upstream),
    ValidationCase(
      name: "good-iprange-ipv4", cidrs: ["192.168.0.0/24"], errors: 0, source: upstream),
    ValidationCase(
      name: "good-iprange-ipv6", cidrs: ["fd00:1234::/64"], errors: 0, source: upstream),
    ValidationCase(
      name: "good-iprange-ipv4-ipv6", cidrs: ["192.168.0.0/24", "fd00:1234::/64"], errors: 0,
      source: upstream),
    ValidationCase(name: "not-iprange-ipv4", cidrs: ["asdasdasd"], errors: 1, source: upstream),
    ValidationCase(
      name: "iponly-iprange-ipv4", cidrs: ["192.168.0.1"], errors: 1, source: upstream),
    ValidationCase(
      name: "badip-iprange-ipv4", cidrs: ["192.168.0.1/24"], errors: 1, source: upstream),
    ValidationCase(
      name: "badip-iprange-ipv6", cidrs: ["fd00:1234::2/64"], errors: 1, source: upstream),
    ValidationCase(
      name: "good-iprange-ipv4-bad-ipv6", cidrs: ["192.168.0.0/24", "FD00:1234::/64"], errors: 1,
      source: upstream),
    ValidationCase(
      name: "good-iprange-ipv6-bad-ipv4", cidrs: ["192.168.007.0/24", "fd00:1234::/64"], errors: 1,
      source: upstream),
    // svclab's own rows
    ValidationCase(
      name: "two-ipv4", cidrs: ["10.0.0.0/24", "10.1.0.0/24"], errors: 1, source: "svclab"),
    ValidationCase(
      name: "two-ipv6", cidrs: ["fd00::/64", "fd01::/64"], errors: 1, source: "svclab"),
  ])
  func validation(_ c: ValidationCase) {
    var count = 0
    do {
      _ = try Cluster.validateServiceCIDR("test-name", c.cidrs)
    } catch {
      if case .invalid(_, _, let errs) = error { count = errs.count } else { count = -1 }
    }
    #expect(count == c.errors, "\(c.source) \(c.name)")
  }

  @Test func validationWording() throws {
    let c = try bareCluster()
    #expect(
      errorMessage { try c.createServiceCIDR("x", cidrs: ["10.0.0.0/24", "10.1.0.0/24"]) }
        == #"ServiceCIDR.networking.k8s.io "x" is invalid: spec.cidrs: Invalid value: "#
        + #"{"CIDRs":["10.0.0.0/24","10.1.0.0/24"]}: may specify no more than one IP for each IP "#
        + #"family, i.e 192.168.0.0/24 and 2001:db8::/64"#
    )
    #expect(
      errorMessage { try c.createServiceCIDR("x", cidrs: []) }
        == #"ServiceCIDR.networking.k8s.io "x" is invalid: spec.cidrs: "#
        + #"Required value: at least one CIDR required"#
    )
    #expect(
      errorMessage { try c.createServiceCIDR("x", cidrs: ["192.168.0.1/24"]) }
        == #"ServiceCIDR.networking.k8s.io "x" is invalid: spec.cidrs[0]: Invalid value: "#
        + #""192.168.0.1/24": must be in canonical form ("192.168.0.0/24")"#
    )
    #expect(
      errorMessage { try c.createServiceCIDR("kubernetes", cidrs: ["10.1.0.0/24"]) }
        == #"servicecidrs.networking.k8s.io "kubernetes" already exists"#)
    #expect(
      errorMessage { try c.deleteServiceCIDR("nope") }
        == #"servicecidrs.networking.k8s.io "nope" not found"#)
  }

  /// The flow of upstream's "Extend Service IP Ranges" task (kubernetes.io
  /// docs/tasks/network/extend-service-ip-ranges): fill the range, add a ServiceCIDR, the
  /// next Service gets an address from it; deleting it while it holds that address leaves it
  /// terminating until the Service goes.
  @Test func extendThenDelete() throws {
    let c = try bareCluster(serviceCIDRs: ["10.96.0.0/28"])  // 14 slots
    for i in 0..<14 { _ = try c.createService("s\(i)", spec: webSpec()) }
    #expect(
      errorMessage { try c.createService("full", spec: webSpec()) }
        == "Internal error occurred: failed to allocate a serviceIP: range is full")
    try c.createServiceCIDR("newcidr1", cidrs: ["10.96.0.0/24"])
    let next = try c.createService("next", spec: webSpec())
    let ip = try #require(next.clusterIPAddresses.first)
    #expect(CIDR("10.96.0.0/24")!.contains(ip) && !CIDR("10.96.0.0/28")!.contains(ip))
    try c.deleteServiceCIDR("newcidr1")
    let held = try #require(c.serviceCIDR("newcidr1"))
    #expect(held.deleting)
    #expect(held.finalizers == ["networking.k8s.io/service-cidr-finalizer"])
    #expect(held.ready.status == "False" && held.ready.reason == "Terminating")
    #expect(
      errorMessage { try c.createService("more", spec: webSpec()) }
        == "Internal error occurred: failed to allocate a serviceIP: range is full")
    try c.deleteService(key("next"))
    #expect(c.serviceCIDR("newcidr1") == nil)
    #expect(c.checkInvariants() == [])
  }

  struct DeleteCase: CustomTestStringConvertible, Sendable {
    let name: String
    let others: [[String]]
    let deleted: [String]
    let ips: [String]
    let goesAtOnce: Bool
    let source: String
    var testDescription: String { name }
  }

  static let controller =
    "kubernetes pkg/controller/servicecidrs/servicecidrs_controller.go canDeleteCIDR"

  /// `canDeleteCIDR`: a ServiceCIDR contained in another goes at once; otherwise it stays
  /// while an allocated address lies in it and in no other ServiceCIDR.
  @Test(arguments: [
    DeleteCase(
      name: "no addresses", others: [], deleted: ["10.0.0.0/24"], ips: [], goesAtOnce: true,
      source: controller),
    DeleteCase(
      name: "address held alone", others: [], deleted: ["10.0.0.0/24"], ips: ["10.0.0.5"],
      goesAtOnce: false, source: controller),
    DeleteCase(
      name: "contained in a wider one", others: [["10.0.0.0/16"]], deleted: ["10.0.0.0/24"],
      ips: ["10.0.0.5"], goesAtOnce: true, source: controller),
    DeleteCase(
      name: "same subnet twice", others: [["10.0.0.0/24"]], deleted: ["10.0.0.0/24"],
      ips: ["10.0.0.5"], goesAtOnce: true, source: controller),
    DeleteCase(
      name: "address covered by a narrower one", others: [["10.0.0.0/28"]],
      deleted: ["10.0.0.0/24"], ips: ["10.0.0.5"], goesAtOnce: true, source: controller),
    DeleteCase(
      name: "address outside the narrower one", others: [["10.0.0.0/28"]], deleted: ["10.0.0.0/24"],
      ips: ["10.0.0.200"], goesAtOnce: false, source: controller),
    DeleteCase(
      name: "dual-stack, IPv6 address held alone", others: [["10.0.0.0/16"]],
      deleted: ["10.0.0.0/24", "fd00::/112"], ips: ["fd00::7"], goesAtOnce: false,
      source: controller),
  ])
  func deletion(_ d: DeleteCase) throws {
    let c = try bareCluster(serviceCIDRs: ["10.96.0.0/16", "fd00:10:96::/112"])
    for (i, o) in d.others.enumerated() { try c.createServiceCIDR("other-\(i)", cidrs: o) }
    try c.createServiceCIDR("target", cidrs: d.deleted)
    for (n, ip) in d.ips.enumerated() {
      var spec = webSpec()
      spec.clusterIP = ip
      if ip.contains(":") { spec.ipFamilies = [.v6] }
      _ = try c.createService("svc-\(n)", spec: spec)
    }
    try c.deleteServiceCIDR("target")
    #expect((c.serviceCIDR("target") == nil) == d.goesAtOnce, "\(d.source) \(d.name)")
  }

  @Test func defaultStaysTerminatingThenComesBack() throws {
    let c = try bareCluster(serviceCIDRs: ["10.96.0.0/28"])
    _ = try c.createService("one", spec: webSpec())
    try c.deleteServiceCIDR("kubernetes")
    #expect(c.serviceCIDR("kubernetes")?.deleting == true)
    try c.deleteService(key("one"))
    let k = try #require(c.serviceCIDR("kubernetes"))
    #expect(!k.deleting)
    #expect(k.cidrs.map(\.description) == ["10.96.0.0/28"])
    #expect(k.ready.message == "Kubernetes default Service CIDR is ready")
  }
}
