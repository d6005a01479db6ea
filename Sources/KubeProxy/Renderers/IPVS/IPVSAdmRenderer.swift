import NetAddr

/// `ipvsadm -Ln` for `servers` (ipvsadm's `list_all` with numeric output): the version
/// header, the column titles, then every virtual server in ipvsadm's sort order with its real
/// servers, also sorted.
public func renderIPVSAdm(
  _ servers: [IPVSVirtualServer], connectionTableSize: Int = 4096
)
  -> String
{
  var text = TextBuffer()
  renderIPVSAdm(servers, connectionTableSize: connectionTableSize, into: &text)
  return text.string
}

/// Writes `ipvsadm -Ln` for `servers` (see the `String` form) at the end of `text`.
public func renderIPVSAdm(
  _ servers: [IPVSVirtualServer], connectionTableSize: Int = 4096, into text: inout TextBuffer
) {
  text.reserve(200 + servers.reduce(0) { $0 + 48 + 80 * $1.realServers.count })
  text.append("IP Virtual Server version 1.2.1 (size=")
  text.append(connectionTableSize)
  text.append(")\nProt LocalAddress:Port Scheduler Flags\n")
  text.append("  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n")
  let ordered = stableSorted(servers.sorted(by: naturalOrder)) { compareServices($0, $1) < 0 }
  for server in ordered {
    writeServiceLine(server, into: &text)
    let reals = stableSorted(
      server.realServers.sorted { ($0.address, $0.port) < ($1.address, $1.port) }
    ) {
      compareAddresses($0.address, $1.address, $0.port, $1.port) < 0
    }
    for real in reals { writeRealServerLine(real, into: &text) }
  }
}

/// `TCP  10.96.0.10:53 rr [(mh-port)] [persistent N]`.
func writeServiceLine(_ server: IPVSVirtualServer, into text: inout TextBuffer) {
  text.append(server.proto.rawValue)
  text.append("  ")
  text.append(server.address, port: server.port)
  text.append(byte: UInt8(ascii: " "))
  text.append(server.scheduler)
  if server.sourcePortHash && server.scheduler == "mh" { text.append(" (mh-port)") }
  if let timeout = server.persistentTimeout {
    text.append(" persistent ")
    text.append(timeout)
  }
  text.newline()
}

/// `  -> %-28s %-7s %-6d %-10u %-10u` (ipvsadm pads the last column too).
func writeRealServerLine(_ real: IPVSRealServer, into text: inout TextBuffer) {
  text.append("  -> ")
  var start = text.count
  text.append(real.address, port: real.port)
  text.pad(from: start, to: 28)
  text.append(" Masq    ")
  start = text.count
  text.append(real.weight)
  text.pad(from: start, to: 6)
  text.append(byte: UInt8(ascii: " "))
  start = text.count
  text.append(real.activeConnections)
  text.pad(from: start, to: 10)
  text.append(byte: UInt8(ascii: " "))
  start = text.count
  text.append(real.inactiveConnections)
  text.pad(from: start, to: 10)
  text.newline()
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
  for i in 0..<(a.family == .v6 && b.family == .v6 ? 4 : 1) {
    let (x, y) = (word(a, i), word(b, i))
    if x != y { return Int32(bitPattern: x &- y) }
  }
  return Int32(portA - portB)
}

/// Word `i` of the address as 32-bit words in network order (one for IPv4, four for IPv6).
private func word(_ ip: IPAddress, _ i: Int) -> UInt32 {
  guard ip.family == .v6 else { return ip.v4Value }
  let half = i < 2 ? ip.high : ip.low
  return UInt32(truncatingIfNeeded: i % 2 == 0 ? half >> 32 : half)
}
