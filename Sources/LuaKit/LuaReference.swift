import CLua
import CLuaGlue

/// A Lua value kept alive in the registry (`luaL_ref`) so that Swift can hold it:
/// a function to call later, a userdata, a thread, a table.
///
/// The reference is released when this object goes away; it never keeps the
/// ``LuaState`` alive, and calling it after the state closed throws.
public final class LuaReference: Hashable {
  weak var state: LuaState?
  let ref: Int32
  /// The Lua type of the referenced value.
  public let type: LuaType
  /// `lua_topointer` of the value: its identity while it is referenced.
  let identity: UnsafeRawPointer?

  init(state: LuaState, ref: Int32, type: LuaType, identity: UnsafeRawPointer?) {
    self.state = state
    self.ref = ref
    self.type = type
    self.identity = identity
  }

  deinit {
    // No Lua call here: deinit may run inside a finalizer or while the state closes.
    state?.releaseLater(ref)
  }

  public static func == (a: LuaReference, b: LuaReference) -> Bool {
    a.identity == b.identity && a.type == b.type
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(identity)
  }
}

/// A reference known to hold a function (returned by ``LuaCall/function(at:)``).
public typealias LuaFunctionRef = LuaReference
