import Cluster
import LuaKit

extension LabSession {
  /// The object named by argument `i`: `"name"` (namespace from `namespace`, else the current
  /// one), `"ns/name"`, or an object table with `name` and `namespace` fields.
  func key(_ call: LuaCall, _ i: Int, namespace: String? = nil) throws -> NamespacedName {
    switch call.type(at: i) {
    case .string:
      return try key(parsing: try call.checkString(i), call: call, arg: i, namespace: namespace)
    case .table:
      // Only the two fields are read: an object table may be large.
      guard case .string(let name) = try call.rawField(i, "name") else {
        throw call.argumentError(i, "object table without a name")
      }
      if case .string(let ns) = try call.rawField(i, "namespace") {
        return NamespacedName(namespace: ns, name: name)
      }
      return NamespacedName(namespace: namespace ?? currentNamespace, name: name)
    default:
      throw call.argumentError(
        i, "string expected, got \(call.type(at: i) == .none ? "no value" : call.type(at: i).name)")
    }
  }

  /// Splits `ns/name`; a bare name takes `namespace` or the current namespace.
  func key(
    parsing s: String, call: LuaCall, arg: Int, namespace: String? = nil
  ) throws
    -> NamespacedName
  {
    let utf8 = s.utf8
    guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")) else {
      return NamespacedName(namespace: namespace ?? currentNamespace, name: s)
    }
    let rest = utf8.index(after: slash)
    guard slash != utf8.startIndex, rest != utf8.endIndex,
      !utf8[rest...].contains(UInt8(ascii: "/"))
    else {
      throw call.argumentError(
        arg, "invalid object name \"\(s)\" (expected \"name\" or \"namespace/name\")")
    }
    return NamespacedName(namespace: String(s[..<slash]), name: String(s[rest...]))
  }

  /// The name of a cluster-scoped object (node, namespace) in argument `i`.
  func plainName(_ call: LuaCall, _ i: Int) throws -> String {
    if case .string(let name) = try call.rawField(i, "name") { return name }
    return try call.checkString(i)
  }
}

extension LuaCall {
  /// Runs a cluster call, reporting its error as `function: <API server message>`.
  func cluster<T>(_ body: () throws(ClusterError) -> T) throws -> T {
    do {
      return try body()
    } catch {
      throw LuaError("\(functionName): \(error.rendered())")
    }
  }

  /// Pushes one result and returns the result count.
  func result(_ value: LuaValue) throws -> Int {
    try push(value)
    return 1
  }
}
