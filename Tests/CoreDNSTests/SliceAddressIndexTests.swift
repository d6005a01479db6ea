import NetAddr
import Testing

@testable import CoreDNS

/// One slice update and the slices each address must find afterwards in the reverse index.
struct SliceAddressCase: CustomTestStringConvertible, Sendable {
  var name: String
  var before: [(String, Bool)]
  var after: [(String, Bool)]
  var testDescription: String { name }
}

let sliceAddressCases: [SliceAddressCase] = [
  SliceAddressCase(
    name: "one address turns unready",
    before: [("10.1.0.1", true), ("10.1.0.2", true), ("10.1.0.3", true)],
    after: [("10.1.0.1", true), ("10.1.0.2", false), ("10.1.0.3", true)]),
  SliceAddressCase(
    name: "one address added at the end",
    before: [("10.1.0.1", true), ("10.1.0.2", true)],
    after: [("10.1.0.1", true), ("10.1.0.2", true), ("10.1.0.9", true)]),
  SliceAddressCase(
    name: "address replaced while a duplicate of it stays",
    before: [("10.1.0.1", true), ("10.1.0.2", true), ("10.1.0.1", true)],
    after: [("10.1.0.1", true), ("10.1.0.5", true), ("10.1.0.3", true)]),
  SliceAddressCase(
    name: "middle address moved elsewhere in the list",
    before: [("10.1.0.1", true), ("10.1.0.2", true), ("10.1.0.3", true), ("10.1.0.4", true)],
    after: [("10.1.0.1", true), ("10.1.0.3", true), ("10.1.0.2", true), ("10.1.0.4", true)]),
  SliceAddressCase(
    name: "all addresses leave",
    before: [("10.1.0.1", true), ("10.1.0.2", true)], after: []),
]

private func slice(_ name: String, _ eps: [(String, Bool)]) -> DNSEndpointSlice {
  DNSEndpointSlice(
    namespace: "ns", name: name, serviceName: "web",
    endpoints: eps.map { DNSEndpoint(addresses: [ip($0.0)], ready: $0.1) },
    ports: [DNSServicePort(name: "http", protocol: "TCP", port: 80)])
}

/// After the update, every address finds exactly the slices whose ready addresses hold it,
/// as with an index built from the new slices alone.
@Test(arguments: sliceAddressCases)
func sliceUpdateKeepsAddressIndex(_ c: SliceAddressCase) {
  var index = ClusterIndex()
  index.update(slice: nil, slice("web-other", [("10.1.0.2", true)]))
  index.update(slice: nil, slice("web-a", c.before))
  index.update(slice: slice("web-a", c.before), slice("web-a", c.after))
  var fresh = ClusterIndex()
  fresh.update(slice: nil, slice("web-other", [("10.1.0.2", true)]))
  fresh.update(slice: nil, slice("web-a", c.after))
  for address in (c.before + c.after).map(\.0) {
    let names = index.endpoints(withIP: ip(address)).map(\.sliceName)
    #expect(names == fresh.endpoints(withIP: ip(address)).map(\.sliceName), "\(address)")
    let expected = c.after.contains { $0.0 == address && $0.1 } ? ["web-a"] : []
    #expect(names.filter { $0 == "web-a" } == expected, "\(address)")
  }
  #expect(
    index.endpoints(of: ServiceKey(namespace: "ns", name: "web")).map(\.addresses)
      == fresh.endpoints(of: ServiceKey(namespace: "ns", name: "web")).map(\.addresses))
}
