import CLuaGlue

/// The memory cap of a session (`--max-memory`) applied to the whole process, not only to
/// Lua's allocator: what the primitives build on the Swift side (converted arguments,
/// decoded manifests, the cluster's objects) counts too.
///
/// Measured, not estimated: the C heap's bytes in use (glibc's `mallinfo2`, which sees
/// Swift's and Lua's allocations alike) minus what was in use when the state was created.
/// After every call into Swift the part that is not Lua's is handed to Lua's allocator
/// (`svl_setexternal`), so Lua code fails with "not enough memory" once Lua and Swift
/// together reach the cap; a primitive called while the session is over the cap fails
/// before it changes anything, and long conversions check the cap as they go.
public final class ProcessMemory {
  /// The cap in bytes.
  public let limit: Int
  /// Heap bytes in use when the session started.
  let baseline: Int
  /// Functions that run even over the cap because they give memory back (`reset`,
  /// `delete…`): without them a session over its cap could never get under it again.
  public var releasing: Set<String> = []
  /// The heap's growth that was not Lua's, measured after the last call into Swift.
  public internal(set) var external = 0

  init(limit: Int) {
    self.limit = limit
    baseline = ProcessMemory.heapInUse()
  }

  /// Bytes of the C heap in use by the whole process (small and mmapped blocks).
  public static func heapInUse() -> Int {
    Int(svl_heapinuse())
  }

  /// The heap's growth since the session started, measured now.
  public var growth: Int { max(0, ProcessMemory.heapInUse() - baseline) }

  /// True when the session holds more than its cap right now.
  public var isOverLimit: Bool { growth > limit }

  /// The error a primitive raises when the session is over its cap.
  public func error(_ function: String) -> LuaError {
    LuaError(
      "\(function): not enough memory (the session holds more than "
        + "its limit of \(limit) bytes, --max-memory)",
      kind: .memory)
  }
}
