/// What `dig` is told and what it measures, for a reproducible printout.
public struct DigOptions: Hashable, Sendable {
  /// The arguments echoed on the banner line; default `name` (plus the type unless A).
  public var arguments: String?
  public var server: String
  public var port: Int
  public var id: UInt16
  /// The logical time of the query, as Unix seconds, printed on the `WHEN:` line.
  public var time: Int64
  public var queryTimeMsec: Int
  public var tcp: Bool

  public init(
    arguments: String? = nil, server: String = "10.96.0.10", port: Int = 53, id: UInt16 = 0,
    time: Int64 = 0, queryTimeMsec: Int = 0, tcp: Bool = false
  ) {
    self.arguments = arguments
    self.server = server
    self.port = port
    self.id = id
    self.time = time
    self.queryTimeMsec = queryTimeMsec
    self.tcp = tcp
  }
}

/// Prints a reply as `dig` 9.18 prints it. dig sends EDNS (UDP size 1232) and CoreDNS
/// answers with an OPT record of the same size, so an OPT pseudosection is always shown and
/// counted in ADDITIONAL. CoreDNS does not compress small replies, so `MSG SIZE` is the
/// uncompressed wire length.
public func dig(_ reply: DNSResponse, options: DigOptions = DigOptions()) -> String {
  let q = reply.questionName
  let args =
    options.arguments ?? (reply.questionType == .a ? q : "\(q) \(reply.questionType.rawValue)")
  var out = "\n; <<>> DiG \(DigText.version) <<>> \(args)\n"
  out += ";; global options: +cmd\n;; Got answer:\n"
  out += ";; ->>HEADER<<- opcode: QUERY, status: \(reply.rcode.rawValue), id: \(options.id)\n"
  let f = reply.flags
  let flags =
    ["qr"] + (f.aa ? ["aa"] : []) + (f.tc ? ["tc"] : []) + (f.rd ? ["rd"] : [])
    + (f.ra ? ["ra"] : [])
  out += ";; flags: \(flags.joined(separator: " ")); QUERY: 1, ANSWER: \(reply.answer.count), "
  out += "AUTHORITY: \(reply.authority.count), ADDITIONAL: \(reply.additional.count + 1)\n"
  if f.rd && !f.ra { out += ";; WARNING: recursion requested but not available\n" }
  out += "\n;; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 1232\n"
  out += ";; QUESTION SECTION:\n"
  out += DigText.questionLine(q, reply.questionType) + "\n"
  for (title, rrs) in [
    ("ANSWER", reply.answer), ("AUTHORITY", reply.authority), ("ADDITIONAL", reply.additional),
  ]
  where !rrs.isEmpty {
    out += "\n;; \(title) SECTION:\n"
    for rr in rrs { out += DigText.recordLine(rr) + "\n" }
  }
  let proto = options.tcp ? "TCP" : "UDP"
  out += "\n;; Query time: \(options.queryTimeMsec) msec\n"
  out += ";; SERVER: \(options.server)#\(options.port)(\(options.server)) (\(proto))\n"
  out += ";; WHEN: \(DigText.when(options.time))\n"
  out += ";; MSG SIZE  rcvd: \(WireSize.message(reply))\n\n"
  return out
}

/// dig's text layout: BIND's master-file columns (TTL 24, class 32, type 40, data 48; tabs
/// of 8, one space when a field already passed its column).
enum DigText {
  static let version = "9.18.33"

  static func recordLine(_ rr: DNSRecord) -> String {
    var line = Columns()
    line.add(rr.name)
    line.add(String(rr.ttl), at: 24)
    line.add("IN", at: 32)
    line.add(rr.type.rawValue, at: 40)
    line.add(rr.data, at: 48)
    return line.text
  }

  static func questionLine(_ name: String, _ type: RRType) -> String {
    var line = Columns()
    line.add(";" + name)
    line.add("IN", at: 32)
    line.add(type.rawValue, at: 40)
    return line.text
  }

  /// A line being written with its display column (tabs count to the next multiple of 8).
  struct Columns {
    var text = ""
    var column = 0

    /// BIND's `indent`: tabs up to the column, or one space if the text already reached it;
    /// then the field.
    mutating func add(_ field: String, at target: Int? = nil) {
      if let target {
        let to = max(target, column + 1)
        let tabs = to / 8 - column / 8
        if tabs > 0 {
          text += String(repeating: "\t", count: tabs)
          text += String(repeating: " ", count: to - (to / 8) * 8)
        } else {
          text += String(repeating: " ", count: to - column)
        }
        column = to
      }
      text += field
      column += field.count
    }
  }

  /// `Thu Jan 01 00:00:00 UTC 1970` for a Unix time.
  static func when(_ t: Int64) -> String {
    let days = Int(t >= 0 ? t / 86400 : (t - 86399) / 86400)
    let secs = Int(t - Int64(days) * 86400)
    let (y, m, d) = civil(days)
    let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    let months = [
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    let wd = weekdays[((days % 7) + 7) % 7]
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    let clock = "\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))"
    return "\(wd) \(months[m - 1]) \(two(d)) \(clock) UTC \(y)"
  }

  /// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
  private static func civil(_ days: Int) -> (Int, Int, Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }
}

/// The length of a reply on the wire, uncompressed, with dig's EDNS OPT record.
enum WireSize {
  static func message(_ reply: DNSResponse) -> Int {
    let rrs = reply.answer + reply.authority + reply.additional
    return 12 + DNSName.wireLength(reply.questionName) + 4 + rrs.map(record).reduce(0, +) + 11
  }

  static func record(_ rr: DNSRecord) -> Int {
    DNSName.wireLength(rr.name) + 10 + rdata(rr)
  }

  /// RDATA length from the presentation form.
  static func rdata(_ rr: DNSRecord) -> Int {
    let f = rr.data.split(separator: " ").map(String.init)
    switch rr.type {
    case .a: return 4
    case .aaaa: return 16
    case .cname, .ptr, .ns: return DNSName.wireLength(rr.data)
    case .srv: return 6 + DNSName.wireLength(f.last ?? ".")
    case .mx: return 2 + DNSName.wireLength(f.last ?? ".")
    case .soa: return f.count >= 2 ? DNSName.wireLength(f[0]) + DNSName.wireLength(f[1]) + 20 : 22
    case .txt: return txtStrings(rr.data).map { $0.utf8.count + 1 }.reduce(0, +)
    default: return rr.data.utf8.count
    }
  }

  /// The character-strings of a TXT presentation (`"a" "b"`).
  static func txtStrings(_ data: String) -> [String] {
    var out: [String] = []
    var current: String?
    for ch in data {
      if ch == "\"" {
        if let c = current {
          out.append(c)
          current = nil
        } else {
          current = ""
        }
      } else if current != nil {
        current?.append(ch)
      }
    }
    if out.isEmpty && !data.isEmpty && !data.contains("\"") { out = [data] }
    return out
  }
}
