#!/usr/bin/env python3
"""Writes `iptables-save -c` output for a node of the kind cluster in
Tests/fixtures/kind-cluster-dump.* (Calico with host-local IPAM, kube-proxy in iptables mode):
the node's built-in chains, Calico's cali-* chains (felix's layout: raw/mangle/nat/filter
dispatch, workload chains per veth, the namespace profile, nat-outgoing), kind's
DOCKER_OUTPUT/DOCKER_POSTROUTING for Docker's embedded DNS, and kube-proxy's own chains as
svclab writes them, rewritten the way iptables-save prints rules (-d x/32 first, -m tcp
before --dport, MARK --or-mark as --set-xmark).

  svclab -e 'importCluster("Tests/fixtures/kind-cluster-dump.yaml") io.write(iptablesSave("kind-worker"))' \
    | Scripts/gen-node-rules.py kind-worker 172.18.0.3 > Docs/tutorials/data/kind-worker.iptables

`--stale` makes the kube-proxy part that of a kube-proxy that stopped syncing: it keeps the
chains of a Service deleted since (shop/old-api) and lacks the NodePort rules of shop/web-np.
"""
import hashlib
import re
import shlex
import sys

PODS = {  # node -> [(namespace, pod, ip)] of the pods on the pod network
    "kind-control-plane": [("kube-system", "coredns-674b8bbfcf-6xq2w", "10.244.0.3"),
                           ("kube-system", "coredns-674b8bbfcf-qz8lk", "10.244.0.4"),
                           ("kube-system", "calico-kube-controllers-5b8f9c7d4-jm2rt", "10.244.0.2")],
    "kind-worker": [("shop", "web-6d4cf56db6-4mzkp", "10.244.1.4"), ("shop", "db-0", "10.244.1.5")],
    "kind-worker2": [("shop", "web-6d4cf56db6-8tq2n", "10.244.2.5"), ("shop", "web-6d4cf56db6-x7hbc", "10.244.2.6"),
                     ("shop", "db-1", "10.244.2.7")],
}


def h(*parts, n=16):
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:n]


def cali_id(*parts):
    """Felix's rule ids are 16 URL-safe base64 characters; these are made-up but stable."""
    import base64
    return base64.urlsafe_b64encode(hashlib.sha256("/".join(map(str, parts)).encode()).digest()).decode()[:16]


def iface(ns, pod):
    return "cali" + hashlib.sha1(f"{ns}.{pod}".encode()).hexdigest()[:11]


def counters(*parts, hot=False):
    n = int(h(*parts, n=6), 16)
    p = n % (90000 if hot else 400)
    return f"[{p}:{p * (60 + n % 900)}]"


def save_form(rule):
    """A kube-proxy restore line as iptables-save prints it."""
    words = shlex.split(rule)
    assert words[0] == "-A"
    chain, rest = words[1], words[2:]
    basic = {"-s": None, "-d": None, "-i": None, "-o": None, "-p": None}
    others = []
    i = 0
    neg = False
    while i < len(rest):
        w = rest[i]
        if w == "!":
            neg = True
            i += 1
            continue
        if w in basic and rest[i - 1] != "-m":
            v = rest[i + 1]
            if w in ("-s", "-d") and "/" not in v:
                v += "/32"
            basic[w] = ("! " if neg else "") + w + " " + v
            i += 2
        elif w == "-m" and rest[i + 1] in ("tcp", "udp", "sctp"):
            i += 2
        else:
            if w in ("--dport", "--sport"):
                proto = (basic["-p"] or "-p tcp").split()[-1]
                others.append(f"-m {proto}")
            others.append(("! " if neg else "") + (shlex.quote(w) if " " in w else w))
            i += 1
            if i < len(rest) and rest[i] not in ("!",) and not rest[i].startswith("-"):
                v = rest[i]
                others.append(f'"{v}"' if " " in v or w == "--comment" and not re.match(r"^[\w./:-]+$", v) else v)
                i += 1
            neg = False
            continue
        neg = False
    text = " ".join([b for b in (basic["-s"], basic["-d"], basic["-i"], basic["-o"], basic["-p"]) if b] + others)
    text = text.replace("-j MARK --or-mark 0x4000", "-j MARK --set-xmark 0x4000/0x4000")
    text = text.replace("-j MARK --xor-mark 0x4000", "-j MARK --set-xmark 0x4000/0x0")
    text = text.replace("-j REJECT", "-j REJECT --reject-with icmp-port-unreachable")
    text = re.sub(r"--probability (\d\.\d{10})\b", lambda m: f"--probability {float(m.group(1)):.11f}", text)
    text = re.sub(r"(-m recent --name \S+ --set)", r"-m recent --set --name \g<1>", text)
    text = text.replace("-m recent --set --name -m recent --name ", "-m recent --set --name ")
    text = text.replace(" --set -m tcp", " --mask 255.255.255.255 --rsource -m tcp")
    text = re.sub(r"--rcheck --seconds (\d+) --reap", r"--rcheck --seconds \1 --reap --mask 255.255.255.255 --rsource",
                  text)
    return chain, text


def kube_proxy(lines, stale):
    tables = {}
    table = None
    for line in lines:
        line = line.rstrip("\n")
        if line.startswith("*"):
            table = line[1:]
            tables[table] = {"chains": [], "rules": []}
        elif line.startswith(":"):
            tables[table]["chains"].append(line.split()[0][1:])
        elif line.startswith("-A"):
            tables[table]["rules"].append(save_form(line))
    if stale:
        nat = tables["nat"]
        nat["rules"] = [(c, r) for c, r in nat["rules"] if "shop/web-np:http" not in r]
        svc, sep = "KUBE-SVC-" + h("old-api", n=16).upper(), "KUBE-SEP-" + h("old-api-sep", n=16).upper()
        nat["chains"] += [svc, sep]
        nat["rules"] += [
            ("KUBE-SERVICES", f'-d 10.96.88.12/32 -p tcp -m comment --comment "shop/old-api:http cluster IP" -m tcp --dport 80 -j {svc}'),
            (svc, f'! -s 10.244.0.0/16 -d 10.96.88.12/32 -p tcp -m comment --comment "shop/old-api:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ'),
            (svc, f'-m comment --comment "shop/old-api:http -> 10.244.1.7:8080" -j {sep}'),
            (sep, f'-s 10.244.1.7/32 -m comment --comment shop/old-api:http -j KUBE-MARK-MASQ'),
            (sep, f'-p tcp -m comment --comment shop/old-api:http -m tcp -j DNAT --to-destination 10.244.1.7:8080'),
        ]
        # the NOTE rule stays last
        rules = nat["rules"]
        last = [x for x in rules if "must be the last rule" in x[1]]
        nat["rules"] = [x for x in rules if x not in last] + last
    return tables


def main():
    node, node_ip = sys.argv[1], sys.argv[2]
    stale = "--stale" in sys.argv
    kp = kube_proxy(sys.stdin.readlines(), stale)
    pods = PODS[node]
    out = ["# Generated by iptables-save v1.8.9 (nf_tables) on Mon Dec  7 03:12:44 2026"]

    def table(name, builtins, chains, rules):
        out.append(f"*{name}")
        for b, policy in builtins:
            out.append(f":{b} {policy} {counters(node, name, b, hot=True)}")
        for c in chains:
            out.append(f":{c} - [0:0]")
        for chain, text in rules:
            hot = chain in ("PREROUTING", "INPUT", "OUTPUT", "FORWARD", "POSTROUTING") or chain.startswith("cali-")
            out.append(f"{counters(node, name, chain, text, hot=hot)} -A {chain} {text}")
        out.append("COMMIT")
        out.append(f"# Completed on Mon Dec  7 03:12:44 2026")

    # raw: Calico's anti-spoofing (reverse-path check for workload traffic) and its marks.
    raw_rules = [
        ("PREROUTING", f'-m comment --comment "cali:{cali_id("raw-pre")}" -j cali-PREROUTING'),
        ("OUTPUT", f'-m comment --comment "cali:{cali_id("raw-out")}" -j cali-OUTPUT'),
        ("cali-OUTPUT", f'-m comment --comment "cali:{cali_id("raw-out-1")}" -j MARK --set-xmark 0x0/0xf0000'),
        ("cali-OUTPUT", f'-m comment --comment "cali:{cali_id("raw-out-2")}" -j cali-to-host-endpoint'),
        ("cali-OUTPUT", f'-m comment --comment "cali:{cali_id("raw-out-3")}" -m mark --mark 0x10000/0x10000 -j ACCEPT'),
        ("cali-PREROUTING", f'-m comment --comment "cali:{cali_id("raw-pre-1")}" -j MARK --set-xmark 0x0/0xf0000'),
        ("cali-PREROUTING", f'-i cali+ -m comment --comment "cali:{cali_id("raw-pre-2")}" -j MARK --set-xmark 0x40000/0x40000'),
        ("cali-PREROUTING", f'-m comment --comment "cali:{cali_id("raw-pre-3")}" -m mark --mark 0x40000/0x40000 -j cali-rpf-skip'),
        ("cali-PREROUTING", f'-m comment --comment "cali:{cali_id("raw-pre-4")}" -m mark --mark 0x40000/0x40000 -m rpfilter --validmark --invert -j DROP'),
        ("cali-PREROUTING", f'-m comment --comment "cali:{cali_id("raw-pre-5")}" -m mark ! --mark 0x40000/0x40000 -j cali-from-host-endpoint'),
        ("cali-PREROUTING", f'-m comment --comment "cali:{cali_id("raw-pre-6")}" -m mark --mark 0x10000/0x10000 -j ACCEPT'),
    ]
    table("raw", [("PREROUTING", "ACCEPT"), ("OUTPUT", "ACCEPT")],
          ["cali-OUTPUT", "cali-PREROUTING", "cali-from-host-endpoint", "cali-rpf-skip", "cali-to-host-endpoint"],
          raw_rules)

    mangle_rules = [
        ("PREROUTING", f'-m comment --comment "cali:{cali_id("mangle-pre")}" -j cali-PREROUTING'),
        ("POSTROUTING", f'-m comment --comment "cali:{cali_id("mangle-post")}" -j cali-POSTROUTING'),
        ("cali-POSTROUTING", f'-m comment --comment "cali:{cali_id("mangle-post-1")}" -m mark --mark 0x10000/0x10000 -j RETURN'),
        ("cali-POSTROUTING", f'-m comment --comment "cali:{cali_id("mangle-post-2")}" -j MARK --set-xmark 0x0/0xf0000'),
        ("cali-POSTROUTING", f'-m comment --comment "cali:{cali_id("mangle-post-3")}" -m conntrack --ctstate DNAT -j cali-to-host-endpoint'),
        ("cali-POSTROUTING", f'-m comment --comment "cali:{cali_id("mangle-post-4")}" -m comment --comment "Host endpoint policy accepted packet." -m mark --mark 0x10000/0x10000 -j RETURN'),
        ("cali-PREROUTING", f'-m comment --comment "cali:{cali_id("mangle-pre-1")}" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'),
        ("cali-PREROUTING", f'-m comment --comment "cali:{cali_id("mangle-pre-2")}" -m mark --mark 0x10000/0x10000 -j ACCEPT'),
        ("cali-PREROUTING", f'-m comment --comment "cali:{cali_id("mangle-pre-3")}" -j cali-from-host-endpoint'),
        ("cali-PREROUTING", f'-m comment --comment "cali:{cali_id("mangle-pre-4")}" -m comment --comment "Host endpoint policy accepted packet." -m mark --mark 0x10000/0x10000 -j ACCEPT'),
    ]
    table("mangle", [("PREROUTING", "ACCEPT"), ("INPUT", "ACCEPT"), ("FORWARD", "ACCEPT"), ("OUTPUT", "ACCEPT"),
                     ("POSTROUTING", "ACCEPT")],
          ["KUBE-IPTABLES-HINT", "KUBE-KUBELET-CANARY", "KUBE-PROXY-CANARY", "cali-POSTROUTING", "cali-PREROUTING",
           "cali-from-host-endpoint", "cali-to-host-endpoint"], mangle_rules)

    nat = kp["nat"]
    nat_rules = [
        ("PREROUTING", f'-m comment --comment "cali:{cali_id("nat-pre")}" -j cali-PREROUTING'),
        ("PREROUTING", '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES'),
        ("OUTPUT", f'-m comment --comment "cali:{cali_id("nat-out")}" -j cali-OUTPUT'),
        ("OUTPUT", '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES'),
        ("OUTPUT", "-d 172.18.0.1/32 -j DOCKER_OUTPUT"),
        ("POSTROUTING", f'-m comment --comment "cali:{cali_id("nat-post")}" -j cali-POSTROUTING'),
        ("POSTROUTING", '-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING'),
        ("POSTROUTING", "-d 172.18.0.1/32 -j DOCKER_POSTROUTING"),
        ("DOCKER_OUTPUT", "-d 172.18.0.1/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 127.0.0.11:41379"),
        ("DOCKER_OUTPUT", "-d 172.18.0.1/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:58238"),
        ("DOCKER_POSTROUTING", "-s 127.0.0.11/32 -p tcp -m tcp --sport 41379 -j SNAT --to-source 172.18.0.1:53"),
        ("DOCKER_POSTROUTING", "-s 127.0.0.11/32 -p udp -m udp --sport 58238 -j SNAT --to-source 172.18.0.1:53"),
    ] + nat["rules"] + [
        ("cali-OUTPUT", f'-m comment --comment "cali:{cali_id("nat-out-1")}" -j cali-fip-dnat'),
        ("cali-POSTROUTING", f'-m comment --comment "cali:{cali_id("nat-post-1")}" -j cali-fip-snat'),
        ("cali-POSTROUTING", f'-m comment --comment "cali:{cali_id("nat-post-2")}" -j cali-nat-outgoing'),
        ("cali-POSTROUTING", f'-o tunl0 -m comment --comment "cali:{cali_id("nat-post-3")}" -m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL -j MASQUERADE --random-fully'),
        ("cali-PREROUTING", f'-m comment --comment "cali:{cali_id("nat-pre-1")}" -j cali-fip-dnat'),
        ("cali-nat-outgoing", f'-m comment --comment "cali:{cali_id("nat-outgoing")}" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully'),
    ]
    table("nat", [("PREROUTING", "ACCEPT"), ("INPUT", "ACCEPT"), ("OUTPUT", "ACCEPT"), ("POSTROUTING", "ACCEPT")],
          ["DOCKER_OUTPUT", "DOCKER_POSTROUTING", "KUBE-KUBELET-CANARY", "KUBE-PROXY-CANARY"] + nat["chains"]
          + ["cali-OUTPUT", "cali-POSTROUTING", "cali-PREROUTING", "cali-fip-dnat", "cali-fip-snat", "cali-nat-outgoing"],
          nat_rules)

    flt = kp["filter"]
    wl = []
    for ns, pod, ip in pods:
        wl.append((ns, pod, ip, iface(ns, pod)))
    filter_chains = ["KUBE-KUBELET-CANARY", "KUBE-PROXY-CANARY"] + flt["chains"] + [
        "cali-FORWARD", "cali-INPUT", "cali-OUTPUT", "cali-cidr-block", "cali-from-hep-forward",
        "cali-from-host-endpoint", "cali-from-wl-dispatch", "cali-to-hep-forward", "cali-to-host-endpoint",
        "cali-to-wl-dispatch", "cali-wl-to-host", "cali-pri-kns.shop", "cali-pro-kns.shop",
        "cali-pri-kns.kube-system", "cali-pro-kns.kube-system", "cali-pi-_shop-allow-web"]
    for _, _, _, i in wl:
        filter_chains += [f"cali-fw-{i}", f"cali-tw-{i}"]
    r = []
    r += [
        ("INPUT", f'-m comment --comment "cali:{cali_id("flt-in")}" -j cali-INPUT'),
        ("INPUT", '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL'),
        ("INPUT", '-m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS'),
        ("INPUT", '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES'),
        ("INPUT", "-j KUBE-FIREWALL"),
        ("FORWARD", f'-m comment --comment "cali:{cali_id("flt-fwd")}" -j cali-FORWARD'),
        ("FORWARD", '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL'),
        ("FORWARD", '-m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD'),
        ("FORWARD", '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'),
        ("FORWARD", '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES'),
        ("FORWARD", f'-m comment --comment "cali:{cali_id("flt-fwd-end-1")}" -m comment --comment "Policy explicitly accepted packet." -m mark --mark 0x10000/0x10000 -j ACCEPT'),
        ("FORWARD", f'-m comment --comment "cali:{cali_id("flt-fwd-end-2")}" -j MARK --set-xmark 0x10000/0x10000'),
        ("OUTPUT", f'-m comment --comment "cali:{cali_id("flt-out")}" -j cali-OUTPUT'),
        ("OUTPUT", '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL'),
        ("OUTPUT", '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'),
        ("OUTPUT", "-j KUBE-FIREWALL"),
    ]
    r += flt["rules"]
    r += [
        ("cali-FORWARD", f'-m comment --comment "cali:{cali_id("fwd-1")}" -j MARK --set-xmark 0x0/0xe0000'),
        ("cali-FORWARD", f'-m comment --comment "cali:{cali_id("fwd-2")}" -m mark --mark 0x0/0x10000 -j cali-from-hep-forward'),
        ("cali-FORWARD", f'-i cali+ -m comment --comment "cali:{cali_id("fwd-3")}" -j cali-from-wl-dispatch'),
        ("cali-FORWARD", f'-o cali+ -m comment --comment "cali:{cali_id("fwd-4")}" -j cali-to-wl-dispatch'),
        ("cali-FORWARD", f'-m comment --comment "cali:{cali_id("fwd-5")}" -j cali-to-hep-forward'),
        ("cali-FORWARD", f'-m comment --comment "cali:{cali_id("fwd-6")}" -j cali-cidr-block'),
        ("cali-INPUT", f'-p ipencap -m comment --comment "cali:{cali_id("in-1")}" -m comment --comment "Allow IPIP packets from Calico hosts" -m set --match-set cali40all-hosts-net src -m addrtype --dst-type LOCAL -j ACCEPT'),
        ("cali-INPUT", f'-p ipencap -m comment --comment "cali:{cali_id("in-2")}" -m comment --comment "Drop IPIP packets from non-Calico hosts" -j DROP'),
        ("cali-INPUT", f'-m comment --comment "cali:{cali_id("in-3")}" -j MARK --set-xmark 0x0/0xfff00000'),
        ("cali-INPUT", f'-i cali+ -m comment --comment "cali:{cali_id("in-4")}" -g cali-wl-to-host'),
        ("cali-INPUT", f'-m comment --comment "cali:{cali_id("in-5")}" -m mark --mark 0x10000/0x10000 -j ACCEPT'),
        ("cali-INPUT", f'-m comment --comment "cali:{cali_id("in-6")}" -j MARK --set-xmark 0x0/0xf0000'),
        ("cali-INPUT", f'-m comment --comment "cali:{cali_id("in-7")}" -j cali-from-host-endpoint'),
        ("cali-INPUT", f'-m comment --comment "cali:{cali_id("in-8")}" -m comment --comment "Host endpoint policy accepted packet." -m mark --mark 0x10000/0x10000 -j ACCEPT'),
        ("cali-OUTPUT", f'-m comment --comment "cali:{cali_id("out-1")}" -m mark --mark 0x10000/0x10000 -j ACCEPT'),
        ("cali-OUTPUT", f'-o cali+ -m comment --comment "cali:{cali_id("out-2")}" -j RETURN'),
        ("cali-OUTPUT", f'-p ipencap -m comment --comment "cali:{cali_id("out-3")}" -m comment --comment "Allow IPIP packets to other Calico hosts" -m set --match-set cali40all-hosts-net dst -m addrtype --src-type LOCAL -j ACCEPT'),
        ("cali-OUTPUT", f'-m comment --comment "cali:{cali_id("out-4")}" -j MARK --set-xmark 0x0/0xf0000'),
        ("cali-OUTPUT", f'-m comment --comment "cali:{cali_id("out-5")}" -m conntrack ! --ctstate DNAT -j cali-to-host-endpoint'),
        ("cali-OUTPUT", f'-m comment --comment "cali:{cali_id("out-6")}" -m comment --comment "Host endpoint policy accepted packet." -m mark --mark 0x10000/0x10000 -j ACCEPT'),
        ("cali-wl-to-host", f'-m comment --comment "cali:{cali_id("wl2h-1")}" -j cali-from-wl-dispatch'),
        ("cali-wl-to-host", f'-m comment --comment "cali:{cali_id("wl2h-2")}" -m comment --comment "Configured DefaultEndpointToHostAction" -j ACCEPT'),
    ]
    for ns, pod, ip, i in wl:
        r.append(("cali-from-wl-dispatch", f'-i {i} -m comment --comment "cali:{cali_id("fwd", i)}" -g cali-fw-{i}'))
    r.append(("cali-from-wl-dispatch", f'-m comment --comment "cali:{cali_id("fwd-unknown")}" -m comment --comment "Unknown interface" -j DROP'))
    for ns, pod, ip, i in wl:
        r.append(("cali-to-wl-dispatch", f'-o {i} -m comment --comment "cali:{cali_id("twd", i)}" -g cali-tw-{i}'))
    r.append(("cali-to-wl-dispatch", f'-m comment --comment "cali:{cali_id("twd-unknown")}" -m comment --comment "Unknown interface" -j DROP'))
    for ns, pod, ip, i in wl:
        c = f"cali-fw-{i}"
        r += [
            (c, f'-m comment --comment "cali:{cali_id(c, 1)}" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'),
            (c, f'-m comment --comment "cali:{cali_id(c, 2)}" -m conntrack --ctstate INVALID -j DROP'),
            (c, f'-m comment --comment "cali:{cali_id(c, 3)}" -j MARK --set-xmark 0x0/0x10000'),
            (c, f'-p udp -m comment --comment "cali:{cali_id(c, 4)}" -m comment --comment "Drop VXLAN encapped packets originating in workloads" -m multiport --dports 4789 -j DROP'),
            (c, f'-p ipencap -m comment --comment "cali:{cali_id(c, 5)}" -m comment --comment "Drop IPinIP encapped packets originating in workloads" -j DROP'),
            (c, f'-m comment --comment "cali:{cali_id(c, 6)}" -j cali-pro-kns.{ns}'),
            (c, f'-m comment --comment "cali:{cali_id(c, 7)}" -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN'),
            (c, f'-m comment --comment "cali:{cali_id(c, 8)}" -m comment --comment "Drop if no profiles matched" -j DROP'),
        ]
        c = f"cali-tw-{i}"
        rules = [
            (c, f'-m comment --comment "cali:{cali_id(c, 1)}" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'),
            (c, f'-m comment --comment "cali:{cali_id(c, 2)}" -m conntrack --ctstate INVALID -j DROP'),
            (c, f'-m comment --comment "cali:{cali_id(c, 3)}" -j MARK --set-xmark 0x0/0x10000'),
        ]
        if pod.startswith("db-"):
            # A NetworkPolicy selects the database: only app=web may reach it (tier default).
            rules += [
                (c, f'-m comment --comment "cali:{cali_id(c, 4)}" -m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x20000'),
                (c, f'-m comment --comment "cali:{cali_id(c, 5)}" -m mark --mark 0x0/0x20000 -j cali-pi-_shop-allow-web'),
                (c, f'-m comment --comment "cali:{cali_id(c, 6)}" -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN'),
                (c, f'-m comment --comment "cali:{cali_id(c, 7)}" -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP'),
            ]
        rules += [
            (c, f'-m comment --comment "cali:{cali_id(c, 8)}" -j cali-pri-kns.{ns}'),
            (c, f'-m comment --comment "cali:{cali_id(c, 9)}" -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN'),
            (c, f'-m comment --comment "cali:{cali_id(c, 10)}" -m comment --comment "Drop if no profiles matched" -j DROP'),
        ]
        r += rules
    for ns in ("shop", "kube-system"):
        for d in ("pri", "pro"):
            c = f"cali-{d}-kns.{ns}"
            r += [(c, f'-m comment --comment "cali:{cali_id(c, 1)}" -j MARK --set-xmark 0x10000/0x10000'),
                  (c, f'-m comment --comment "cali:{cali_id(c, 2)}" -m mark --mark 0x10000/0x10000 -j RETURN')]
    c = "cali-pi-_shop-allow-web"
    r += [(c, f'-p tcp -m comment --comment "cali:{cali_id(c, 1)}" -m comment --comment "Policy shop/knp.default.allow-web ingress" -m set --match-set cali40s:web-pods src -m multiport --dports 5432 -j MARK --set-xmark 0x10000/0x10000'),
          (c, f'-m comment --comment "cali:{cali_id(c, 2)}" -m mark --mark 0x10000/0x10000 -j RETURN')]
    table("filter", [("INPUT", "ACCEPT"), ("FORWARD", "ACCEPT"), ("OUTPUT", "ACCEPT")], filter_chains, r)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
