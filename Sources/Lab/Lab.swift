import LuaKit

public enum Lab {
  /// Registers svclab's primitives in a fresh state.
  public static func install(in state: LuaState) throws {}
}
