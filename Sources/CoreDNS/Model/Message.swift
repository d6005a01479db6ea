/// A DNS resource record type, spelled as in zone files.
public enum RRType: String, CaseIterable, Hashable, Sendable {
  case a = "A"
  case ns = "NS"
  case cname = "CNAME"
  case soa = "SOA"
  case ptr = "PTR"
  case hinfo = "HINFO"
  case mx = "MX"
  case txt = "TXT"
  case aaaa = "AAAA"
  case srv = "SRV"
  case naptr = "NAPTR"
  case ds = "DS"
  case sshfp = "SSHFP"
  case rrsig = "RRSIG"
  case nsec = "NSEC"
  case dnskey = "DNSKEY"
  case tlsa = "TLSA"
  case svcb = "SVCB"
  case https = "HTTPS"
  case spf = "SPF"
  case ixfr = "IXFR"
  case axfr = "AXFR"
  case any = "ANY"
  case caa = "CAA"

  /// Parses a type name in any case ("aaaa", "Srv").
  /// - Throws: `CoreDNSError.unknownType` for a name that is not a known type.
  public init(parsing text: String) throws(CoreDNSError) {
    guard let t = RRType(rawValue: text.uppercased()) else {
      throw .unknownType(text)
    }
    self = t
  }

  /// The numeric type code (RFC 1035 and successors).
  public var code: UInt16 {
    switch self {
    case .a: 1
    case .ns: 2
    case .cname: 5
    case .soa: 6
    case .ptr: 12
    case .hinfo: 13
    case .mx: 15
    case .txt: 16
    case .aaaa: 28
    case .srv: 33
    case .naptr: 35
    case .ds: 43
    case .sshfp: 44
    case .rrsig: 46
    case .nsec: 47
    case .dnskey: 48
    case .tlsa: 52
    case .svcb: 64
    case .https: 65
    case .spf: 99
    case .ixfr: 251
    case .axfr: 252
    case .any: 255
    case .caa: 257
    }
  }
}

/// A response code, named as `dig` names it.
public enum Rcode: String, Hashable, Sendable {
  case noError = "NOERROR"
  case formErr = "FORMERR"
  case servFail = "SERVFAIL"
  case nxDomain = "NXDOMAIN"
  case notImp = "NOTIMP"
  case refused = "REFUSED"

  /// The 4-bit header value.
  public var code: Int {
    switch self {
    case .noError: 0
    case .formErr: 1
    case .servFail: 2
    case .nxDomain: 3
    case .notImp: 4
    case .refused: 5
    }
  }
}

/// One resource record; `name` is fully qualified and `data` is in presentation format.
public struct DNSRecord: Hashable, Sendable, CustomStringConvertible {
  public var name: String
  public var type: RRType
  public var ttl: UInt32
  public var data: String

  public init(name: String, type: RRType, ttl: UInt32, data: String) {
    self.name = name
    self.type = type
    self.ttl = ttl
    self.data = data
  }

  /// The record as a zone-file line: `name TTL IN TYPE data`.
  public var description: String { "\(name) \(ttl) IN \(type.rawValue) \(data)" }
}

/// The header bits a client sees.
public struct DNSFlags: Hashable, Sendable {
  public var aa: Bool
  public var tc: Bool
  public var rd: Bool
  public var ra: Bool
  public init(aa: Bool = false, tc: Bool = false, rd: Bool = true, ra: Bool = false) {
    self.aa = aa
    self.tc = tc
    self.rd = rd
    self.ra = ra
  }
}

/// A reply as the client receives it.
public struct DNSResponse: Hashable, Sendable {
  /// The question, with the name as the reply carries it.
  public var questionName: String
  public var questionType: RRType
  public var rcode: Rcode
  public var flags: DNSFlags
  public var answer: [DNSRecord]
  public var authority: [DNSRecord]
  /// Additional records, without the EDNS OPT pseudo-record.
  public var additional: [DNSRecord]

  public init(
    questionName: String, questionType: RRType, rcode: Rcode, flags: DNSFlags,
    answer: [DNSRecord] = [], authority: [DNSRecord] = [], additional: [DNSRecord] = []
  ) {
    self.questionName = questionName
    self.questionType = questionType
    self.rcode = rcode
    self.flags = flags
    self.answer = answer
    self.authority = authority
    self.additional = additional
  }
}
