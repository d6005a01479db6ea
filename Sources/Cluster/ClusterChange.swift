/// One object change, as `(previous, current)`: nil previous = created, nil current = deleted.
public indirect enum ClusterChange: Hashable, Sendable {
  case namespace(previous: Namespace?, current: Namespace?)
  case node(previous: Node?, current: Node?)
  case pod(previous: Pod?, current: Pod?)
  case service(previous: Service?, current: Service?)
  case endpointSlice(previous: EndpointSlice?, current: EndpointSlice?)
  case deployment(previous: Deployment?, current: Deployment?)
  case endpoints(previous: V1Endpoints?, current: V1Endpoints?)

  /// The kind of the changed object.
  public var kind: ObjectKind {
    switch self {
    case .namespace: return .namespace
    case .node: return .node
    case .pod: return .pod
    case .service: return .service
    case .endpointSlice: return .endpointSlice
    case .deployment: return .deployment
    case .endpoints: return .endpoints
    }
  }
}

/// The object kinds of the cluster.
public enum ObjectKind: String, Hashable, Sendable, CaseIterable {
  case namespace = "Namespace"
  case node = "Node"
  case pod = "Pod"
  case service = "Service"
  case endpointSlice = "EndpointSlice"
  case deployment = "Deployment"
  case endpoints = "Endpoints"
}
