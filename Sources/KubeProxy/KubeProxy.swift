/// The KubeProxy module.
enum KubeProxyModule {}
