import NetAddr

/// An IPVS virtual server's identity: protocol, address and port (`TCP 10.96.0.10:53`).
public struct IPVSVirtualServerKey: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var proto: ProxyProtocol
  public var address: IPAddress
  public var port: Int

  public init(proto: ProxyProtocol, address: IPAddress, port: Int) {
    self.proto = proto
    self.address = address
    self.port = port
  }

  /// `TCP 10.96.0.10:53`, as `ipvsadm -Ln` starts the line.
  public var description: String { "\(proto.rawValue) \(address.joined(port: port))" }

  /// ipvsadm's order: protocol, then address, then port.
  public static func < (a: IPVSVirtualServerKey, b: IPVSVirtualServerKey) -> Bool {
    if a.proto != b.proto { return a.proto.rawValue < b.proto.rawValue }
    if a.address != b.address { return a.address < b.address }
    return a.port < b.port
  }
}

/// A real server's kernel state: its weight and connection counters.
public struct IPVSRealServerState: Hashable, Sendable {
  public var endpoint: ProxyEndpoint
  /// 1, or 0 while a removed endpoint drains its connections.
  public var weight: Int
  public var activeConnections: Int
  public var inactiveConnections: Int
}

/// A virtual server's kernel state: scheduler, persistence and real-server counters.
public struct IPVSKernelVirtualServer: Hashable, Sendable {
  public var key: IPVSVirtualServerKey
  public var scheduler: String
  /// `persistent <seconds>` for ClientIP session affinity.
  public var persistentTimeout: Int?
  /// Flags ipvsadm prints after the scheduler (`mh-port` for the mh scheduler).
  public var flags: [String]
  /// Real servers in the kernel's list order.
  public var realServers: [IPVSRealServerState]
}

/// IPVS connection timeouts (seconds) for a closed connection still counted as inactive.
enum IPVSTimeouts {
  /// TCP `TIME_WAIT` (ip_vs_proto_tcp.c: 2 minutes).
  static let tcpTimeWait = 120.0
  /// UDP entries live 5 minutes after the last packet (ip_vs_proto_udp.c).
  static let udp = 300.0
  /// SCTP `CLOSED` (ip_vs_proto_sctp.c: 10 seconds).
  static let sctpClosed = 10.0
  /// lblc/lblcr entries unused for a day are forgotten (`lblc_expiration`).
  static let localityExpiration = 86_400.0

  /// How long a finished connection of `proto` still counts.
  static func linger(_ proto: ProxyProtocol) -> Double {
    switch proto {
    case .tcp: return tcpTimeWait
    case .udp: return udp
    case .sctp: return sctpClosed
    }
  }
}
