import CLua
import CLuaGlue

extension LuaStack {
  /// The string at `index` as ``LuaValue/string(_:)`` or ``LuaValue/bytes(_:)``.
  ///
  /// The corresponding C API is `lua_tolstring` (which converts a number in place).
  func stringValue(at index: Int) -> LuaValue {
    var length = 0
    guard let pointer = lua_tolstring(L, Int32(index), &length) else { return .nil }
    let buffer = UnsafeRawBufferPointer(start: pointer, count: length)
    if let string = String(validating: buffer, as: UTF8.self) { return .string(string) }
    return .bytes(Array(buffer))
  }

  /// The string at `index` as Swift text (invalid UTF-8 repaired), or nil.
  func string(at index: Int) -> String? {
    var length = 0
    guard let pointer = lua_tolstring(L, Int32(index), &length) else { return nil }
    return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
  }

  /// Keeps the value at `index` in the registry and returns its reference.
  ///
  /// The corresponding C API is `luaL_ref`.
  func reference(at index: Int) -> LuaReference? {
    let type = type(at: index)
    let identity = lua_topointer(L, Int32(index))
    lua_pushvalue(L, Int32(index))
    let ref = svl_ref(L)
    guard ref != LUA_NOREF else { return nil }
    return LuaReference(state: state, ref: ref, type: type, identity: identity)
  }

  /// Converts the value at `index` into Swift; tables are converted recursively and a
  /// table met again on its own path becomes ``LuaValue/opaque(_:)``, as does a table
  /// nested deeper than ``LuaLimits/maxDepth`` (it stays in Lua, unconverted).
  func value(at index: Int) -> LuaValue {
    var walk = Conversion(strict: false, memory: nil)
    return (try? value(at: absolute(index), walk: &walk)) ?? .nil
  }

  /// Converts the value at `index` into Swift like ``value(at:)``, but throws instead of
  /// stopping quietly: a table nested deeper than ``LuaLimits/maxDepth``, more than
  /// ``LuaLimits/maxEntries`` entries in all, or the process over its memory cap.
  func checkedValue(at index: Int) throws(LuaConversionError) -> LuaValue {
    var walk = Conversion(strict: true, memory: state.processMemory)
    return try value(at: absolute(index), walk: &walk)
  }

  /// The state of one conversion: the tables on the current path (cycles), the depth,
  /// the entries converted so far and the top-level key under which they are.
  struct Conversion {
    let strict: Bool
    let memory: ProcessMemory?
    var path: Set<UnsafeRawPointer> = []
    var depth = 0
    var entries = 0
    var topKey: LuaValue = .nil
  }

  private func value(at index: Int, walk: inout Conversion) throws(LuaConversionError) -> LuaValue {
    switch type(at: index) {
    case .none, .nil: return .nil
    case .boolean: return .boolean(lua_toboolean(L, Int32(index)) != 0)
    case .number:
      if lua_isinteger(L, Int32(index)) != 0 {
        return .integer(Int64(lua_tointegerx(L, Int32(index), nil)))
      }
      return .number(lua_tonumberx(L, Int32(index), nil))
    case .string: return stringValue(at: index)
    case .table: return try table(at: index, walk: &walk)
    case .function: return reference(at: index).map { .function($0) } ?? .nil
    case .lightUserdata, .userdata, .thread: return reference(at: index).map { .opaque($0) } ?? .nil
    }
  }

  /// Converts the table at `index` (absolute) by walking it with `lua_next`.
  private func table(at index: Int, walk: inout Conversion) throws(LuaConversionError) -> LuaValue {
    if walk.depth >= LuaLimits.maxDepth {
      if walk.strict { throw LuaConversionError(.tooDeep, topKey: walk.topKey) }
      return reference(at: index).map { .opaque($0) } ?? .nil
    }
    guard let identity = lua_topointer(L, Int32(index)), lua_checkstack(L, 4) != 0,
      !walk.path.contains(identity)
    else { return reference(at: index).map { .opaque($0) } ?? .nil }
    walk.path.insert(identity)
    walk.depth += 1
    defer {
      walk.path.remove(identity)
      walk.depth -= 1
    }
    var entries: [LuaValue: LuaValue] = [:]
    lua_pushnil(L)
    while lua_next(L, Int32(index)) != 0 {
      walk.entries += 1
      if walk.entries & 4095 == 0 {
        if walk.strict, walk.entries > LuaLimits.maxEntries {
          pop(2)
          throw LuaConversionError(.tooLarge, topKey: walk.topKey)
        }
        if let memory = walk.memory, memory.isOverLimit {
          pop(2)
          throw LuaConversionError(.memory(memory.limit), topKey: walk.topKey)
        }
      }
      let key: LuaValue
      let element: LuaValue
      do {
        key = try value(at: top - 1, walk: &walk)
        if walk.depth == 1 { walk.topKey = key }
        element = try value(at: top, walk: &walk)
      } catch {
        pop(2)
        throw error
      }
      pop()
      if key != .nil { entries[key] = element }
    }
    var array: [LuaValue] = []
    while let element = entries.removeValue(forKey: .integer(Int64(array.count + 1))) {
      array.append(element)
    }
    return .table(LuaTable(array: array, map: entries))
  }
}

/// How far a Lua value is converted into Swift.
public enum LuaLimits {
  /// The deepest table nesting converted into Swift. The anchor is Lua's own limit on
  /// nested C calls and syntactical nesting, LUAI_MAXCCALLS = 200 (llimits.h of Lua
  /// 5.4): a table constructor nested deeper than that does not even compile
  /// ("chunk has too many C levels"), so no table written as a literal goes past it.
  /// Deeper tables (built in a loop) would otherwise recurse in Swift until the C stack
  /// overflows.
  public static let maxDepth = 200
  /// The most entries (key-value pairs of every nested table together) one argument may
  /// convert into Swift: a million, far above any object's fields (an EndpointSlice holds
  /// at most 1,000 endpoints) and about a second of conversion in a release build. A
  /// bound on what one primitive call builds on the Swift side beside the memory cap.
  public static let maxEntries = 1_000_000
  /// The longest string a primitive copies into Swift (`checkString`): 64 MiB, far above
  /// any name, manifest (4 MiB) or Corefile (1 MiB) a primitive reads, so that a huge Lua
  /// string is refused before a second copy of it is made.
  public static let maxStringBytes = 64 << 20
}

/// Why a Lua value could not be converted into Swift, with the top-level key under
/// which it happened (`ports` of `createService`'s spec), or nil at the top.
public struct LuaConversionError: Error, Equatable {
  public enum Reason: Equatable {
    case tooDeep
    case tooLarge
    /// The process went over the memory cap (its size in bytes).
    case memory(Int)
  }

  public let reason: Reason
  public let topKey: LuaValue

  init(_ reason: Reason, topKey: LuaValue) {
    self.reason = reason
    self.topKey = topKey
  }

  /// The path below a table named `name`: `spec.ports`, `spec[0]`, or `spec`.
  public func path(under name: String) -> String {
    switch topKey {
    case .string(let s): return "\(name).\(s)"
    case .integer(let i): return "\(name)[\(i - 1)]"
    case .nil: return name
    default: return "\(name)[\(topKey.stringValue ?? topKey.type.name)]"
    }
  }

  /// `name.key: nested too deeply (limit 200)` and the like.
  public func message(under name: String) -> String {
    switch reason {
    case .tooDeep: return "\(path(under: name)): nested too deeply (limit \(LuaLimits.maxDepth))"
    case .tooLarge: return "\(path(under: name)): too many entries (limit \(LuaLimits.maxEntries))"
    case .memory(let limit): return "not enough memory (limit \(limit) bytes, --max-memory)"
    }
  }
}
