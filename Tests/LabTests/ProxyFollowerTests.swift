import Cluster
import KubeProxy
import NetAddr
import Testing

@testable import Lab

/// One edit of a slice's endpoints (by index into the original ten) and how many endpoints it
/// changed, added or moved.
struct ReuseCase: CustomTestStringConvertible, Sendable {
  var name: String
  var edit: @Sendable (inout [Endpoint]) -> Void
  var converted: Int
  var testDescription: String { name }
}

private func endpoint(_ i: Int, ready: Bool = true) -> Endpoint {
  Endpoint(
    addresses: ["10.0.0.\(i)"], conditions: EndpointConditions(ready: ready),
    nodeName: "node-\(i % 3)")
}

let reuseCases: [ReuseCase] = [
  ReuseCase(name: "unchanged", edit: { _ in }, converted: 0),
  ReuseCase(name: "equal endpoint in a new box", edit: { $0[4] = endpoint(4) }, converted: 0),
  ReuseCase(name: "first flipped", edit: { $0[0] = endpoint(0, ready: false) }, converted: 1),
  ReuseCase(name: "middle flipped", edit: { $0[5] = endpoint(5, ready: false) }, converted: 1),
  ReuseCase(name: "last flipped", edit: { $0[9] = endpoint(9, ready: false) }, converted: 1),
  ReuseCase(
    name: "two flipped",
    edit: {
      $0[2] = endpoint(2, ready: false)
      $0[7] = endpoint(7, ready: false)
    }, converted: 2),
  ReuseCase(name: "appended", edit: { $0.append(endpoint(10)) }, converted: 1),
  ReuseCase(name: "inserted first", edit: { $0.insert(endpoint(10), at: 0) }, converted: 1),
  ReuseCase(name: "removed from the middle", edit: { $0.remove(at: 3) }, converted: 0),
  ReuseCase(name: "emptied", edit: { $0 = [] }, converted: 0),
  ReuseCase(name: "replaced", edit: { $0 = [endpoint(20), endpoint(21)] }, converted: 2),
]

/// Converting with reuse gives what converting every endpoint gives, converting only the
/// endpoints the edit touched.
@Test(arguments: reuseCases)
func reusedConversionEqualsFullConversion(_ c: ReuseCase) {
  let previous = (0..<10).map { endpoint($0) }
  var current = previous
  c.edit(&current)
  let convert = { (e: Endpoint) in "\(e.addresses) \(e.conditions.isReady)" }
  var conversions = 0
  let reused = convertReusing(current, previous: previous, converted: previous.map(convert)) {
    conversions += 1
    return convert($0)
  }
  #expect(reused == current.map(convert))
  #expect(conversions == c.converted)
}

/// One change to the endpoint at position 1 of a slice of three.
struct SliceReuseCase: CustomTestStringConvertible, Sendable {
  var name: String
  var edit: @Sendable (inout Endpoint) -> Void
  var testDescription: String { name }
}

let sliceReuseCases: [SliceReuseCase] = [
  SliceReuseCase(name: "ready") { $0.conditions = EndpointConditions(ready: false) },
  SliceReuseCase(name: "terminating") {
    $0.conditions = EndpointConditions(ready: false, serving: true, terminating: true)
  },
  SliceReuseCase(name: "node and zone") {
    $0.nodeName = "node-9"
    $0.zone = "zone-b"
  },
  SliceReuseCase(name: "hints") { $0.hints = EndpointHints(forZones: ["zone-a"]) },
  SliceReuseCase(name: "address") { $0.addresses = ["10.0.0.99"] },
  SliceReuseCase(name: "pod") {
    $0.targetRef = ObjectReference(namespace: "ns1", name: "web-other")
  },
  SliceReuseCase(name: "no pod") { $0.targetRef = nil },
  SliceReuseCase(name: "not a pod") {
    $0.targetRef = ObjectReference(kind: "Node", namespace: "", name: "web-1")
  },
]

/// A slice converted reusing its previous version's conversion equals one converted whole.
@Test(arguments: sliceReuseCases)
func sliceConversionReusingEqualsWhole(_ c: SliceReuseCase) throws {
  let endpoints = (0..<3).map { i in
    Endpoint(
      addresses: ["10.0.0.\(i)"], conditions: EndpointConditions(ready: true),
      nodeName: "node-\(i)", zone: "zone-a",
      targetRef: ObjectReference(namespace: "ns1", name: "web-\(i)"))
  }
  let old = EndpointSlice(
    metadata: ObjectMeta(
      name: "web-abc", namespace: "ns1", labels: [WellKnownLabel.serviceName: "web"]),
    addressType: .ipv4, endpoints: endpoints, ports: [EndpointPort(name: "http", port: 8080)])
  var new = old
  c.edit(&new.endpoints[1])
  let previous = try #require(ProxyFollower.slice(old))
  let reusing = ProxyFollower.slice(new, reusing: previous, of: old)
  #expect(reusing == ProxyFollower.slice(new))
  #expect(reusing != previous)
}
