import NetAddr

/// `ipvsadm -Ln` for `servers` (ipvsadm's `list_all` with numeric output): the version
/// header, the column titles, then every virtual server in ipvsadm's sort order with its real
/// servers, also sorted.
public func renderIPVSAdm(
  _ servers: [IPVSVirtualServer], connectionTableSize: Int = 4096
)
  -> String
{
  var lines = [
    "IP Virtual Server version 1.2.1 (size=\(connectionTableSize))",
    "Prot LocalAddress:Port Scheduler Flags",
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
  ]
  let ordered = stableSorted(servers.sorted(by: naturalOrder)) { compareServices($0, $1) < 0 }
  for server in ordered {
    lines.append(serviceLine(server))
    let reals = stableSorted(
      server.realServers.sorted { ($0.address, $0.port) < ($1.address, $1.port) }
    ) {
      compareAddresses($0.address, $1.address, $0.port, $1.port) < 0
    }
    lines += reals.map(realServerLine)
  }
  return lines.map { $0 + "\n" }.joined()
}

/// `TCP  10.96.0.10:53 rr [(mh-port)] [persistent N]`.
func serviceLine(_ server: IPVSVirtualServer) -> String {
  var line =
    "\(server.proto.rawValue)  \(server.address.joined(port: server.port)) \(server.scheduler)"
  if server.sourcePortHash && server.scheduler == "mh" { line += " (mh-port)" }
  if let timeout = server.persistentTimeout { line += " persistent \(timeout)" }
  return line
}

/// `  -> %-28s %-7s %-6d %-10u %-10u` (ipvsadm pads the last column too).
func realServerLine(_ real: IPVSRealServer) -> String {
  "  -> " + padded(real.description, 28) + " " + padded("Masq", 7) + " "
    + padded(String(real.weight), 6) + " " + padded(String(real.activeConnections), 10) + " "
    + padded(String(real.inactiveConnections), 10)
}

/// Left-justifies `text` in `width` columns (printf `%-Ns`).
func padded(_ text: String, _ width: Int) -> String {
  text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

/// A deterministic starting order (the kernel lists services in hash-table order).
private func naturalOrder(_ a: IPVSVirtualServer, _ b: IPVSVirtualServer) -> Bool {
  (a.address, a.port, a.proto.rawValue) < (b.address, b.port, b.proto.rawValue)
}

/// libipvs `ipvs_cmp_services`: family, protocol number, address, port — each as a C `int`
/// difference, so addresses more than 2^31 apart compare "backwards" exactly as in ipvsadm.
func compareServices(_ a: IPVSVirtualServer, _ b: IPVSVirtualServer) -> Int32 {
  let family = { (s: IPVSVirtualServer) -> Int32 in s.address.family == .v4 ? 2 : 10 }
  if family(a) != family(b) { return family(a) - family(b) }
  let proto = { (s: IPVSVirtualServer) -> Int32 in
    switch s.proto {
    case .tcp: 6
    case .udp: 17
    case .sctp: 132
    }
  }
  if proto(a) != proto(b) { return proto(a) - proto(b) }
  return compareAddresses(a.address, b.address, a.port, b.port)
}

/// libipvs address-then-port comparison with 32-bit wrap-around per address word.
func compareAddresses(_ a: IPAddress, _ b: IPAddress, _ portA: Int, _ portB: Int) -> Int32 {
  for (x, y) in zip(words(a), words(b)) where x != y {
    let diff = Int32(bitPattern: x &- y)
    if diff != 0 { return diff }
  }
  return Int32(portA - portB)
}

/// The address as 32-bit words in network order (one for IPv4, four for IPv6).
private func words(_ ip: IPAddress) -> [UInt32] {
  guard ip.family == .v6 else { return [ip.v4Value] }
  return [
    UInt32(truncatingIfNeeded: ip.high >> 32), UInt32(truncatingIfNeeded: ip.high),
    UInt32(truncatingIfNeeded: ip.low >> 32), UInt32(truncatingIfNeeded: ip.low),
  ]
}
