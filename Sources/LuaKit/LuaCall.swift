import CLua
import CLuaGlue

/// The arguments and results of one call from Lua into a Swift ``LuaFunction``.
///
/// Arguments are numbered from 1 like Lua's stack. Checks mirror lauxlib's
/// `luaL_check*`/`luaL_opt*` but throw instead of raising, with messages that read
/// `name: bad argument #2 (table expected, got nil)`.
public struct LuaCall {
  let stack: LuaStack
  /// The name the function was registered under (prefix of its error messages).
  public let functionName: String

  /// The state being called into.
  public var state: LuaState { stack.state }

  init(L: OpaquePointer, state: LuaState, functionName: String) {
    self.stack = LuaStack(L: L, state: state)
    self.functionName = functionName
  }

  /// How many arguments were passed. The corresponding C API is `lua_gettop`.
  public var argumentCount: Int { stack.top }

  /// The type of argument `i` (``LuaType/none`` past the last one).
  public func type(at i: Int) -> LuaType { stack.type(at: i) }

  /// Converts argument `i` (or any stack index) into Swift, tables recursively.
  public func value(at i: Int) -> LuaValue { stack.value(at: i) }

  /// The function at argument `i` as a reference Swift can call later.
  public func function(at i: Int) throws -> LuaFunctionRef {
    guard type(at: i) == .function else { throw typeError(i, expected: "function") }
    guard let ref = stack.reference(at: i) else { throw LuaError("not enough memory") }
    return ref
  }

  /// A reference to any non-nil argument `i` (tables stay in Lua, by identity).
  public func reference(at i: Int) throws -> LuaReference {
    guard type(at: i) != .none, type(at: i) != .nil else { throw typeError(i, expected: "value") }
    guard let ref = stack.reference(at: i) else { throw LuaError("not enough memory") }
    return ref
  }

  /// Text for the value at `i` as the REPL shows it (tables pretty-printed,
  /// `__tostring` honoured).
  public func describe(at i: Int) -> String {
    PrettyPrinter().render(stack: stack, index: i, topLevel: true)
  }

  /// An error for argument `i`: `name: bad argument #i (message)`
  /// (lauxlib's `luaL_argerror`).
  public func argumentError(_ i: Int, _ message: String) -> LuaError {
    LuaError("\(functionName): bad argument #\(i) (\(message))")
  }

  /// An error in this function's name: `name: message`.
  public func error(_ message: String) -> LuaError {
    LuaError("\(functionName): \(message)")
  }

  /// lauxlib's `luaL_typeerror`: "X expected, got Y".
  func typeError(_ i: Int, expected: String) -> LuaError {
    let got = type(at: i) == .none ? "no value" : stack.typeNameForError(at: i)
    return argumentError(i, "\(expected) expected, got \(got)")
  }
}
