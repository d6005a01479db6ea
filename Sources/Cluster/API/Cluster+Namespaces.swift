/// Namespaces: creation, cascading deletion, reads.
extension Cluster {
  /// Namespaces the API server refuses to delete (NamespaceLifecycle admission).
  static let immortalNamespaces: Set<String> = ["default", "kube-system", "kube-public"]

  /// Creates a namespace (name: an RFC 1123 label).
  @discardableResult
  public func createNamespace(
    _ name: String, labels: [String: String] = [:]
  ) throws(ClusterError)
    -> Namespace
  {
    try transaction { () throws(ClusterError) in try insertNamespace(name, labels: labels) }
  }

  func insertNamespace(_ name: String, labels: [String: String]) throws(ClusterError) -> Namespace {
    let errs = NameValidation.metadataName(name, NameValidation.dns1123Label)
    if !errs.isEmpty { throw .invalid(kind: "Namespace", name: name, errors: errs) }
    if namespaceStore[name] != nil { throw .alreadyExists(resource: "namespaces", name: name) }
    var all = labels
    all[WellKnownLabel.namespaceName] = name
    let ns = Namespace(metadata: newMeta(name: name, namespace: "", labels: all))
    putNamespace(name, ns)
    return ns
  }

  /// Deletes a namespace and everything in it (Deployments, pods at once, Services, slices).
  public func deleteNamespace(_ name: String) throws(ClusterError) {
    try transaction { () throws(ClusterError) in
      guard namespaceStore[name] != nil else { throw .notFound(resource: "namespaces", name: name) }
      if Cluster.immortalNamespaces.contains(name) {
        throw .forbidden(
          resource: "namespaces", name: name, message: "this namespace may not be deleted")
      }
      for d in (deploymentsByNamespace[name] ?? []).sorted() {
        putDeployment(NamespacedName(namespace: name, name: d), nil)
      }
      for p in (podIndex.byNamespace[name] ?? []).sorted() {
        removePodNow(NamespacedName(namespace: name, name: p))
      }
      for s in (servicesByNamespace[name] ?? []).sorted() {
        removeService(NamespacedName(namespace: name, name: s))
      }
      for s in (slicesByNamespace[name] ?? []).sorted() {
        putSlice(NamespacedName(namespace: name, name: s), nil)
      }
      removeEndpoints(inNamespace: name)
      putNamespace(name, nil)
    }
  }

  /// The namespace called `name`.
  public func namespace(_ name: String) -> Namespace? { namespaceStore[name] }

  /// Every namespace, by name.
  public func namespaces() -> [Namespace] {
    namespaceStore.keys.sorted().compactMap { namespaceStore[$0] }
  }

  /// Throws `namespaces "x" not found` unless the namespace exists.
  func requireNamespace(_ name: String) throws(ClusterError) {
    if namespaceStore[name] == nil { throw .notFound(resource: "namespaces", name: name) }
  }
}
