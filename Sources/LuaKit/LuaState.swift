import CLua
import CLuaGlue

/// Limits and restrictions of a ``LuaState``.
public struct LuaOptions: Sendable {
  /// Lua instructions each top-level call may run before it fails with
  /// "instruction budget exceeded"; `nil` for no limit.
  public var maxInstructions: Int?
  /// Bytes the state may allocate while Lua code runs; `nil` for no cap.
  public var maxMemory: Int?
  /// Removes what reaches outside the lab: `os.execute`, `io.popen`, writing files
  /// outside the current directory, `package.loadlib` and C modules, binary chunks.
  public var sandbox: Bool

  /// Creates options; the defaults impose no limit.
  public init(maxInstructions: Int? = nil, maxMemory: Int? = nil, sandbox: Bool = false) {
    self.maxInstructions = maxInstructions
    self.maxMemory = maxMemory
    self.sandbox = sandbox
  }
}

/// The text `help()` shows for one primitive.
public struct HelpEntry: Sendable, Equatable {
  /// How to call it, for example `createService(name, spec)`.
  public var usage: String
  /// One line saying what it does.
  public var summary: String
  /// Further paragraphs: options, results, examples.
  public var details: String

  /// Creates a help entry.
  public init(usage: String, summary: String, details: String = "") {
    self.usage = usage
    self.summary = summary
    self.details = details
  }
}

/// A Swift function callable from Lua. It reads its arguments from the ``LuaCall``,
/// pushes its results and returns how many it pushed; it reports failure by throwing.
public typealias LuaFunction = (LuaCall) throws -> Int

/// An independent Lua 5.4 state with the standard libraries open.
///
/// The corresponding C type is `lua_State`; the state is closed (`lua_close`) when
/// this object is deinitialised, which also releases every registered Swift closure.
/// A state is used from one thread at a time.
public final class LuaState {
  let mainThread: OpaquePointer
  /// The limits this state was created with.
  public let options: LuaOptions
  /// Help text of every registered primitive, by global name.
  public internal(set) var helpEntries: [String: HelpEntry] = [:]
  /// Registry references dropped by Swift, freed at the next safe point.
  var pendingUnrefs: [Int32] = []
  var closing = false
  /// The process-wide memory cap, when `maxMemory` is set.
  public let processMemory: ProcessMemory?
  /// Completes names inside a string argument in the REPL: given the function's name
  /// and the partial string, returns candidate strings (e.g. Service names for
  /// `resolve("we<TAB>`). Set by the layer that knows the objects.
  public var stringArgumentCompleter: ((_ function: String, _ partial: String) -> [String])?

  /// Creates a state, opens the standard libraries and applies `options`.
  ///
  /// The corresponding C API is `lua_newstate` + `luaL_openlibs`.
  /// - Throws: ``LuaError`` when the state cannot be created.
  public init(options: LuaOptions = LuaOptions()) throws {
    LuaState.installCallbacks()
    self.options = options
    processMemory = options.maxMemory.map { ProcessMemory(limit: max(0, $0)) }
    let cap = options.maxMemory.map { max(0, $0) } ?? 0
    guard let L = svl_newstate(cap, nil) else {
      throw LuaError("cannot create state: not enough memory", kind: .memory)
    }
    mainThread = L
    svl_setowner(L, Unmanaged.passUnretained(self).toOpaque())
    if svl_openlibs(L) != LUA_OK {
      svl_pop(L, 1)
      throw LuaError("cannot open the standard libraries: not enough memory", kind: .memory)
    }
    svl_setbudget(L, lua_Integer(options.maxInstructions ?? 0))
    try installHelp()
    if options.sandbox { try applySandbox() }
  }

  deinit {
    closing = true
    svl_close(mainThread)
  }

  /// The thread inside the innermost running Swift function (the main thread between
  /// calls); the C trampoline keeps track of it.
  var activeThread: OpaquePointer { svl_running(mainThread) ?? mainThread }

  /// True while a Swift function called from Lua is running.
  var isInsideCall: Bool { svl_depth(mainThread) > 0 }

  /// The stack of the thread running right now (the main thread between calls).
  var activeStack: LuaStack {
    drainUnrefs()
    return LuaStack(L: activeThread, state: self)
  }

  /// Bytes the state currently holds.
  public var memoryUsed: Int { Int(svl_memoryused(mainThread)) }

  /// Stops the code running in this state at its next instruction with the error
  /// "interrupted!". Safe to call from another thread or a signal handler context.
  ///
  /// The corresponding C code is lua.c's `laction`.
  public func interrupt() {
    svl_interrupt(mainThread)
  }

  /// Remembers a registry reference to free once no Lua call is in progress.
  func releaseLater(_ ref: Int32) {
    guard !closing else { return }
    pendingUnrefs.append(ref)
  }

  /// Frees the references queued by ``releaseLater(_:)`` (`luaL_unref`).
  func drainUnrefs() {
    guard !pendingUnrefs.isEmpty else { return }
    let L = activeThread
    for ref in pendingUnrefs { luaL_unref(L, svl_registryindex(), ref) }
    pendingUnrefs.removeAll()
  }

  /// Returns the state that owns `L` (any of its threads).
  static func owner(of L: OpaquePointer) -> LuaState? {
    guard let raw = svl_owner(L) else { return nil }
    return Unmanaged<LuaState>.fromOpaque(raw).takeUnretainedValue()
  }
}
