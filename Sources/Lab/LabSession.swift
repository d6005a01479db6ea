import Cluster
import LuaKit

/// Something that follows the cluster: it loads the current objects once, then receives
/// every change as it happens (CoreDNS's and kube-proxy's informers).
protocol ClusterFollower: AnyObject {
  /// Takes in every object of a freshly created cluster.
  func load(from cluster: Cluster)
  /// Applies one object change; `cluster` is the state after the whole call.
  func apply(_ change: ClusterChange, in cluster: Cluster)
}

/// One lab: the cluster, the engines that follow it, and the scripting state around them
/// (current namespace). Every Lua primitive works on the session of its state.
final class LabSession {
  private(set) var cluster: Cluster
  var currentNamespace = "default"
  /// The calls that made this lab, for `saveLab`.
  var journal = Journal()
  /// Where warnings are shown (see `Warnings.swift`); standard error unless a test replaces it.
  var warningSink: (String) -> Void = LabSession.standardErrorSink
  /// Run after each primitive that changed the lab (the kernel lab re-syncs there).
  var afterChange: [() -> Void] = []
  private var followers: [ClusterFollower] = []
  private var makers: [(LabSession) -> ClusterFollower] = []

  init(config: ClusterConfig = ClusterConfig()) throws {
    cluster = try Cluster(config: config)
  }

  /// Registers an engine that follows the cluster; it is rebuilt by every `reset`, and the
  /// slot returned always holds the current one (for primitives that reach it on every call,
  /// without looking it up among the followers).
  @discardableResult
  func follow<T: ClusterFollower>(with make: @escaping (LabSession) -> T) -> FollowerSlot<T> {
    let f = make(self)
    let slot = FollowerSlot(f)
    makers.append { lab in
      let fresh = make(lab)
      slot.current = fresh
      return fresh
    }
    f.load(from: cluster)
    followers.append(f)
    subscribe(f)
    return slot
  }

  /// Replaces the cluster with a new one built from `config`; the old one stays if that fails.
  func reset(_ config: ClusterConfig) throws {
    adopt(try Cluster(config: config))
  }

  /// Replaces the cluster with `fresh` (one built elsewhere, such as an imported dump) and
  /// rebuilds the followers from it.
  func adopt(_ fresh: Cluster) {
    cluster = fresh
    currentNamespace = "default"
    followers = makers.map { $0(self) }
    for f in followers {
      f.load(from: fresh)
      subscribe(f)
    }
  }

  /// Feeds the cluster's changes to `f`. The observer lives in the cluster, so it holds the
  /// cluster `unowned` (no cycle) and the follower strongly (a follower holds no cluster):
  /// a `weak` reference would move both objects' reference counts to a side table, making
  /// every retain of them on a query's path a slow one.
  private func subscribe(_ f: ClusterFollower) {
    let c = cluster
    c.subscribe { [unowned c] change in f.apply(change, in: c) }
  }

  /// The follower of type `T` (the DNS or proxy engine adapter).
  func follower<T: ClusterFollower>(_ type: T.Type) -> T? {
    followers.lazy.compactMap { $0 as? T }.first
  }
}

/// The current follower of one kind: `reset` makes new followers and puts each in its slot.
final class FollowerSlot<T: ClusterFollower> {
  fileprivate(set) var current: T

  init(_ follower: T) { current = follower }
}
