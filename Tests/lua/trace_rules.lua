-- traceRules and diffRules: kube-proxy's own golden dump walked the way the lab's trace goes,
-- a kind node's whole iptables-save (Calico's cali-* chains, kind's Docker DNS chains,
-- kube-proxy's) followed into every chain, malformed dumps refused by line, and a node whose
-- kube-proxy stopped syncing compared with the lab's rules.

local golden = io.open("Tests/LabTests/Fixtures/overall-iptables.txt"):read("a")
local data = "Docs/tutorials/data/"

local support = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./")
  .. "../support/trace_rules.lua")

-- kube-proxy's overall-rules fixture rebuilt through the API (as OverallIPTablesTests does).
local function overallFixture()
  support.overall("iptables", { randomFully = false, localhostNodePorts = true })
end

-- The KUBE chains a trace's steps go through, in order, each once.
local function chains(steps)
  local out = {}
  for _, s in ipairs(steps) do
    if s.chain and s.chain:match("^KUBE%-") and (s.kind == "rule" or s.kind == "dnat" or s.kind == "verdict")
      and out[#out] ~= s.chain then
      out[#out + 1] = s.chain
    end
  end
  return out
end

local subsequence = support.subsequence

-- table-driven: (lab trace from, target) and the same packet for traceRules.
local cases = {
  { name = "node to a ClusterIP with two endpoints", from = { node = "test-node" }, target = "172.30.0.44:80",
    packet = { src = "192.168.0.2", dst = "172.30.0.44", dport = 80, ["local"] = true } },
  { name = "node to a ClusterIP with one endpoint", from = { node = "test-node" }, target = "172.30.0.41:80",
    packet = { src = "192.168.0.2", dst = "172.30.0.41", dport = 80, ["local"] = true } },
  { name = "allowed source to a LoadBalancer IP with source ranges", from = { external = "203.0.113.9" },
    target = "5.6.7.8:80", packet = { src = "203.0.113.9", dst = "5.6.7.8", dport = 80, iif = "eth0" } },
  { name = "other source to the same LoadBalancer IP", from = { external = "198.51.100.7" },
    target = "5.6.7.8:80", packet = { src = "198.51.100.7", dst = "5.6.7.8", dport = 80, iif = "eth0" },
    verdict = "DROP" },
  { name = "external client to a NodePort", from = { external = "203.0.113.9" }, target = "192.168.0.2:3003",
    packet = { src = "203.0.113.9", dst = "192.168.0.2", dport = 3003, iif = "eth0" } },
  { name = "a Service without endpoints", from = { node = "test-node" }, target = "172.30.0.46:80",
    packet = { src = "192.168.0.2", dst = "172.30.0.46", dport = 80, ["local"] = true }, verdict = "REJECT" },
}

for _, c in ipairs(cases) do
  test("golden dump agrees with trace: " .. c.name, function()
    overallFixture()
    local lab = trace(c.from, c.target)
    local labDNAT
    for _, s in ipairs(lab.steps) do
      if s.kind == "dnat" then labDNAT = s.text:match("%-%-to%-destination (%S+)") end
    end
    local t = traceRules(golden, c.packet, { nodeIPs = { "192.168.0.2" } })
    assert(#t.unknowns >= 0)
    local outcome
    for _, o in ipairs(t.outcomes) do
      if o.dnat == labDNAT then outcome = o end
    end
    assert(outcome, "traceRules reaches the lab's endpoint " .. tostring(labDNAT) .. ":\n" .. tostring(t))
    local want, got = chains(lab.steps), chains(outcome.steps)
    assert(#want > 0, "the lab's trace goes through kube-proxy's chains")
    assert(subsequence(want, got),
      "lab chains " .. table.concat(want, " ") .. "\nnot in traceRules' " .. table.concat(got, " "))
    assertEqual(outcome.verdict, c.verdict or "ACCEPT")
    if c.verdict then assertEqual(lab.ok, false) end
  end)
end

test("a random choice is two outcomes with their probabilities", function()
  overallFixture()
  local t = traceRules(golden, { src = "192.168.0.2", dst = "172.30.0.44", dport = 80, ["local"] = true },
    { nodeIPs = { "192.168.0.2" } })
  assertEqual(#t.outcomes, 2)
  assertEqual({ t.outcomes[1].dnat, t.outcomes[2].dnat }, { "10.180.0.4:80", "10.180.0.5:80" })
  assertEqual({ t.outcomes[1].probability, t.outcomes[2].probability }, { 0.5, 0.5 })
  assert(t.text:find("random: jumps for 50%% of the packets that reach it"), t.text)
  -- Not SNATed by the node's own address here: KUBE-MARK-MASQ marked it, POSTROUTING masquerades.
  assert(t.snat and t.snat:find("masqueraded"), tostring(t.snat))
end)

local pools = { ["cali40masq-ipam-pools"] = { "10.244.0.0/16" }, ["cali40all-ipam-pools"] = { "10.244.0.0/16" } }
local webVeth = "calicda9c68722d" -- the veth of shop/web-6d4cf56db6-8tq2n on kind-worker2
local dbVeth = "cali7fd651e3ab8"  -- the veth of shop/db-1

test("a kind node with Calico: pod to ClusterIP follows cali-* and KUBE-* chains", function()
  local t = traceRules(data .. "kind-worker2.iptables",
    { src = "10.244.2.5", dst = "10.96.112.40", dport = 80, iif = webVeth, oif = "tunl0" },
    { nodeIPs = { "172.18.0.4" }, ipsets = pools })
  assertEqual(#t.outcomes, 3)
  local toPod
  for _, o in ipairs(t.outcomes) do if o.dnat == "10.244.1.4:8080" then toPod = o end end
  assert(toPod, tostring(t))
  assertEqual({ toPod.verdict, toPod.path }, { "ACCEPT", "forward" })
  local seen = {}
  for _, s in ipairs(toPod.steps) do seen[s.chain or ""] = true end
  for _, chain in ipairs({ "cali-PREROUTING", "KUBE-SERVICES", "cali-FORWARD", "cali-from-wl-dispatch",
    "cali-fw-" .. webVeth, "cali-pro-kns.shop", "KUBE-FORWARD", "cali-POSTROUTING", "KUBE-POSTROUTING" }) do
    assert(seen[chain], chain .. " not in the trace:\n" .. tostring(t))
  end
  -- The last FORWARD rule that decides is Calico's "Policy explicitly accepted packet".
  local accept
  for _, s in ipairs(toPod.steps) do
    if s.chain == "FORWARD" and s.text:find("Policy explicitly accepted packet", 1, true) then accept = s end
  end
  assert(accept and accept.packets and accept.packets > 0, "the rule and its counters are shown")
  -- Each rule step carries its dump line and counters.
  for _, s in ipairs(toPod.steps) do
    if s.kind == "rule" or s.kind == "dnat" then assert(s.line and s.packets, s.text) end
  end
  -- Pod traffic is not masqueraded: cali-nat-outgoing is entered, and its set lookup says the
  -- destination is in a pool.
  local outgoing = false
  for _, s in ipairs(toPod.steps) do
    if s.text:find("-j cali-nat-outgoing", 1, true) then outgoing = true end
    assert(s.chain ~= "cali-nat-outgoing", "its MASQUERADE rule does not match")
  end
  assert(outgoing)
  assertEqual(toPod.snat, nil)
end)

test("an unknown veth is dropped by Calico's dispatch chain", function()
  local t = traceRules(data .. "kind-worker2.iptables",
    { src = "10.244.2.5", dst = "10.96.112.40", dport = 80, iif = "cali0000000000a", oif = "tunl0" },
    { nodeIPs = { "172.18.0.4" } })
  assertEqual(t.verdict, "DROP")
  local last = t.steps[#t.steps - 1]
  assertEqual(last.chain, "cali-from-wl-dispatch")
  assert(last.text:find("Unknown interface", 1, true), last.text)
end)

test("a NetworkPolicy's ipset decides, and the trace says when it is not known", function()
  local packet = { src = "10.244.2.5", dst = "10.244.2.7", dport = 5432, iif = webVeth, oif = dbVeth }
  local unknown = traceRules(data .. "kind-worker2.iptables", packet, { nodeIPs = { "172.18.0.4" } })
  assertEqual(unknown.verdict, "DROP")
  local said = table.concat(unknown.unknowns, "; ")
  assert(said:find("ipset cali40s:web-pods not given", 1, true), said)
  local known = traceRules(data .. "kind-worker2.iptables", packet,
    { nodeIPs = { "172.18.0.4" }, ipsets = { ["cali40s:web-pods"] = { "10.244.1.4", "10.244.2.5", "10.244.2.6" } } })
  assertEqual(known.verdict, "ACCEPT")
  local seen = {}
  for _, s in ipairs(known.steps) do seen[s.chain or ""] = true end
  assert(seen["cali-tw-" .. dbVeth] and seen["cali-pi-_shop-allow-web"], tostring(known))
end)

test("kind's Docker DNS chains: a node process asking 172.18.0.1 is DNATed to Docker's resolver", function()
  local t = traceRules(data .. "kind-worker2.iptables",
    { src = "172.18.0.4", dst = "172.18.0.1", proto = "udp", dport = 53, ["local"] = true },
    { nodeIPs = { "172.18.0.4" } })
  assertEqual({ t.verdict, t.path, t.dnat }, { "ACCEPT", "output", "127.0.0.11:58238" })
  local seen = {}
  for _, s in ipairs(t.steps) do seen[s.chain or ""] = true end
  assert(seen.DOCKER_OUTPUT, tostring(t))
end)

test("conntrack state: an established packet takes Calico's fast path", function()
  local t = traceRules(data .. "kind-worker2.iptables",
    { src = "10.244.1.4", dst = "10.244.2.5", dport = 8080, iif = "tunl0", oif = webVeth, ctstate = "ESTABLISHED" },
    { nodeIPs = { "172.18.0.4" } })
  assertEqual(t.verdict, "ACCEPT")
  assertEqual(t.unknowns, {})
  assertEqual(t.dnat, nil)
  local fast = false
  for _, s in ipairs(t.steps) do
    if s.chain == "cali-tw-" .. webVeth and s.text:find("RELATED,ESTABLISHED -j ACCEPT", 1, true) then fast = true end
    assert(not (s.table == "nat" and s.kind == "rule"), "no nat rule sees an established packet")
  end
  assert(fast, tostring(t))
end)

-- table-driven: malformed dumps and the line named.
local malformed = {
  { "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s\nCOMMIT\n", "line 3: error parsing rule" },
  { "*filter\n:INPUT ACCEPT [0:0]\n-A FORWARD -j ACCEPT\nCOMMIT\n", 'line 3: no such chain "FORWARD"' },
  { "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n", "line 1: could not parse iptables data %(no COMMIT line%?%)" },
  { "# Generated by iptables-save\n:INPUT ACCEPT [0:0]\n", 'line 2: could not parse iptables data %(starts with ":INPUT' },
  { "*nat\n:A - [0:0]\n\n[1:x] -A A -j ACCEPT\nCOMMIT\n", "line 4: error parsing rule" },
  { "*nat\n:A - [0:0]\n-A A -m comment --comment \"open -j ACCEPT\nCOMMIT\n", "line 3: error parsing rule" },
  { "*nat\n:A - [0:0]\n-A A -j ACCEPT -j DROP\nCOMMIT\n", "line 3: error parsing rule" },
  { "*nat\n:A - [0:0]\nbogus\nCOMMIT\n", 'line 3: error parsing rule "bogus"' },
}
for i, m in ipairs(malformed) do
  test("a malformed dump is refused with its line (" .. i .. ")", function()
    assertError(function() traceRules(m[1], { src = "10.0.0.1", dst = "10.0.0.2" }) end, "traceRules: " .. m[2])
  end)
end

test("bad packets are refused", function()
  local rules = "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"
  assertError(function() traceRules(rules, { dst = "10.0.0.2" }) end, "packet.src: an IP address is required")
  assertError(function() traceRules(rules, { src = "10.0.0.1", dst = "x" }) end, 'packet.dst: "x" is not an IP address')
  assertError(function() traceRules(rules, { src = "10.0.0.1", dst = "10.0.0.2", dport = 70000 }) end, "not a port")
  assertError(function() traceRules(rules, { src = "10.0.0.1", dst = "10.0.0.2", color = "red" }) end, "color")
  assertError(function() traceRules("no/such/file", { src = "10.0.0.1", dst = "10.0.0.2" }) end, "cannot read")
end)

test("diffRules: a node in sync, even in iptables-save's spelling", function()
  importCluster("Tests/fixtures/kind-cluster-dump.yaml")
  local d = diffRules("kind-worker", data .. "kind-worker.iptables")
  assert(d.inSync, tostring(d))
  assert(diffRules("kind-worker2", iptablesSave("kind-worker2")).inSync)
end)

test("diffRules: a kube-proxy that stopped syncing", function()
  importCluster("Tests/fixtures/kind-cluster-dump.yaml")
  local d = diffRules("kind-worker2", data .. "kind-worker2.iptables")
  assertEqual(d.inSync, false)
  local stale = {}
  for _, e in ipairs(d.staleChains) do stale[#stale + 1] = e.chain:sub(1, 9) end
  assertEqual(stale, { "KUBE-SEP-", "KUBE-SVC-" })
  assertEqual(#d.staleRules, 1)
  assert(d.staleRules[1].rule:find("shop/old-api:http cluster IP", 1, true), d.staleRules[1].rule)
  assert(#d.missingRules >= 1)
  for _, e in ipairs(d.missingRules) do assert(e.rule:find("shop/web-np", 1, true), e.rule) end
  assertEqual(d.missingChains, {})
  -- Calico's and Docker's chains are not kube-proxy's business.
  assert(not tostring(d):find("cali-", 1, true))
  assertError(function() diffRules("nope", "") end, 'nodes "nope" not found')
end)
