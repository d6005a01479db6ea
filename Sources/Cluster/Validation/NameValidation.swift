/// Name and identifier checks with the API server's messages (`apimachinery/.../validation`).
enum NameValidation {
  static let dns1123LabelMessage =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    + "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    + "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
  static let dns1035LabelMessage =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    + "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    + "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
  static let dns1123SubdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    + "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    + "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

  private static func isLowerAlnum(_ c: Character) -> Bool {
    c.isASCII && (c.isLowercase || c.isNumber)
  }

  private static func isLabel(_ s: Substring, alphaFirst: Bool) -> Bool {
    guard let f = s.first, let l = s.last else { return false }
    if alphaFirst ? !(f.isASCII && f.isLowercase) : !isLowerAlnum(f) { return false }
    guard isLowerAlnum(l) else { return false }
    return s.allSatisfy { isLowerAlnum($0) || $0 == "-" }
  }

  /// RFC 1123 label checks (namespace names, port names).
  static func dns1123Label(_ s: String) -> [String] {
    var out: [String] = []
    if s.count > 63 { out.append("must be no more than 63 characters") }
    if !isLabel(Substring(s), alphaFirst: false) { out.append(dns1123LabelMessage) }
    return out
  }

  /// DNS-1035 label checks (Service names).
  static func dns1035Label(_ s: String) -> [String] {
    var out: [String] = []
    if s.count > 63 { out.append("must be no more than 63 characters") }
    if !isLabel(Substring(s), alphaFirst: true) { out.append(dns1035LabelMessage) }
    return out
  }

  /// RFC 1123 subdomain checks (pod, node, Deployment, EndpointSlice names; externalName).
  static func dns1123Subdomain(_ s: String) -> [String] {
    var out: [String] = []
    if s.count > 253 { out.append("must be no more than 253 characters") }
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    if s.isEmpty || !parts.allSatisfy({ isLabel($0, alphaFirst: false) }) {
      out.append(dns1123SubdomainMessage)
    }
    return out
  }

  /// IANA service name checks for a named port (`IsValidPortName`).
  static func portName(_ s: String) -> [String] {
    var out: [String] = []
    if s.count > 15 { out.append("must be no more than 15 characters") }
    if !s.allSatisfy({ isLowerAlnum($0) || $0 == "-" }) {
      out.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    }
    if s.contains("--") { out.append("must not contain consecutive hyphens") }
    if !s.contains(where: { $0.isASCII && $0.isLetter }) {
      out.append("must contain at least one letter (a-z)")
    }
    if s.hasPrefix("-") || s.hasSuffix("-") { out.append("must not begin or end with a hyphen") }
    return out
  }

  /// Port number checks (`IsValidPortNum`).
  static func portNumber(_ n: Int) -> [String] {
    (1...65535).contains(n) ? [] : ["must be between 1 and 65535, inclusive"]
  }

  /// `metadata.name` errors for a name checked by `check`.
  static func metadataName(_ name: String, _ check: (String) -> [String]) -> [FieldError] {
    let path = FieldPath("metadata", "name")
    if name.isEmpty { return [.required(path, "name or generateName is required")] }
    return check(name).map { .invalid(path, .string(name), $0) }
  }
}
