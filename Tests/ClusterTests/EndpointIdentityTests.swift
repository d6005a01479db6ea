import Testing

@testable import Cluster

/// One change to an endpoint: `sameBits` must never call the changed copy the same.
struct EndpointIdentityCase: CustomTestStringConvertible, Sendable {
  var name: String
  var change: @Sendable (inout Endpoint) -> Void
  var testDescription: String { name }
}

private let base = Endpoint(
  addresses: ["10.0.0.1"],
  conditions: EndpointConditions(ready: true, serving: true, terminating: false),
  hostname: "web-0", nodeName: "node-1", zone: "zone-a",
  targetRef: ObjectReference(namespace: "default", name: "web-0-a-very-long-pod-name-abcde"),
  hints: EndpointHints(forZones: ["zone-a"]))

let endpointIdentityCases: [EndpointIdentityCase] = [
  EndpointIdentityCase(name: "address", change: { $0.addresses = ["10.0.0.2"] }),
  EndpointIdentityCase(name: "ready", change: { $0.conditions.ready = false }),
  EndpointIdentityCase(name: "terminating", change: { $0.conditions.terminating = nil }),
  EndpointIdentityCase(name: "hostname", change: { $0.hostname = nil }),
  EndpointIdentityCase(name: "node", change: { $0.nodeName = "node-2" }),
  EndpointIdentityCase(name: "zone", change: { $0.zone = "zone-b" }),
  EndpointIdentityCase(name: "target", change: { $0.targetRef?.name = "web-1" }),
  EndpointIdentityCase(name: "hints", change: { $0.hints = nil }),
]

@Test(arguments: endpointIdentityCases)
func changedEndpointIsNotSameBits(_ c: EndpointIdentityCase) {
  var changed = [base, base]
  c.change(&changed[1])
  let copies = changed  // carried over: the same storage, field by field
  changed.withUnsafeBufferPointer { x in
    copies.withUnsafeBufferPointer { y in
      guard let p = x.baseAddress, let q = y.baseAddress else { return }
      #expect(Endpoint.sameBits(p, p + 1) == false)
      #expect(Endpoint.sameBits(p + 1, q + 1))
    }
  }
  #expect(ClusterChange.sameEndpoints([base, base], changed) == false)
}

/// Endpoints equal in value but built separately (other string storage) are still equal.
@Test func equalEndpointsBuiltApartAreSame() {
  let long = "web-0-a-very-long-pod-name-" + String("abcde".reversed().reversed())
  var other = base
  other.targetRef = ObjectReference(namespace: "default", name: long)
  #expect(ClusterChange.sameEndpoints([base], [other]))
}
