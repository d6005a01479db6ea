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


TARGETS = {
    "calls": (target_calls, 4),
    "manifests": (target_manifests, 3),
    "corefiles": (target_corefiles, 1),
    "labfiles": (target_labfiles, 1),
}

# ----------------------------------------------------------------- running


def limits():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_case(bin, steps, files, mode, extra):
    """Runs one case; returns None when it passed, else why it failed."""
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
        if a.keep:
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
