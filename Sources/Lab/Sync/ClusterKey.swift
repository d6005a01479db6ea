import Cluster

/// The cluster's object key, named apart from kube-proxy's own type of the same name.
typealias ClusterKey = NamespacedName
