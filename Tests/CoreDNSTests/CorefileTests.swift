import Testing

@testable import CoreDNS

@Suite("Corefile")
struct CorefileTests {
  @Test func kubeadmCorefileIsTheDefault() throws {
    #expect(try parseCorefile(kubeadmCorefile) == KubernetesPluginSettings())
  }

  @Test func optionsAreRead() throws {
    let s = try parseCorefile(
      """
      cluster.local:53 {
          autopath @kubernetes
          kubernetes {
              pods verified
              namespaces a b
              endpoint_pod_names
              ignore empty_service
              noendpoints
              ttl 0
              fallthrough
          }
      }
      """)
    #expect(s.zones == ["cluster.local."])
    #expect(
      s.pods == .verified && s.autopath && s.endpointPodNames && s.ignoreEmptyService
        && s.noEndpoints)
    #expect(s.namespaces == ["a", "b"] && s.ttl == 0 && s.fallthroughZones == [])
    #expect(!s.loadbalance && s.forward == nil && s.cache == nil)
  }

  struct ErrorCase: CustomTestStringConvertible, Sendable {
    let corefile: String
    let message: String
    var testDescription: String { message }
  }

  static let errorCases: [ErrorCase] = [
    ErrorCase(
      corefile: ".:53 {\n  kubernetes cluster.local {\n    pods maybe\n  }\n}\n",
      message:
        "plugin/kubernetes: wrong value for pods: maybe,  "
        + "must be one of: disabled, verified, insecure"
    ),
    ErrorCase(
      corefile: ".:53 {\n  kubernetes cluster.local {\n    bogus\n  }\n}\n",
      message: "plugin/kubernetes: Corefile:3 - Error during parsing: unknown property 'bogus'"),
    ErrorCase(
      corefile: ".:53 {\n  kubernetes cluster.local {\n    ttl 4000\n  }\n}\n",
      message:
        "plugin/kubernetes: Corefile:3 - Error during parsing: ttl must be in range [0, 3600]: 4000"
    ),
    ErrorCase(
      corefile: ".:53 {\n  kubernetes cluster.local {\n    ttl abc\n  }\n}\n",
      message: "plugin/kubernetes: strconv.Atoi: parsing \"abc\": invalid syntax"),
    ErrorCase(
      corefile: ".:53 {\n  kubernetes cluster.local {\n    pods\n  }\n}\n",
      message:
        "plugin/kubernetes: Corefile:3 - Error during parsing: Wrong argument "
        + "count or unexpected line ending after 'pods'"
    ),
    ErrorCase(
      corefile: ".:53 {\n  kubernetes in-addr.arpa\n}\n",
      message: "plugin/kubernetes: non-reverse zone name must be used"),
    ErrorCase(
      corefile: ".:53 {\n  kubernetes cluster.local\n  frobnicate\n}\n",
      message: "Corefile:3 - Error during parsing: Unknown directive 'frobnicate'"),
    ErrorCase(
      corefile: ".:53 {\n  kubernetes cluster.local\n  loadbalance random\n}\n",
      message: "plugin/loadbalance: unknown policy: random"),
    ErrorCase(
      corefile: ".:53 {\n  kubernetes cluster.local\n  forward .\n}\n",
      message:
        "plugin/forward: Corefile:3 - Error during parsing: Wrong argument "
        + "count or unexpected line ending after '.'"
    ),
    ErrorCase(
      corefile: ".:53 {\n  kubernetes cluster.local {\n    pods insecure\n",
      message: "Corefile:3 - Error during parsing: Unexpected EOF"),
  ]

  @Test(arguments: errorCases)
  func errors(_ c: ErrorCase) {
    #expect(throws: CoreDNSError.self) { try parseCorefile(c.corefile) }
    do {
      _ = try parseCorefile(c.corefile)
    } catch {
      #expect(error.description == c.message)
    }
  }

  @Test func rrTypeParsing() throws {
    #expect(try RRType(parsing: "aaaa") == .aaaa)
    #expect(try RRType(parsing: "Srv") == .srv)
    #expect(throws: CoreDNSError.unknownType("BOGUS")) { try RRType(parsing: "BOGUS") }
  }
}
