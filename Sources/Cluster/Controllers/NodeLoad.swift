/// The scheduler's view of how loaded each node is: a binary min-heap of (pod count, node
/// name) entries, so that picking the least loaded node costs O(log nodes) instead of a walk
/// over every node for every new pod.
///
/// Entries may be stale; they are checked against the pod index when they reach the top. The
/// invariant is that every node has an entry whose count is at most its real count: a node
/// gets an entry when it is added and whenever it loses a pod; an entry that undercounts is
/// re-filed with the real count when it surfaces.
struct NodeLoad {
  private var heap: [(count: Int, name: String)] = []

  /// Records that `name` now runs `count` pods (or was just added).
  mutating func note(_ name: String, count: Int) {
    guard !name.isEmpty else { return }  // "" holds pods waiting for a node
    heap.append((count, name))
    siftUp(heap.count - 1)
  }

  /// The node with the fewest pods, ties broken by name: `count(name)` gives the real pod
  /// count of a node, or nil for a node that no longer exists.
  mutating func least(count: (String) -> Int?) -> String? {
    while let top = heap.first {
      guard let real = count(top.name) else {
        removeTop()
        continue
      }
      if real == top.count { return top.name }
      removeTop()
      note(top.name, count: real)
    }
    return nil
  }

  /// Drops every entry and files one per node with its real count (when stale entries have
  /// piled up, or to start from a known state).
  mutating func rebuild(_ loads: [(count: Int, name: String)]) {
    heap = []
    heap.reserveCapacity(loads.count)
    for entry in loads { note(entry.name, count: entry.count) }
  }

  /// How many entries the heap holds (stale ones included).
  var entryCount: Int { heap.count }

  private static func less(_ a: (count: Int, name: String), _ b: (count: Int, name: String)) -> Bool
  {
    a.count != b.count ? a.count < b.count : a.name < b.name
  }

  private mutating func removeTop() {
    heap.swapAt(0, heap.count - 1)
    heap.removeLast()
    var i = 0
    while true {
      let l = 2 * i + 1
      let r = l + 1
      var m = i
      if l < heap.count && Self.less(heap[l], heap[m]) { m = l }
      if r < heap.count && Self.less(heap[r], heap[m]) { m = r }
      if m == i { return }
      heap.swapAt(i, m)
      i = m
    }
  }

  private mutating func siftUp(_ start: Int) {
    var i = start
    while i > 0 {
      let p = (i - 1) / 2
      guard Self.less(heap[i], heap[p]) else { return }
      heap.swapAt(i, p)
      i = p
    }
  }
}
