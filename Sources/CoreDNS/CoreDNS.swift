/// The CoreDNS module.
enum CoreDNSModule {}
