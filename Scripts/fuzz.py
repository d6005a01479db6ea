#!/usr/bin/env python3
"""svclab's fuzzer: seeded random cases, each run in a child svclab under a memory and time
limit, so that a crash, a hang or an invariant failure is observable from outside.

  Scripts/fuzz.py --bin .build/debug/svclab [--seed N] [--iterations N] [--budget SECONDS]

Targets (one per case, chosen by the seed; add a target by adding a function to TARGETS):
  calls      random sequences of primitive calls with valid, wrong-typed, huge, deep,
             cyclic and metatable-bearing arguments, checkInvariants() after every step
  manifests  the repo's manifest fixtures mutated (truncation, nesting, aliases, type
             swaps, random bytes) and given to apply, as text and as a file
  corefiles  a Corefile mutated and given to corefile()
  labfiles   a lab file written by saveLab, mutated and given to loadLab()
  wire       malformed DNS messages (random bytes, truncated headers, compression pointer
             loops, labels past the end, counts that lie, bad EDNS) sent over UDP and TCP to
             a live `svclab dns` (see run_wire_case)

Each case runs as a script, through `-e`, or through the REPL (stdin), chosen by the seed.
A case fails when svclab exits with status >= 128 (a signal), prints "Program crashed" or
"Fatal error", runs past the time limit, or does not reach its end marker (which it only
skips when an invariant check failed or something escaped every pcall). A failing case is
shrunk (steps removed, then lines and bytes of its input) and printed with its seed.
The last line is "fuzz: N passed, N failed".
"""
import argparse
import os
import random
import resource
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEMORY_LIMIT = 2 << 30  # ulimit -v 2 GiB, as the bar
TIME_LIMIT = 60  # seconds per case
END = "FUZZ-END"

# ----------------------------------------------------------------- Lua preamble

PREAMBLE = r"""
local function deep(n, leaf) local t = leaf or {} for _ = 1, n do t = { t } end return t end
local function deepmap(n, key) local t = {} for _ = 1, n do t = { [key or "x"] = t } end return t end
local function cyclic() local t = {} t.self = t t[1] = t return t end
local function big(n, v) local t = {} for i = 1, n do t[i] = v or i end return t end
local function bigmap(n) local t = {} for i = 1, n do t["k" .. i] = "v" .. i end return t end
local function meta(kind)
  local mt = {}
  if kind == 1 then mt.__index = function() error("boom from __index") end
  elseif kind == 2 then mt.__pairs = function() error("boom from __pairs") end
  elseif kind == 3 then mt.__len = function() return 1e9 end
  elseif kind == 4 then mt.__tostring = function() error("boom from __tostring") end
  elseif kind == 5 then mt.__gc = function() error("boom from __gc") end
  elseif kind == 6 then mt.__eq = function() error("boom from __eq") end
  else mt.__newindex = function() error("boom from __newindex") end end
  return setmetatable({ name = "m", ports = { { port = 80 } } }, mt)
end
local FUZZ_STEP = 0
local function step(f)
  FUZZ_STEP = FUZZ_STEP + 1
  local ok, err = pcall(f)
  collectgarbage()
  local iok, ierr = pcall(checkInvariants)
  -- Over its --max-memory cap the session refuses work, checkInvariants included: that is
  -- the cap working, not a broken invariant.
  if not iok and not tostring(ierr):find("not enough memory", 1, true) then
    print("FUZZ-INVARIANT step " .. FUZZ_STEP .. ": " .. tostring(ierr))
    os.exit(3)
  end
end
"""

# ----------------------------------------------------------------- argument generators


def lua_str(s):
    return '"' + "".join(c if c.isalnum() or c in " -_./:=" else "\\%d" % ord(c) for c in s) + '"'


def arg_value(r):
    """A Lua expression: valid-looking, wrong-typed, huge, deep, cyclic or metatable-bearing."""
    k = r.randrange(24)
    if k == 0: return "nil"
    if k == 1: return str(r.choice([0, -1, 1, 80, 65535, 65536, 2**31, 2**63 - 1, -2**63]))
    if k == 2: return r.choice(["0/0", "1/0", "-1/0", "1.5", "-0.0", "1e308"])
    if k == 3: return r.choice(["true", "false"])
    if k == 4: return lua_str(r.choice(["web", "default", "x", "", "10.0.0.1", "web.default", "a..b", "kube-system", "db-0", "*", "ns/name"]))
    if k == 5: return 'string.rep("a", %d)' % r.choice([64, 254, 256, 10000, 1000000])
    if k == 6: return "function() end"
    if k == 7: return r.choice(["io.stdout", "coroutine.create(print)", "print"])
    if k == 8: return "deep(%d)" % r.choice([10, 199, 200, 201, 250, 5000, 200000])
    if k == 9: return "deepmap(%d, %s)" % (r.choice([199, 200, 201, 100000]), lua_str(r.choice(["ports", "labels", "x", "selector"])))
    if k == 10: return "cyclic()"
    if k == 11: return "meta(%d)" % r.randrange(1, 8)
    if k == 12: return "big(%d)" % r.choice([0, 1, 1000, 100000, 2000000])
    if k == 13: return "bigmap(%d)" % r.choice([10, 1000, 200000])
    return table_value(r, 0)


def table_value(r, depth):
    fields = ["name", "namespace", "labels", "selector", "ports", "port", "targetPort", "protocol",
              "type", "clusterIP", "clusterIPs", "replicas", "node", "ip", "ready", "zone",
              "externalName", "ipFamilies", "ipFamilyPolicy", "sessionAffinity", "endpoints",
              "addresses", "service", "dnsPolicy", "dnsConfig", "hostname", "subdomain", "nodes",
              "format", "from", "keep", "n", "searches", "nameservers", "options", "podCIDR", "grace"]
    parts = []
    for _ in range(r.randrange(0, 5)):
        key = r.choice(fields)
        if depth < 2 and r.random() < 0.3:
            v = table_value(r, depth + 1)
        elif r.random() < 0.25:
            v = arg_value(r)
        else:
            v = r.choice(['"web"', '"TCP"', '"UDP"', "80", "8080", '"10.96.0.10"', "true", "3",
                          '{ app = "web" }', "{ { port = 80 } }", '{ "10.0.0.1" }', '"ClusterIP"',
                          '"NodePort"', '"None"', '"a"'])
        parts.append("%s = %s" % (key, v))
    return "{ " + ", ".join(parts) + " }"


PRIMITIVES = [
    "reset", "cluster", "seed", "now", "advance", "useNamespace", "addNode", "removeNode",
    "createNamespace", "deleteNamespace", "getNamespace", "namespaces", "addPod", "deletePod",
    "setPodReady", "getPod", "pods", "createDeployment", "scale", "deleteDeployment",
    "getDeployment", "deployments", "createService", "updateService", "deleteService",
    "getService", "services", "createEndpointSlice", "endpoints", "endpointSlices", "getNode",
    "nodes", "resolve", "dig", "resolvConf", "hostsFile", "dnsConfig", "corefile",
    "addExternalRecord", "connect", "disconnect", "trace", "distribution", "setProxyMode",
    "setPodNetwork", "iptablesSave", "nftRuleset", "ipvsadm", "get", "describe", "apply",
    "export", "graph", "checkInvariants",
]

VALID = [
    'addNode("n%d")', 'createDeployment("web", { replicas = %d })', 'createService("web", { selector = { app = "web" }, ports = { { port = 80, targetPort = %d } } })',
    'addPod("p%d", { labels = { app = "web" } })', 'scale("web", %d)', 'resolve("web.default.svc.cluster.local")',
    'connect("p1", "web:80")', 'setProxyMode("ipvs")', 'setProxyMode("nftables")', 'advance(%d)',
    'createNamespace("ns%d")', 'deletePod("p%d")', 'setPodReady("p%d", false)',
]


def valid_step(r):
    template = r.choice(VALID)
    return template % r.randrange(0, 6) if "%d" in template else template


def gen_step(r):
    if r.random() < 0.35:
        return valid_step(r)
    name = r.choice(PRIMITIVES)
    args = ", ".join(arg_value(r) for _ in range(r.randrange(0, 4)))
    return "%s(%s)" % (name, args)


# ----------------------------------------------------------------- targets
# A target returns (steps, files): Lua statements run one per step, and input files
# {name: bytes} written next to the case (a statement names them as FILE_<name>).


def target_calls(r, ctx):
    return [gen_step(r) for _ in range(r.randrange(4, 16))], {}


def fixtures():
    out = []
    base = os.path.join(ROOT, "Tests", "fixtures", "manifests")
    for dirpath, _, names in os.walk(base):
        for n in sorted(names):
            if n.endswith((".yaml", ".yml", ".json")):
                with open(os.path.join(dirpath, n), "rb") as f:
                    out.append(f.read())
    return out


def laughs(levels, fanout, flow=True):
    lines = [b"apiVersion: v1", b"kind: ConfigMap", b"metadata: {name: lol}", b"data:", b'  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = b"a"
    for i in range(levels):
        name = bytes([ord("b") + i])
        lines.append(b"  " + name + b": &" + name + b" [" + b",".join([b"*" + prev] * fanout) + b"]")
        prev = name
    return b"\n".join(lines) + b"\n"


def mutate_text(r, data, structural):
    """One to three mutations of `data` (bytes)."""
    for _ in range(r.randrange(1, 4)):
        k = r.randrange(9)
        n = len(data)
        if k == 0 and n:  # truncation
            data = data[: r.randrange(n)]
        elif k == 1:  # random bytes
            pos = r.randrange(n + 1)
            data = data[:pos] + bytes(r.randrange(256) for _ in range(r.randrange(1, 16))) + data[pos:]
        elif k == 2 and n:  # deletion
            a = r.randrange(n)
            data = data[:a] + data[a + r.randrange(1, 40):]
        elif k == 3 and n:  # duplication of a line range
            lines = data.split(b"\n")
            a = r.randrange(len(lines))
            data = b"\n".join(lines[: a + 1] + lines[a : a + r.randrange(1, 5)] * r.randrange(1, 4) + lines[a + 1 :])
        elif k == 4:  # deep nesting
            d = r.choice([50, 199, 201, 1000, 100000])
            o, c = structural
            pos = r.randrange(n + 1)
            data = data[:pos] + o * d + c * d + data[pos:]
        elif k == 5 and structural[0] == b"[":  # aliases
            data = r.choice([laughs(r.randrange(1, 9), r.randrange(2, 10)), data + b"\n---\n" + laughs(8, 9)])
        elif k == 6:  # type swap: a scalar value becomes a list, a map, a number or null
            lines = data.split(b"\n")
            idx = [i for i, l in enumerate(lines) if b": " in l]
            if idx:
                i = r.choice(idx)
                key = lines[i].split(b": ")[0]
                lines[i] = key + b": " + r.choice([b"[1, 2]", b"{a: b}", b"12345678901234567890", b"null", b"-1", b'"x"', b"true", b"*nope", b"&a x"])
                data = b"\n".join(lines)
        elif k == 7:  # huge repeated line
            data = data + b"\n" + r.choice([b"- ", b"a: ", b"  x: y\n"]) * r.choice([1000, 100000])
        else:  # byte flip
            if n:
                i = r.randrange(n)
                data = data[:i] + bytes([r.randrange(256)]) + data[i + 1 :]
    return data


def target_manifests(r, ctx):
    base = r.choice(ctx["fixtures"])
    data = mutate_text(r, base, (b"[", b"]"))
    steps = ['local f = io.open(FILE_m, "rb") local s = f:read("a") f:close() print(pcall(apply, s))',
             "print(pcall(apply, FILE_m))"]
    return [valid_step(r)] + steps, {"m.yaml": data}


COREFILE = b""".:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
    autopath @kubernetes
}
"""


def target_corefiles(r, ctx):
    data = mutate_text(r, COREFILE, (b"{\n", b"}\n"))
    return ['local f = io.open(FILE_c, "rb") local s = f:read("a") f:close() print(pcall(corefile, s))',
            'print(pcall(resolve, "kubernetes.default.svc.cluster.local"))'], {"c.txt": data}


def target_labfiles(r, ctx):
    data = mutate_text(r, ctx["labfile"], (b"{", b"}"))
    return ['print(pcall(loadLab, FILE_l))', 'print(pcall(connect, "p1", "web:80"))'], {"l.lua": data}


# ----------------------------------------------------------------- DNS on the wire
# A case is a list of steps, each one message or stream as text (so that shrinking and the
# failure report work as for the other targets): "udp HEX" is one datagram; "tcp END HEX" is
# the bytes of one TCP connection (length prefixes included, so they can lie), written in
# pieces, then closed (END "close"), half-closed ("half") or left open ("open").

WIRE_LAB = os.path.join(ROOT, "Tests", "wire", "podlab.lua")
WIRE_NAMES = [b"web.default.svc.cluster.local", b"WEB.Default.svc.cluster.local",
              b"_http._tcp.web.default.svc.cluster.local", b"db-0.db.default.svc.cluster.local",
              b"ext.default.svc.cluster.local", b"cluster.local", b"example.com", b"nothere.default",
              b"11.0.96.10.in-addr.arpa", b"a.b.c.d.e.f.g", b"x" * 63 + b".y"]
WIRE_TYPES = [1, 28, 33, 12, 5, 2, 6, 16, 255, 252, 251, 41, 0, 13, 65535, 99]


def wire_name(r, name=None):
    name = r.choice(WIRE_NAMES) if name is None else name
    out = b"".join(bytes([len(l)]) + l for l in name.split(b".") if l)
    return out + b"\0"


def wire_opt(r):
    """An OPT record: sometimes honest, sometimes with a lying length, version or options."""
    version = r.choice([0, 0, 0, 1, 255])
    options = b""
    for _ in range(r.randrange(0, 3)):
        data = bytes(r.randrange(256) for _ in range(r.randrange(0, 12)))
        length = len(data) if r.random() < 0.6 else r.randrange(65536)
        options += struct.pack(">HH", r.choice([8, 10, 12, 15, 65001, r.randrange(65536)]), length) + data
    rdlen = len(options) if r.random() < 0.7 else r.randrange(65536)
    owner = b"\0" if r.random() < 0.9 else wire_name(r)
    size = r.choice([0, 1, 511, 512, 1232, 4096, 65535])
    return owner + struct.pack(">HHBBHH", 41, size, 0, version, r.choice([0, 0x8000, 0xFFFF]), rdlen) + options


def wire_query(r, qid=None, flags=0x0100, name=None):
    """A well-formed query, with an OPT half of the time."""
    qid = r.randrange(65536) if qid is None else qid
    opt = wire_opt(r) if r.random() < 0.5 else b""
    header = struct.pack(">HHHHHH", qid, flags, 1, 0, 0, 1 if opt else 0)
    qtype = r.choice(WIRE_TYPES[:4]) if r.random() < 0.6 else r.choice(WIRE_TYPES)
    qclass = 1 if r.random() < 0.8 else r.choice([3, 4, 254, 255, 0])
    return header + wire_name(r, name) + struct.pack(">HH", qtype, qclass) + opt


def wire_header(r, qd=1, an=0, ns=0, ar=0):
    return struct.pack(">HHHHHH", r.randrange(65536), 0x0100, qd, an, ns, ar)


def wire_message(r):
    """One malformed (or, now and then, well-formed) DNS message."""
    k = r.randrange(14)
    if k == 0:  # random bytes, some past 512
        return bytes(r.randrange(256) for _ in range(r.choice([1, 12, 13, 40, 300, 600])))
    if k == 1:  # a header cut short
        return wire_query(r)[: r.randrange(12)]
    if k == 2:  # a message cut anywhere
        q = wire_query(r)
        return q[: r.randrange(12, len(q))]
    if k == 3:  # compression pointers that loop: to itself, to each other, through a label
        name = r.choice([b"\xc0\x0c", b"\xc0\x0e\xc0\x0c", b"\x01a\xc0\x0c", b"\x03www\xc0\x10\x01b\xc0\x0c"])
        return wire_header(r) + name + struct.pack(">HH", 1, 1)
    if k == 4:  # pointers forwards, past the end, into the header
        name = b"\x01a" + r.choice([b"\xc0\xff", b"\xc0\x20", b"\xff\xff", b"\xc0\x00", b"\xc0\x02", b"\xc0"])
        return wire_header(r) + name + struct.pack(">HH", 1, 1)
    if k == 5:  # a label longer than what follows
        return wire_header(r) + bytes([r.choice([1, 20, 63])]) + b"abc"
    if k == 6:  # counts that lie
        q = wire_query(r)
        counts = [r.choice([0, 1, 2, 3, 65535]) for _ in range(4)]
        return q[:4] + struct.pack(">HHHH", *counts) + q[12:]
    if k == 7:  # records where none are allowed, or an answer section that runs out
        q = wire_query(r)
        rr = wire_name(r) + struct.pack(">HHIH", 1, 1, 30, r.choice([4, 200])) + b"\x0a\x00\x00\x01"
        return q[:6] + struct.pack(">H", 1) + q[8:] + rr
    if k == 8:  # names too long, or with the reserved label types 0x40 and 0x80
        name = r.choice([b"\x3f" + b"a" * 63] * 5 + [b"\x41abc", b"\x80\x01", b"\x7f" + b"b" * 10])
        return wire_header(r) + name * r.randrange(1, 6) + b"\0" + struct.pack(">HH", 1, 1)
    if k == 9:  # header bits: QR (a response: no reply), opcodes, Z, rcodes
        flags = r.choice([0x8000, 0x8100, 0x0800, 0x1000, 0x2000, 0x7800, 0x0040, 0x000F, 0xFFFF])
        return wire_query(r, flags=flags)
    if k == 10:  # bytes flipped in a good query
        q = bytearray(wire_query(r))
        for _ in range(r.randrange(1, 6)):
            q[r.randrange(len(q))] = r.randrange(256)
        return bytes(q)
    if k == 11:  # the biggest datagram: a query and a lot after it
        return wire_query(r) + bytes(r.randrange(256) for _ in range(r.choice([1000, 65000])))
    if k == 12:  # two OPTs, or an OPT with a lying length
        q = wire_query(r)
        return q[:10] + struct.pack(">H", 2) + q[12:] + wire_opt(r) + wire_opt(r)
    return wire_query(r)  # a good query in the mix


def wire_stream(r):
    """The bytes of one TCP connection: frames whose lengths are honest, short, long or 0."""
    out = b""
    for _ in range(r.randrange(1, 5)):
        m = wire_message(r)
        k = r.randrange(6)
        length = len(m) if k < 3 else r.choice([0, 1, len(m) + 1, max(0, len(m) - 1), 65535])
        out += struct.pack(">H", length) + m
    if r.random() < 0.3:
        out = out[: r.randrange(len(out) + 1)]
    return out


def target_wire(r, ctx):
    steps = []
    for _ in range(r.randrange(8, 40)):
        if r.random() < 0.75:
            steps.append("udp " + wire_message(r).hex())
        else:
            steps.append("tcp %s %s" % (r.choice(["close", "close", "half", "open"]), wire_stream(r).hex()))
    return steps, {}


def wire_exchange(port, query, tcp, timeout=5.0):
    """One query over UDP or TCP to 127.0.0.1:port; the reply's bytes or None."""
    family = socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM
    with socket.socket(socket.AF_INET, family) as s:
        s.settimeout(timeout)
        try:
            if tcp:
                s.connect(("127.0.0.1", port))
                s.sendall(struct.pack(">H", len(query)) + query)
                data = b""
                while len(data) < 2 or len(data) < 2 + struct.unpack(">H", data[:2])[0]:
                    more = s.recv(65537)
                    if not more:
                        return None
                    data += more
                return data[2:]
            s.sendto(query, ("127.0.0.1", port))
            return s.recv(65535)
        except OSError:
            return None


def wire_reply_problem(query, reply):
    """Why `reply` (None: nothing came) is not what `query` gets (None when it is): silence for
    a runt or a response, else a message dnspython reads with the query's ID and QR set."""
    silent = len(query) < 12 or query[2] & 0x80
    if silent or reply is None:
        if silent and reply is not None:
            return "a reply to %s" % ("a runt" if len(query) < 12 else "a response")
        return "no reply to a query" if not silent else None
    if len(reply) < 12 or reply[:2] != query[:2] or not reply[2] & 0x80:
        return "a reply without the query's ID or QR: %s" % reply[:12].hex()
    try:
        import dns.message
        dns.message.from_wire(reply)
    except ImportError:
        pass
    except Exception as e:  # dnspython's reasons are many classes
        return "a reply dnspython cannot read (%s: %s): %s" % (type(e).__name__, e, reply[:64].hex())
    return None


def wire_serve(bin, d):
    """Starts `svclab dns` on a free loopback port: (process, port, what it printed), the
    port None when it did not start."""
    p = subprocess.Popen([bin, "dns", "--listen", "127.0.0.1:0", WIRE_LAB], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, preexec_fn=limits, cwd=d,
                         env=dict(os.environ, NO_COLOR="1"))
    line = b""
    deadline = time.time() + TIME_LIMIT
    while time.time() < deadline and p.poll() is None:
        ready, _, _ = select.select([p.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            line += chunk
            if b"serving on" in line and b"\n" in line.split(b"serving on", 1)[1]:
                addr = line.split(b"serving on ", 1)[1].split()[0]
                return p, int(addr.rsplit(b":", 1)[1]), ""
    return p, None, line.decode(errors="replace")


def run_wire_case(bin, steps):
    """Sends every step to a fresh `svclab dns`, then checks the server: alive, answering the
    same query over UDP and TCP exactly as before the case, every reply a readable message
    with its query's ID (none to a response or a runt), and stopping cleanly on SIGTERM."""
    with tempfile.TemporaryDirectory(prefix="svclab-fuzz-") as d:
        p, port, printed = wire_serve(bin, d)
        try:
            if port is None:
                return "svclab dns did not start" + tail(printed + wire_drain(p))
            probe = wire_query(random.Random(1), qid=0x5EED, name=b"web.default.svc.cluster.local")
            before = [wire_exchange(port, probe, tcp) for tcp in (False, True)]
            if None in before:
                return "no answer to the probe before the case"
            sent, streams = [], []
            deadline = time.time() + TIME_LIMIT
            for step in steps:
                if time.time() > deadline or p.poll() is not None:
                    break
                kind, rest = step.split(" ", 1)
                if kind == "udp":
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    data = bytes.fromhex(rest)
                    try:
                        s.sendto(data, ("127.0.0.1", port))
                        sent.append((s, data))
                    except OSError:  # past the largest datagram: never sent
                        s.close()
                else:
                    end, hexdata = rest.split(" ", 1)
                    streams.append(wire_send_stream(port, end, bytes.fromhex(hexdata)))
            if p.poll() is not None:
                return "svclab dns exited (status %d) during the case" % p.returncode + tail(wire_drain(p))
            after = [wire_exchange(port, probe, tcp) for tcp in (False, True)]
            for transport, b, a in zip(("UDP", "TCP"), before, after):
                if a is None:
                    return "no answer to the probe over %s after the case" % transport
                if a != b:
                    return "the probe's %s answer changed: %s, was %s" % (transport, a.hex(), b.hex())
            # The probe was answered after every datagram before it: each reply has arrived.
            for s, data in sent:
                s.setblocking(False)
                try:
                    reply = s.recv(65535)
                except OSError:
                    reply = None
                s.close()
                why = wire_reply_problem(data, reply)
                if why:
                    return "%s (sent %s)" % (why, data[:64].hex())
            for s in streams:
                if s:
                    s.close()
        finally:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        try:
            status = p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            return "svclab dns did not stop within 10 s of SIGTERM"
        out = wire_drain(p)
        if status != 0:
            return "exit status %d after SIGTERM%s" % (status, tail(out))
        for marker in ("Program crashed", "Fatal error"):
            if marker in out:
                return marker + tail(out)
        return None


def wire_send_stream(port, end, data):
    """Writes one TCP connection's bytes in pieces; returns the socket if it stays open."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2)
    r = random.Random(data)
    try:
        s.connect(("127.0.0.1", port))
        i = 0
        while i < len(data):
            n = r.choice([1, 2, 3, 7, 100, len(data)])
            s.sendall(data[i : i + n])
            i += n
        if end == "half":
            s.shutdown(socket.SHUT_WR)
    except OSError:  # the server may close a connection it cannot read
        end = "close"
    if end == "close":
        s.close()
        return None
    return s


def wire_drain(p):
    try:
        return p.stdout.read().decode(errors="replace") if p.poll() is not None else ""
    except (OSError, ValueError):
        return ""


TARGETS = {
    "calls": (target_calls, 4),
    "manifests": (target_manifests, 3),
    "corefiles": (target_corefiles, 1),
    "labfiles": (target_labfiles, 1),
    # A third element fixes the mode: these cases are not Lua (see run_wire_case).
    "wire": (target_wire, 2, "wire"),
}

# ----------------------------------------------------------------- running


def limits():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_case(bin, steps, files, mode, extra):
    """Runs one case; returns None when it passed, else why it failed."""
    if mode == "wire":
        return run_wire_case(bin, steps)
    with tempfile.TemporaryDirectory(prefix="svclab-fuzz-") as d:
        decls = []
        for name, data in files.items():
            path = os.path.join(d, name)
            with open(path, "wb") as f:
                f.write(data)
            decls.append("local FILE_%s = %s" % (name.split(".")[0], lua_str(path)))
        body = [" ".join(decls)] if decls else []
        body += ["step(function() %s end)" % s for s in steps]
        if mode == "repl":
            # The REPL keeps no locals between lines: the preamble becomes globals.
            pre = PREAMBLE.replace("local function ", "function ").replace("local FUZZ_STEP", "FUZZ_STEP")
            pre = " ".join(l for l in pre.split("\n") if l.strip() and not l.strip().startswith("--"))
            lines = [pre]
            for s in steps:
                lines.append(" ".join(x.replace("local FILE", "FILE") for x in decls) + " step(function() %s end)" % s)
            lines.append('print("%s")' % END)
            cmd = [bin] + extra + ["-i"]
            stdin = ("\n".join(lines) + "\n").encode()
        else:
            source = PREAMBLE + "\n".join(body) + '\nprint("%s")\n' % END
            if mode == "script":
                script = os.path.join(d, "case.lua")
                with open(script, "w") as f:
                    f.write(source)
                cmd = [bin] + extra + [script]
            else:
                cmd = [bin] + extra + ["-e", source]
            stdin = b""
        try:
            p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=TIME_LIMIT,
                               preexec_fn=limits, cwd=d, env=dict(os.environ, NO_COLOR="1"))
        except subprocess.TimeoutExpired:
            return "hang (no result within %d s)" % TIME_LIMIT
        out = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
        if p.returncode < 0 or p.returncode >= 128:
            return "exit status %d%s" % (p.returncode, tail(out))
        for marker in ("Program crashed", "Fatal error", "FUZZ-INVARIANT"):
            if marker in out:
                return marker + tail(out)
        if END not in out:
            return "did not reach the end (status %d)%s" % (p.returncode, tail(out))
        return None


def tail(out):
    lines = [l for l in out.strip().split("\n") if l.strip()][-6:]
    return ("\n    " + "\n    ".join(l[:300] for l in lines)) if lines else ""


def shrink(bin, steps, files, mode, extra, deadline):
    """Greedy: drop steps, then halve each file while the case still fails."""
    changed = True
    while changed and time.time() < deadline:
        changed = False
        for i in range(len(steps)):
            if i >= len(steps) or time.time() > deadline:
                break
            trial = steps[:i] + steps[i + 1 :]
            if trial and run_case(bin, trial, files, mode, extra):
                steps = trial
                changed = True
    for name in list(files):
        data = files[name]
        chunk = len(data) // 2
        while chunk >= 1 and time.time() < deadline:
            i = 0
            progressed = False
            while i < len(data) and time.time() < deadline:
                trial = data[:i] + data[i + chunk :]
                if run_case(bin, steps, dict(files, **{name: trial}), mode, extra):
                    data = trial
                    progressed = True
                else:
                    i += chunk
            files[name] = data
            if not progressed:
                chunk //= 2
    return steps, files


def case(seed, ctx):
    r = random.Random(seed)
    names = list(TARGETS)
    weights = [TARGETS[n][1] for n in names]
    target = r.choices(names, weights)[0]
    steps, files = TARGETS[target][0](r, ctx)
    mode = r.choices(["script", "e", "repl"], [6, 2, 2])[0]
    extra = r.choice([[], [], ["--max-memory", r.choice(["64M", "256M", "1G"])]])
    if len(TARGETS[target]) > 2:
        mode, extra = TARGETS[target][2], []
    return target, steps, files, mode, extra


FALLBACK_LABFILE = b"""-- svclab lab file
return { version = 1, now = 0, random = 1, calls = {
  { call = "reset", random = 1, args = {} },
  { call = "addNode", random = 2, args = { "n1" } },
  { call = "createService", random = 3, args = { "web", { selector = { app = "web" }, ports = { { port = 80 } } } } },
} }
"""


def make_labfile(bin):
    """A lab file saveLab wrote (the fallback when the binary cannot write one)."""
    try:
        return saved_labfile(bin)
    except (subprocess.SubprocessError, OSError):
        return FALLBACK_LABFILE


def saved_labfile(bin):
    with tempfile.TemporaryDirectory(prefix="svclab-fuzz-") as d:
        path = os.path.join(d, "lab.lua")
        subprocess.run([bin, "-e", 'addNode("n1") createDeployment("web", { replicas = 2 }) '
                        'createService("web", { selector = { app = "web" }, ports = { { port = 80 } } }) '
                        'addPod("p1") dnsConfig({ ttl = 10 }) saveLab(%s)' % lua_str(path)],
                       check=True, capture_output=True, timeout=TIME_LIMIT)
        with open(path, "rb") as f:
            return f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "debug", "svclab"))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--budget", type=float, default=0, help="stop after this many seconds (0: no limit)")
    ap.add_argument("--shrink-seconds", type=float, default=120)
    ap.add_argument("--keep", default=None, help="folder to keep failing cases in")
    a = ap.parse_args()
    bin = os.path.abspath(a.bin)
    seed = a.seed if a.seed is not None else random.randrange(1 << 31)
    print("fuzz: seed %d, %d iterations%s, binary %s" % (seed, a.iterations, ", budget %gs" % a.budget if a.budget else "", bin))
    ctx = {"fixtures": fixtures(), "labfile": make_labfile(bin)}
    start = time.time()
    passed = failed = 0
    counts = {}
    for i in range(a.iterations):
        if a.budget and time.time() - start > a.budget:
            break
        case_seed = seed * 1000003 + i
        target, steps, files, mode, extra = case(case_seed, ctx)
        counts[target] = counts.get(target, 0) + 1
        why = run_case(bin, steps, files, mode, extra)
        if why is None:
            passed += 1
            continue
        failed += 1
        print("FAIL seed %d case %d (case seed %d, target %s, mode %s, options %s): %s" % (seed, i, case_seed, target, mode, " ".join(extra) or "-", why))
        steps, files = shrink(bin, steps, files, mode, extra, time.time() + a.shrink_seconds)
        print("  smallest reproducing input found:")
        for s in steps:
            print("    step: " + s)
        for name, data in files.items():
            print("    file %s (%d bytes): %r" % (name, len(data), data[:2000]))
        if a.keep and mode == "wire":
            os.makedirs(a.keep, exist_ok=True)
            with open(os.path.join(a.keep, "case-%d.wire" % case_seed), "w") as f:
                f.write("\n".join(steps) + "\n")
        elif a.keep:
            os.makedirs(a.keep, exist_ok=True)
            with open(os.path.join(a.keep, "case-%d.lua" % case_seed), "w") as f:
                f.write(PREAMBLE + "\n".join("step(function() %s end)" % s for s in steps) + "\n")
            for name, data in files.items():
                with open(os.path.join(a.keep, "case-%d-%s" % (case_seed, name)), "wb") as f:
                    f.write(data)
    elapsed = time.time() - start
    print("fuzz: seed %d, %d cases in %.0f s (%s)" % (seed, passed + failed, elapsed, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    print("fuzz: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
