/// The logical clock.
extension Cluster {
  /// Moves the clock forward; pods whose grace period has passed are removed (earliest
  /// deadline first) and Deployments replace nothing for them (they were replaced already).
  /// Returns the new time.
  @discardableResult
  public func advance(_ seconds: Double) throws(ClusterError) -> Double {
    try transaction { () throws(ClusterError) in
      guard seconds >= 0 else {
        throw .badConfig("advance: seconds must not be negative (got \(seconds))")
      }
      now += seconds
      let due = terminating.filter { $0.value <= now }.sorted {
        ($0.value, $0.key) < ($1.value, $1.key)
      }
      for (key, _) in due { removePodNow(key) }
      return now
    }
  }
}
