import NetAddr

/// Where a connection starts.
public enum ConnectSource: Hashable, Sendable {
  /// A pod (`ns/name`): its IP, on its node.
  case pod(NamespacedName)
  /// A process on a node: the node's IP (or 127.0.0.1 towards localhost).
  case node(String)
  /// A client outside the cluster with this address.
  case external(IPAddress)
}

/// What a connection is sent to.
public struct ConnectDestination: Hashable, Sendable {
  public var ip: IPAddress
  public var port: Int
  public var proto: ProxyProtocol

  public init(ip: IPAddress, port: Int, proto: ProxyProtocol = .tcp) {
    self.ip = ip
    self.port = port
    self.proto = proto
  }
}

/// Per-connection options.
public struct ConnectOptions: Hashable, Sendable {
  /// The client's source port (random ephemeral port when nil).
  public var sourcePort: Int?
  /// The connection stays open until `disconnect` (IPVS counts it as active).
  public var keep: Bool
  /// The logical clock, in seconds.
  public var now: Double

  public init(sourcePort: Int? = nil, keep: Bool = false, now: Double = 0) {
    self.sourcePort = sourcePort
    self.keep = keep
    self.now = now
  }
}

/// The first word of a failed connection's reason.
public enum ConnectFailureKind: String, Hashable, Sendable {
  /// REJECT (or ICMP port unreachable, or a RST): the Service has no endpoints.
  case refused
  /// DROP: e.g. externalTrafficPolicy Local on a node with no local endpoint.
  case dropped
  /// Nothing answers at that address and port.
  case unreachable
}

/// Why a connection failed: one word, then the details.
public struct ConnectFailure: Error, Hashable, Sendable, CustomStringConvertible {
  public var kind: ConnectFailureKind
  public var detail: String

  public init(_ kind: ConnectFailureKind, _ detail: String) {
    self.kind = kind
    self.detail = detail
  }

  /// `refused: default/web:http has no endpoints`.
  public var description: String { "\(kind.rawValue): \(detail)" }
}

/// An established connection: who answered and what they saw.
public struct Connection: Hashable, Sendable {
  /// Handle for `disconnect`.
  public var id: Int
  /// The backend pod (`ns/name`), nil when the backend is not a pod (a node address).
  public var pod: NamespacedName?
  public var podIP: IPAddress
  /// The backend's port.
  public var port: Int
  /// The Service port used, nil for a direct connection to a pod.
  public var servicePort: Int?
  /// The backend's node.
  public var node: String
  /// The node whose kube-proxy handled the packet.
  public var entryNode: String
  public var service: NamespacedName?
  /// The source address the backend sees.
  public var sourceIP: IPAddress
  public var kept: Bool
}

/// The outcome of one connection attempt, with its trace.
public struct ConnectOutcome: Sendable {
  public var result: Result<Connection, ConnectFailure>
  public var trace: [TraceStep]

  public var connection: Connection? { try? result.get() }
  public var failure: ConnectFailure? {
    if case .failure(let failure) = result { return failure }
    return nil
  }
}
