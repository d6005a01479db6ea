import NetAddr

/// The CNI's part of the path (Calico-style): the veth to a pod on the same node, else an
/// IP-in-IP or VXLAN tunnel between node IPs, or a plain BGP-learned route.
extension ProxyCluster {
  /// Carries a packet from `entry` to `target` (the node hosting `destination`) and returns
  /// the address `entry` would masquerade to on that way: its tunnel address when the packet
  /// enters a tunnel, else its node IP.
  func podNetworkHop(
    from entry: ProxyNode, to target: ProxyNode, destination: IPAddress, trace: inout [TraceStep]
  ) -> IPAddress {
    let family = destination.family
    let entryIP = entry.ips.first { $0.family == family } ?? entry.ips.first ?? destination
    guard entry.name != target.name else {
      trace.append(.init(.hop, node: entry.name, "veth: \(destination) is a pod on \(entry.name)"))
      return entryIP
    }
    let targetIP = target.ips.first { $0.family == family } ?? target.ips.first ?? destination
    let route = "\(target.podCIDR) via \(targetIP)"
    if let tunnel = tunnelAddress(of: entry), tunnel.family == family,
      let device = podNetwork.tunnelDevice
    {
      let outer = podNetwork == .vxlan ? "VXLAN (UDP 4789)" : "IP-in-IP"
      trace.append(.init(.hop, node: entry.name,
        "route \(route) dev \(device): \(outer) tunnel \(entryIP) -> \(targetIP)"))
      return tunnel
    }
    trace.append(.init(.hop, node: entry.name, "route \(route) (BGP), no tunnel"))
    return entryIP
  }

  /// The node an address lives on and the pod behind it, if any: a pod IP, or a node IP
  /// (hostNetwork pods listening there).
  func locate(_ address: IPAddress, port: Int, proto: ProxyProtocol)
    -> (node: ProxyNode, pod: ProxyPod?)?
  {
    if let name = podByIP[address], let pod = pods[name], let node = nodes[pod.nodeName] {
      return (node, pod)
    }
    guard let nodeName = nodeByIP[address], let node = nodes[nodeName] else { return nil }
    let hostPods = (hostNetworkPods[nodeName] ?? []).sorted().compactMap { pods[$0] }
    let listener = hostPods.first { $0.listening.contains(ProxyListen(port: port, proto: proto)) }
      ?? hostPods.first { $0.listening.isEmpty }
    return (node, listener)
  }

  /// Delivery to the backend socket: a pod that declares ports must listen on this one (else
  /// its kernel answers with a RST, `refused`); a node address needs a hostNetwork pod there.
  func deliver(
    to address: IPAddress, port: Int, proto: ProxyProtocol, node: ProxyNode, pod: ProxyPod?,
    trace: inout [TraceStep]
  ) -> ConnectFailure? {
    let target = "\(address.joined(port: port))/\(proto.rawValue)"
    guard let pod else {
      let wanted = ProxyListen(port: port, proto: proto)
      if let process = node.listeners.sorted(by: { $0.key < $1.key }).first(where: { $0.value == wanted }) {
        trace.append(.init(.deliver, node: node.name, "delivered to \(process.key) on \(node.name) at \(target)"))
        return nil
      }
      trace.append(.init(.verdict, node: node.name, "nothing listens on \(target)"))
      return ConnectFailure(.unreachable, "nothing listens on \(target) on \(node.name)")
    }
    let name = "\(pod.namespace)/\(pod.name)"
    if !pod.listening.isEmpty && !pod.listening.contains(ProxyListen(port: port, proto: proto)) {
      trace.append(.init(.verdict, node: node.name, "\(name) does not listen on \(target): RST"))
      return ConnectFailure(.refused, "pod \(name) does not listen on \(target)")
    }
    trace.append(.init(.deliver, node: node.name, "delivered to pod \(name) at \(target)"))
    return nil
  }
}
