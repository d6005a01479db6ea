// The wire server alone, for profiling and benchmarking without the Lua lab: N ClusterIP
// Services in namespace default served over the CoreDNS engine with the kubeadm Corefile's
// settings, by `WireServer`'s poll loop (ENGINE poll) or by a SwiftNIO datagram channel
// (ENGINE nio), both answering through `WireAnswerer` and logging to a `WireLog`. Also writes
// the unbound zone and the dnsperf queries Scripts/bench-dns.sh uses (same names, same
// 90 % / 10 % mix as Scripts/bench/dns-lab.lua). UDP only: the benchmark's traffic.
//   wire-server OUT N PORT [poll|nio]
import CoreDNS
import Foundation
import NIOCore
import NIOPosix
import NetAddr
import Wire

let args = CommandLine.arguments
let out = args[1]
let n = Int(args[2]) ?? 10000
let port = Int(args[3]) ?? 15353
let engine = args.count > 4 ? args[4] : "poll"
let dns = DNSServer(
  settings: KubernetesPluginSettings(), localAddresses: [IPAddress("10.244.0.5")!])
let t: Int64 = 1_700_000_000
dns.apply(.namespace(old: nil, new: DNSNamespace(name: "default")), at: t)
for i in stride(from: 1, through: n, by: 1) {
  let ip = IPAddress(v4: 0x0A60_0000 | UInt32(i + 10))
  dns.apply(
    .service(
      old: nil,
      new: DNSService(
        namespace: "default", name: String(format: "svc-%05d", i), clusterIPs: [ip],
        ports: [DNSServicePort(name: "http", port: 80)])), at: t)
}
var rng = SystemRandomNumberGenerator()
var zone = "server:\n  local-zone: \"cluster.local.\" static\n"
let soa = dns.query(name: "cluster.local.", type: .soa, using: &rng).answer[0]
zone += "  local-data: \"cluster.local. \(soa.ttl) IN SOA \(soa.data)\"\n"
var names: [String] = []
for i in stride(from: 1, through: n, by: 1) {
  let name = String(format: "svc-%05d.default.svc.cluster.local.", i)
  let a = dns.query(name: name, type: .a, using: &rng).answer[0]
  zone += "  local-data: \"\(name) \(a.ttl) IN A \(a.data)\"\n"
  names.append(name)
}
try! zone.write(toFile: out + "/zone.conf", atomically: true, encoding: .utf8)
var queries = ""
var state = 12345
for i in stride(from: 1, through: n > 0 ? 100_000 : 0, by: 1) {
  state = (state * 1_103_515_245 + 12345) % 2_147_483_648
  queries +=
    i % 10 == 0
    ? "missing-\(state % 100_000).default.svc.cluster.local. A\n" : names[state % n] + " A\n"
}
try! queries.write(toFile: out + "/queries.txt", atomically: true, encoding: .utf8)

/// Answers each datagram as `WireServer` does: `WireAnswerer`, a log entry per query written
/// to the log a read's worth at a time (before the replies are flushed), the sender's address
/// text kept for the last 16 senders.
final class DNSHandler: ChannelInboundHandler {
  typealias InboundIn = AddressedEnvelope<ByteBuffer>
  typealias OutboundOut = AddressedEnvelope<ByteBuffer>

  var answerer: WireAnswerer
  let log: WireLog
  var pending: [WireLog.Record] = []
  var peers: [SocketAddress: (IPAddress?, String)] = [:]

  init(_ snapshot: DNSSnapshot, log: WireLog) {
    answerer = WireAnswerer(snapshot)
    self.log = log
  }

  func peer(_ a: SocketAddress) -> (IPAddress?, String) {
    if let known = peers[a] { return known }
    let ip = a.ipAddress.flatMap { IPAddress($0) }
    let text = ip.map { $0.joined(port: a.port ?? 0) } ?? "?"
    if peers.count >= 16 { peers.removeAll() }
    peers[a] = (ip, text)
    return (ip, text)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let envelope = unwrapInboundIn(data)
    let (ip, text) = peer(envelope.remoteAddress)
    var entry = QueryLogEntry(
      time: Date().timeIntervalSince1970, client: text, transport: "udp", name: "", type: "",
      rcode: "", truncated: false)
    let query = envelope.data
    let reply = query.withUnsafeReadableBytes {
      answerer.replyAfterID(to: $0, overTCP: false, client: ip, log: &entry)
    }
    pending.append(WireLog.Record(entry: entry, overTCP: false, replied: reply != nil))
    guard let reply, let id = query.getInteger(at: query.readerIndex, as: UInt16.self) else {
      return
    }
    var buffer = context.channel.allocator.buffer(capacity: 2 + reply.count)
    buffer.writeInteger(id)
    buffer.writeBytes(reply)
    context.write(
      wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)),
      promise: nil)
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    log.record(&pending)
    context.flush()
  }
}

switch engine {
case "nio":
  let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
  let snapshot = DNSSnapshot(dns)
  let log = WireLog(limit: WireServer.Limits().logEntries)
  // 32 datagrams per recvmmsg, four reads per turn of the loop (as the poll loop does), 2 KiB
  // per datagram (NIO's default size; the benchmark's queries are under 100 bytes).
  let channel = try! DatagramBootstrap(group: group)
    .channelOption(.socketOption(.so_reuseaddr), value: 1)
    .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)  // as WireServer's
    .channelOption(.datagramVectorReadMessageCount, value: 32)
    .channelOption(.maxMessagesPerRead, value: 4)
    .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 32 * 2048))
    .channelInitializer { channel in
      channel.eventLoop.makeCompletedFuture {
        try channel.pipeline.syncOperations.addHandler(DNSHandler(snapshot, log: log))
      }
    }
    .bind(host: "127.0.0.1", port: port).wait()
  print("serving on [\"127.0.0.1:\(channel.localAddress?.port ?? port)\"] (SwiftNIO)")
default:
  let server = try! WireServer(listen: ["127.0.0.1:\(port)"], engine: dns)
  server.start()
  print("serving on \(server.addresses) (poll loop)")
}
fflush(stdout)
while true { sleep(3600) }
