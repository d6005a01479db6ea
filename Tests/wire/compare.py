"""Asks svclab's DNS server every case of expected.txt with dig and dnspython and compares
the decoded replies with what `resolve` answered, field by field: rcode, AA/TC/RD/RA and the
records of each section (sorted: loadbalance shuffles). Prints one line per check and ends
with "N passed, N failed".

usage: python3 compare.py PORT EXPECTED
"""
import subprocess
import sys

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

port = int(sys.argv[1])
server = "127.0.0.1"
passed = failed = 0


def check(label, got, want):
    global passed, failed
    if got == want:
        passed += 1
        print(f"ok    {label}")
    else:
        failed += 1
        print(f"FAIL  {label}\n      got:  {got}\n      want: {want}")


def parse_expected(path):
    cases, cur = [], None
    for line in open(path):
        parts = line.rstrip("\n").split(" ", 1)
        tag, rest = parts[0], parts[1] if len(parts) > 1 else ""
        if tag == "CASE":
            name, rtype = rest.split(" ")
            cur = {"name": name, "type": rtype, "sections": {"answer": [], "authority": [], "additional": []}}
        elif tag == "RCODE":
            cur["rcode"] = rest
        elif tag == "FLAGS":
            cur["flags"] = dict(kv.split("=") for kv in rest.split(" "))
        elif tag == "RR":
            section, rr = rest.split(" ", 1)
            n, ttl, t, data = rr.split(" ", 3)
            cur["sections"][section].append((n, int(ttl), t, data))
        elif tag == "END":
            cases.append(cur)
    return cases


def dig(name, rtype, *opts):
    text = subprocess.run(
        ["dig", f"@{server}", "-p", str(port), "+noall", "+comments", "+answer", "+authority",
         "+additional", "+tries=1", "+time=3", *opts, name, rtype],
        capture_output=True, text=True, timeout=20).stdout
    reply = {"sections": {"answer": [], "authority": [], "additional": []}, "flags": set()}
    section = None
    for line in text.splitlines():
        if line.startswith(";; ->>HEADER<<-"):
            reply["rcode"] = line.split("status: ")[1].split(",")[0]
        elif line.startswith(";; flags:"):
            reply["flags"] = set(line.split(";")[2].replace("flags:", "").split())
        elif line.startswith(";; ") and line.endswith(" SECTION:"):
            section = line[3:-len(" SECTION:")].lower()
        elif line and not line.startswith(";") and section in reply["sections"]:
            n, ttl, _cls, t, data = line.split(None, 4)
            reply["sections"][section].append((n, int(ttl), t, " ".join(data.split())))
    return reply


def python_reply(name, rtype, tcp):
    q = dns.message.make_query(name, rtype)
    r = dns.query.tcp(q, server, port=port, timeout=3) if tcp else dns.query.udp(q, server, port=port, timeout=3)
    reply = {"rcode": dns.rcode.to_text(r.rcode()), "sections": {}, "flags": set(dns.flags.to_text(r.flags).lower().split())}
    for label, section in (("answer", r.answer), ("authority", r.authority), ("additional", r.additional)):
        rows = []
        for rrset in section:
            for rd in rrset:
                rows.append((rrset.name.to_text(), rrset.ttl, dns.rdatatype.to_text(rrset.rdtype), rd.to_text()))
        reply["sections"][label] = rows
    return reply, q.id == r.id


def compare(client, case, reply):
    label = f"{client}: {case['name']} {case['type']}"
    check(label + " rcode", reply["rcode"], case["rcode"])
    want_flags = {k for k, v in case["flags"].items() if v == "1"}
    got_flags = {f for f in ("aa", "tc", "rd", "ra") if f in reply["flags"]}
    check(label + " flags", sorted(got_flags), sorted(want_flags))
    for section in ("answer", "authority", "additional"):
        check(f"{label} {section}", sorted(reply["sections"][section]), sorted(case["sections"][section]))


cases = parse_expected(sys.argv[2])
for case in cases:
    big = case["name"].startswith("big.")
    # dig retries over TCP by itself when the UDP reply comes back truncated.
    compare("dig", case, dig(case["name"], case["type"]))
    udp_reply, same_id = python_reply(case["name"], case["type"], tcp=False)
    check(f"dnspython: {case['name']} {case['type']} id echoed", same_id, True)
    if not big:
        compare("dnspython udp", case, udp_reply)
    compare("dnspython tcp", case, python_reply(case["name"], case["type"], tcp=True)[0])
    check(f"dnspython: {case['name']} question case echoed",
          dns.message.make_query(case["name"], case["type"]).question[0].name.to_text() == case["name"], True)
    if big:
        full = len(case["sections"]["answer"])
        check("big: no EDNS over UDP is truncated (TC)", "tc" in udp_reply["flags"], True)
        check("big: truncated answer is shorter", 0 < len(udp_reply["sections"]["answer"]) < full, True)
        r = dig(case["name"], case["type"], "+ignore", "+noedns")
        check("big: dig +ignore +noedns shows tc", "tc" in r["flags"] and len(r["sections"]["answer"]) < full, True)
        r = dig(case["name"], case["type"], "+tcp")
        check("big: dig +tcp is whole", sorted(r["sections"]["answer"]), sorted(case["sections"]["answer"]))
        # With EDNS the client's size is the limit: 1232 holds the 60 records compressed
        # (no TC); 512 does not (TC), and the datagram never exceeds what was advertised.
        import socket
        for size, truncated in ((1232, False), (512, True)):
            q = dns.message.make_query(case["name"], case["type"], use_edns=0, payload=size)
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.settimeout(3)
            sock.sendto(q.to_wire(), (server, port))
            wire = sock.recv(65535)
            sock.close()
            r = dns.message.from_wire(wire)
            check(f"big: EDNS {size}: {len(wire)} bytes, TC {truncated}",
                  len(wire) <= size and bool(r.flags & dns.flags.TC) == truncated
                  and (truncated or len(r.answer[0]) == full), True)

# Invalid queries, as CoreDNS answers them.
q = dns.message.make_query("cluster.local.", "AXFR")
r = dns.query.tcp(q, server, port=port, timeout=3)
check("AXFR over TCP is REFUSED", dns.rcode.to_text(r.rcode()), "REFUSED")
q = dns.message.make_query("version.bind.", "TXT", rdclass="CH")
check("class CH is REFUSED", dns.rcode.to_text(dns.query.udp(q, server, port=port, timeout=3).rcode()), "REFUSED")
q = dns.message.make_query("web.default.svc.cluster.local.", "A")
q.set_opcode(dns.opcode.STATUS)
check("opcode STATUS is NOTIMP", dns.rcode.to_text(dns.query.udp(q, server, port=port, timeout=3).rcode()), "NOTIMP")
# Malformed packets against the live server (seeded): random bytes, truncated headers,
# pointer loops, labels past the end, lying counts, over UDP and TCP; the server must keep
# answering, and no UDP reply may exceed 512 bytes (none of these carries a readable OPT).
import random
import socket
rng = random.Random(14)
good = dns.message.make_query("web.default.svc.cluster.local.", "A").to_wire()
shapes = [
    lambda: bytes(rng.randrange(256) for _ in range(rng.randrange(40))),
    lambda: good[: rng.randrange(12)],
    lambda: good[:12] + b"\xc0\x0c\x00\x01\x00\x01",
    lambda: good[:12] + b"\x3f" + b"a" * 10,
    lambda: good[:6] + b"\xff\xff\xff\xff\xff\xff" + good[12:],
    lambda: bytes(b if rng.random() > 0.1 else rng.randrange(256) for b in good),
]
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.settimeout(0.05)
biggest = 0
for i in range(3000):
    udp.sendto(shapes[i % len(shapes)](), (server, port))
    try:
        biggest = max(biggest, len(udp.recv(65535)))
    except socket.timeout:
        pass
udp.close()
check("malformed UDP: no reply over 512 bytes", biggest <= 512, True)
for i in range(50):
    t = socket.create_connection((server, port), timeout=3)
    body = shapes[i % len(shapes)]()
    frame = (len(body) + rng.randrange(3)).to_bytes(2, "big") + body  # some lengths lie
    t.sendall(frame)
    t.close()
r = dns.query.udp(dns.message.make_query("web.default.svc.cluster.local.", "A"), server, port=port, timeout=3)
check("after malformed packets the server still answers over UDP", dns.rcode.to_text(r.rcode()), "NOERROR")
r = dns.query.tcp(dns.message.make_query("web.default.svc.cluster.local.", "A"), server, port=port, timeout=3)
check("after malformed packets the server still answers over TCP", dns.rcode.to_text(r.rcode()), "NOERROR")
# Several queries on one TCP connection.
t = socket.create_connection((server, port), timeout=3)
names = ["web.default.svc.cluster.local.", "db.default.svc.cluster.local.", "cluster.local."]
for n in names:
    w = dns.message.make_query(n, "A").to_wire()
    t.sendall(len(w).to_bytes(2, "big") + w)
got = []
buf = b""
while len(got) < len(names):
    buf += t.recv(65535)
    while len(buf) >= 2 and len(buf) >= 2 + int.from_bytes(buf[:2], "big"):
        n = int.from_bytes(buf[:2], "big")
        got.append(dns.message.from_wire(buf[2 : 2 + n]).question[0].name.to_text())
        buf = buf[2 + n :]
t.close()
check("three queries pipelined on one TCP connection", got, names)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
