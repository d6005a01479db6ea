import NetAddr

/// A Service's identity, as CoreDNS's `ServiceKey(name, namespace)`.
struct ServiceKey: Hashable, Comparable {
  let namespace: String
  let name: String
  static func < (a: ServiceKey, b: ServiceKey) -> Bool {
    (a.namespace, a.name) < (b.namespace, b.name)
  }
}

/// A pod's identity.
struct PodKey: Hashable, Comparable {
  let namespace: String
  let name: String
  static func < (a: PodKey, b: PodKey) -> Bool { (a.namespace, a.name) < (b.namespace, b.name) }
}

/// One ready address of an EndpointSlice, as CoreDNS's `object.EndpointAddress`.
struct EndpointAddress: Hashable {
  let ip: IPAddress
  let hostname: String
  /// The target pod's name, kept only when it fits in a DNS label (< 64 octets).
  let targetRefName: String
}

/// An EndpointSlice reduced to what CoreDNS keeps: ready addresses and the ports, with the
/// sentinel port -1 when the slice has none (object/endpoint.go).
struct EndpointsEntry: Hashable {
  let namespace: String
  let sliceName: String
  let service: ServiceKey
  let addresses: [EndpointAddress]
  let ports: [DNSServicePort]

  /// Converts a slice: unready endpoints are dropped (nil readiness counts as ready).
  init(_ slice: DNSEndpointSlice) {
    namespace = slice.namespace
    sliceName = slice.name
    service = ServiceKey(namespace: slice.namespace, name: slice.serviceName)
    var addrs: [EndpointAddress] = []
    addrs.reserveCapacity(slice.endpoints.count)
    for ep in slice.endpoints where ep.ready ?? true {
      let target = ep.targetPodName.flatMap { $0.utf8.count < 64 ? $0 : nil } ?? ""
      for ip in ep.addresses {
        addrs.append(EndpointAddress(ip: ip, hostname: ep.hostname ?? "", targetRefName: target))
      }
    }
    addresses = addrs
    ports = slice.ports.isEmpty ? [DNSServicePort(name: "", protocol: "", port: -1)] : slice.ports
  }
}

/// The indexes CoreDNS's controller keeps, updated one object at a time: Services by key and
/// by ClusterIP, EndpointSlices by Service and by address, pods by IP, namespaces by name.
struct ClusterIndex {
  private(set) var namespaces: Set<String> = []
  private(set) var services: [ServiceKey: DNSService] = [:]
  private var slices: [ServiceKey: [String: EndpointsEntry]] = [:]
  private var servicesByIP: [IPAddress: Set<ServiceKey>] = [:]
  private var slicesByIP: [IPAddress: Set<SliceRef>] = [:]
  private var pods: [PodKey: DNSPod] = [:]
  private var podsByIP: [IPAddress: Set<PodKey>] = [:]

  /// A slice's place in `slices`.
  struct SliceRef: Hashable, Comparable {
    let service: ServiceKey
    let name: String
    static func < (a: SliceRef, b: SliceRef) -> Bool { (a.service, a.name) < (b.service, b.name) }
  }

  // MARK: - Lookups

  /// The Service with this namespace and name.
  func service(namespace: String, name: String) -> DNSService? {
    services[ServiceKey(namespace: namespace, name: name)]
  }

  /// The EndpointSlices of a Service, in slice-name order.
  func endpoints(of key: ServiceKey) -> [EndpointsEntry] {
    guard let bySlice = slices[key] else { return [] }
    return bySlice.keys.sorted().compactMap { bySlice[$0] }
  }

  /// Services whose ClusterIPs include `ip`.
  func services(withClusterIP ip: IPAddress) -> [DNSService] {
    (servicesByIP[ip] ?? []).sorted().compactMap { services[$0] }
  }

  /// EndpointSlices with a ready address equal to `ip`.
  func endpoints(withIP ip: IPAddress) -> [EndpointsEntry] {
    (slicesByIP[ip] ?? []).sorted().compactMap { slices[$0.service]?[$0.name] }
  }

  /// Pods (not terminating) whose pod IP is `ip`.
  func pods(withIP ip: IPAddress) -> [DNSPod] {
    (podsByIP[ip] ?? []).sorted().compactMap { pods[$0] }
  }

  // MARK: - Updates

  /// Replaces `old` by `new` in the namespace set.
  mutating func update(namespace old: DNSNamespace?, _ new: DNSNamespace?) {
    if let old { namespaces.remove(old.name) }
    if let new { namespaces.insert(new.name) }
  }

  /// Replaces `old` by `new` in the Service indexes.
  mutating func update(service old: DNSService?, _ new: DNSService?) {
    if let old {
      let key = ServiceKey(namespace: old.namespace, name: old.name)
      services[key] = nil
      for ip in old.clusterIPs { Self.remove(key, ip, from: &servicesByIP) }
    }
    if let new {
      let key = ServiceKey(namespace: new.namespace, name: new.name)
      services[key] = new
      for ip in new.clusterIPs { servicesByIP[ip, default: []].insert(key) }
    }
  }

  /// Replaces `old` by `new` in the EndpointSlice indexes. A slice that stays with its
  /// Service changes the address index only for the addresses it gained or lost.
  mutating func update(slice old: DNSEndpointSlice?, _ new: DNSEndpointSlice?) {
    if let old, let new, old.name == new.name, old.namespace == new.namespace,
      old.serviceName == new.serviceName
    {
      let service = ServiceKey(namespace: new.namespace, name: new.serviceName)
      let before = slices[service]?[old.name] ?? EndpointsEntry(old)
      let after = EndpointsEntry(new)
      slices[service, default: [:]][new.name] = after
      updateAddresses(SliceRef(service: service, name: new.name), before.addresses, after.addresses)
      return
    }
    if let old {
      let entry = EndpointsEntry(old)
      let ref = SliceRef(service: entry.service, name: old.name)
      slices[entry.service]?[old.name] = nil
      if slices[entry.service]?.isEmpty == true { slices[entry.service] = nil }
      for a in entry.addresses { Self.remove(ref, a.ip, from: &slicesByIP) }
    }
    if let new {
      let entry = EndpointsEntry(new)
      let ref = SliceRef(service: entry.service, name: new.name)
      slices[entry.service, default: [:]][new.name] = entry
      for a in entry.addresses { slicesByIP[a.ip, default: []].insert(ref) }
    }
  }

  /// Moves a slice's entries in the address index from the addresses `old` to `new`: only
  /// those between the longest common head and tail can differ, and of those an old address
  /// loses the slice only when the new list lacks it anywhere.
  private mutating func updateAddresses(
    _ ref: SliceRef, _ old: [EndpointAddress], _ new: [EndpointAddress]
  ) {
    var head = 0
    while head < old.count, head < new.count, old[head].ip == new[head].ip { head += 1 }
    var tail = 0
    while tail < old.count - head, tail < new.count - head,
      old[old.count - 1 - tail].ip == new[new.count - 1 - tail].ip
    {
      tail += 1
    }
    for a in old[head..<(old.count - tail)] where !new.contains(where: { $0.ip == a.ip }) {
      Self.remove(ref, a.ip, from: &slicesByIP)
    }
    for a in new[head..<(new.count - tail)] { slicesByIP[a.ip, default: []].insert(ref) }
  }

  /// Replaces `old` by `new` in the pod index; terminating pods are not kept (object/pod.go).
  mutating func update(pod old: DNSPod?, _ new: DNSPod?) {
    // A change CoreDNS does not see (readiness) leaves the index as it is.
    if old == new { return }
    if let old {
      let key = PodKey(namespace: old.namespace, name: old.name)
      pods[key] = nil
      Self.remove(key, old.ip, from: &podsByIP)
    }
    if let new, !new.terminating {
      let key = PodKey(namespace: new.namespace, name: new.name)
      pods[key] = new
      podsByIP[new.ip, default: []].insert(key)
    }
  }

  /// Removes `key` from the set under `ip`, dropping empty sets.
  private static func remove<K: Hashable>(
    _ key: K, _ ip: IPAddress, from map: inout [IPAddress: Set<K>]
  ) {
    map[ip]?.remove(key)
    if map[ip]?.isEmpty == true { map[ip] = nil }
  }
}
