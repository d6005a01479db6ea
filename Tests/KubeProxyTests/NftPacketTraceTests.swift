import NetAddr
import Testing

@testable import KubeProxy

/// The nft tracer (`NftPacketTracer`) against a fixed listing: base chains of several tables
/// on one hook in priority order, inet tables for both families, `goto` and `return`, named
/// interval sets, `numgen` verdict maps with a range, nat chains skipped once the connection
/// is translated, marks, and what the listing cannot show.
@Suite struct NftPacketTraceTests {
  static let listing = """
    table ip early {
    	chain pre {
    		type filter hook prerouting priority raw; policy accept;
    		meta mark set 0x00000001
    	}
    }
    table inet fw {
    	set allowed {
    		type ipv4_addr
    		flags interval
    		elements = { 10.244.0.0/24, 192.0.2.1-192.0.2.9 }
    	}

    	chain input {
    		type filter hook input priority filter; policy drop;
    		ct state established,related accept
    		tcp dport 22 accept
    	}

    	chain forward {
    		type filter hook forward priority filter; policy drop;
    		iifname "veth*" goto from-pod
    		ct state established,related accept
    	}

    	chain from-pod {
    		meta mark set meta mark | 0x00004000
    		ip saddr @allowed accept
    		return
    	}
    }
    table ip nat {
    	chain prerouting {
    		type nat hook prerouting priority dstnat; policy accept;
    		ip daddr 10.96.0.50 tcp dport 80 counter packets 4 bytes 240 jump svc
    	}

    	chain svc {
    		numgen random mod 4 vmap { 0 : goto ep1, 1-3 : goto ep2 }
    	}

    	chain ep1 {
    		meta l4proto tcp dnat to 10.244.1.4:8080
    	}

    	chain ep2 {
    		meta l4proto tcp dnat to 10.244.2.5:8080
    	}

    	chain postrouting {
    		type nat hook postrouting priority srcnat; policy accept;
    		meta mark & 0x00004000 == 0x00004000 masquerade
    	}
    }
    table ip late-nat {
    	chain prerouting {
    		type nat hook prerouting priority 10; policy accept;
    		ip daddr 10.96.0.50 dnat to 10.0.0.99:80
    	}
    }
    table ip6 six {
    	chain input {
    		type filter hook input priority -10; policy drop;
    	}
    }
    """

  struct Case: CustomTestStringConvertible, Sendable {
    let testDescription: String
    let packet: IPTablesPacket
    /// verdict, path, DNAT of each outcome, most likely first.
    let outcomes: [String]
    let probabilities: [Double]
    /// A step text (or part of one) the first outcome must show.
    var shows: String? = nil
    var unknown: String? = nil
    var snat: Bool = false
  }

  static func packet(
    _ src: String, _ dst: String, _ port: Int, iif: String? = nil, oif: String? = nil,
    ctstate: String? = nil
  ) -> IPTablesPacket {
    IPTablesPacket(
      source: IPAddress(src)!, destination: IPAddress(dst)!, destinationPort: port,
      inInterface: iif, outInterface: oif, ctstate: ctstate)
  }

  static let cases: [Case] = [
    Case(
      testDescription: "an allowed pod to a Service: numgen branches, the second nat table skipped",
      packet: packet("10.244.0.9", "10.96.0.50", 80, iif: "veth1", oif: "eth0"),
      outcomes: ["ACCEPT forward 10.244.2.5:8080", "ACCEPT forward 10.244.1.4:8080"],
      probabilities: [0.75, 0.25],
      shows: "skipped: ip nat prerouting already translated this connection", snat: true),
    Case(
      testDescription: "a pod outside the set: goto, return, then the policy of the caller",
      packet: packet("10.245.0.9", "10.244.2.5", 8080, iif: "veth1", oif: "eth0"),
      outcomes: ["DROP forward -"], probabilities: [1], shows: "policy drop"),
    Case(
      testDescription: "no input interface given: the interface match is said, not guessed",
      packet: packet("10.244.0.9", "10.244.2.5", 8080),
      outcomes: ["DROP forward -"], probabilities: [1],
      unknown: "the input interface is not known (give iif=)"),
    Case(
      testDescription: "an established packet: no nat chain, the conntrack rule accepts",
      packet: packet("10.244.0.9", "10.96.0.50", 80, iif: "eth0", ctstate: "ESTABLISHED"),
      outcomes: ["ACCEPT forward -"], probabilities: [1],
      shows: "skipped: only a connection's first packet goes through nat chains"),
    Case(
      testDescription: "ssh to the node: the inet table's input chain, not the ip6 table",
      packet: packet("203.0.113.5", "172.18.0.3", 22, iif: "eth0"),
      outcomes: ["ACCEPT local -"], probabilities: [1], shows: "tcp dport 22 accept"),
    Case(
      testDescription: "another port to the node: the input policy",
      packet: packet("203.0.113.5", "172.18.0.3", 23, iif: "eth0"),
      outcomes: ["DROP local -"], probabilities: [1]),
    Case(
      testDescription: "IPv6 ssh to the node: the ip6 table's chain runs first and drops",
      packet: packet("2001:db8::5", "2001:db8::1", 22, iif: "eth0"),
      outcomes: ["DROP local -"], probabilities: [1]),
  ]

  @Test(arguments: cases) func trace(_ c: Case) throws {
    let ruleset = try NftRuleset(parsing: Self.listing)
    let tracer = NftPacketTracer(
      ruleset: ruleset, nodeIPs: [IPAddress("172.18.0.3")!, IPAddress("2001:db8::1")!])
    let out = tracer.trace(c.packet)
    #expect(out.map { "\($0.verdict) \($0.path) \($0.dnat ?? "-")" } == c.outcomes)
    #expect(out.map(\.probability) == c.probabilities)
    let texts = out[0].steps.map(\.text)
    if let shows = c.shows { #expect(texts.contains { $0.contains(shows) }, "\(texts)") }
    if let unknown = c.unknown { #expect(out[0].unknowns.contains(unknown), "\(out[0].unknowns)") }
    #expect((out[0].snat != nil) == c.snat)
  }

  @Test func stepsCarryTablesLinesAndCounters() throws {
    let ruleset = try NftRuleset(parsing: Self.listing)
    let out = NftPacketTracer(ruleset: ruleset, nodeIPs: []).trace(
      Self.packet("10.244.0.9", "10.96.0.50", 80, iif: "veth1", oif: "eth0"))
    #expect(out[0].steps.first?.table == "ip early")
    let jump = out[0].steps.first { $0.text.hasSuffix("jump svc") }
    #expect(jump?.table == "ip nat" && jump?.chain == "prerouting")
    #expect(jump?.line == 35 && jump?.packets == 4 && jump?.bytes == 240)
  }

  @Test func theListingIsReadAsNFT() {
    #expect(
      NftRuleset.isListing("# Warning: table ip nat is managed by iptables-nft\ntable ip x {"))
    #expect(!NftRuleset.isListing("# Generated by iptables-save\n*nat\n:PREROUTING ACCEPT [0:0]"))
  }
}
