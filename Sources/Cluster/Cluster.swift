/// The Cluster module.
enum ClusterModule {}
