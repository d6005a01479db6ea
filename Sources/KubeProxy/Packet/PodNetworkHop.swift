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
      trace.append(.init(.hop, node: entry.name, detail: .veth(destination, node: entry.name)))
      return entryIP
    }
    let targetIP = target.ips.first { $0.family == family } ?? target.ips.first ?? destination
    if let tunnel = tunnelAddress(of: entry), tunnel.family == family,
      let device = podNetwork.tunnelDevice
    {
      trace.append(
        .init(
          .hop, node: entry.name,
          detail: .tunnel(
            target.podCIDR, via: targetIP, device: device, vxlan: podNetwork == .vxlan,
            from: entryIP)))
      return tunnel
    }
    trace.append(.init(.hop, node: entry.name, detail: .bgp(target.podCIDR, via: targetIP)))
    return entryIP
  }

  /// The node an address lives on and the pod behind it, if any: a pod IP, or a node IP
  /// (hostNetwork pods listening there). Loopback is `sender`'s own, when the sender is a
  /// process on a node.
  func locate(
    _ address: IPAddress, port: Int, proto: ProxyProtocol, sender: ProxyNode? = nil
  )
    -> (node: ProxyNode, pod: ProxyPod?)?
  {
    if let name = podByIP[address], let pod = pods[name], let node = nodes[pod.nodeName] {
      return (node, pod)
    }
    let local = address == loopback(address.family) ? sender?.name : nil
    guard let nodeName = nodeByIP[address] ?? local, let node = nodes[nodeName] else { return nil }
    let hostPods = (hostNetworkPods[nodeName] ?? []).sorted().compactMap { pods[$0] }
    let listener =
      hostPods.first { $0.listening.contains(ProxyListen(port: port, proto: proto)) }
      ?? hostPods.first { $0.listening.isEmpty }
    return (node, listener)
  }

  /// Delivery to the backend socket: a pod that declares ports must listen on this one (else
  /// its kernel answers, `refused`); a node address needs a hostNetwork pod or a process there.
  func deliver(
    to address: IPAddress, port: Int, proto: ProxyProtocol, node: ProxyNode, pod: ProxyPod?,
    trace: inout [TraceStep]
  ) -> ConnectFailure? {
    // Where nothing listens the kernel answers: TCP with a reset, UDP with ICMP port
    // unreachable.
    let answer = proto == .udp ? "ICMP port unreachable" : "RST"
    guard let pod else {
      let target = "\(address.joined(port: port))/\(proto.rawValue)"
      let wanted = ProxyListen(port: port, proto: proto)
      if let process = node.listeners.sorted(by: { $0.key < $1.key }).first(where: {
        $0.value == wanted
      }) {
        trace.append(
          .init(
            .deliver, node: node.name, "delivered to \(process.key) on \(node.name) at \(target)"))
        return nil
      }
      trace.append(.init(.verdict, node: node.name, "nothing listens on \(target): \(answer)"))
      return ConnectFailure(.refused, "nothing listens on \(target) on \(node.name)")
    }
    if !pod.listening.isEmpty && !pod.listening.contains(ProxyListen(port: port, proto: proto)) {
      let name = "\(pod.namespace)/\(pod.name)"
      let target = "\(address.joined(port: port))/\(proto.rawValue)"
      trace.append(
        .init(.verdict, node: node.name, "\(name) does not listen on \(target): \(answer)"))
      return ConnectFailure(.refused, "pod \(name) does not listen on \(target)")
    }
    trace.append(
      .init(
        .deliver, node: node.name,
        detail: .deliverPod(
          namespace: pod.namespace, name: pod.name, ip: address, port: port, proto: proto)))
    return nil
  }
}
