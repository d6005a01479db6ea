-- traceRules and diffRules over `nft list ruleset` text: the lab's own nftRuleset listing
-- walked the way the lab's trace goes, for several clusters; iptables-nft listings (kube-proxy's
-- golden dump and a kind node with Calico and Docker, as nft 1.0.6 lists them after
-- iptables-nft-restore) agreeing with the iptables tracer on the same rules; a node in
-- nftables mode with kube-proxy's table next to iptables-nft's, and one with a distribution's
-- inet firewall and Docker's nftables tables; malformed listings refused by line; and a node
-- whose nftables kube-proxy stopped syncing.
--
-- Tests/fixtures/nft/*-iptables-nft.nft were made with nft 1.0.6 and iptables-nft 1.8.9:
-- `iptables-nft-restore -c` of the dump in a fresh network namespace (the overall fixture
-- with kube-proxy's jumps from the built-in chains added; `-m set` and `-m nfacct` rules left
-- out, their sets and counters objects not being there), then `nft list ruleset`.

local support = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./")
  .. "../support/trace_rules.lua")
local data = "Docs/tutorials/data/"
local fixtures = "Tests/fixtures/nft/"

-- The chains of the listing a trace's rule steps go through, in order, each once.
-- The chains and verdict maps of the listing a trace's steps go through, in order, each once
-- (the lab's trace names the map that decided; traceRules names it after the rule's text).
local function chains(steps, listing)
  local out = {}
  local function add(name)
    if name and (listing:find("\tchain " .. name .. " {", 1, true)
      or listing:find("\tmap " .. name .. " {", 1, true)) and out[#out] ~= name then
      out[#out + 1] = name
    end
  end
  for _, s in ipairs(steps) do
    if s.kind ~= "route" and s.kind ~= "policy" then
      add(s.chain and s.chain:match("^(%S+)"))
      add(s.text:match("@([%w%-]+): "))
    end
  end
  return out
end

local subsequence = support.subsequence

-- The endpoint the lab's trace DNATed to, if any.
local function labDNAT(lab)
  for _, s in ipairs(lab.steps) do
    local to = s.text:match("dnat to (%S+)")
    if to then return to end
  end
end

-- kube-proxy's test conventions (its proxier tests' overall fixture) in nftables mode.
local function overall() return support.overall("nftables") end

-- The lab's default three nodes, pods, and Services of every kind.
local function podCluster()
  reset{ proxyMode = "nftables" }
  seed(5)
  addPod("web-1", { node = "node-1", labels = { app = "web" } })
  addPod("web-2", { node = "node-2", labels = { app = "web" } })
  addPod("api-1", { node = "node-3", labels = { app = "api" } })
  addPod("client", { node = "node-1", labels = { app = "client" } })
  local http = { { name = "http", port = 80 } }
  local web, api = { app = "web" }, { app = "api" }
  createService("web", { selector = web, ports = http })
  createService("sticky", { selector = web, ports = http, sessionAffinity = "ClientIP" })
  createService("lb-local", { type = "LoadBalancer", externalTrafficPolicy = "Local",
    selector = api, ports = http })
  createService("np", { type = "NodePort", selector = web, ports = http })
  createService("local-only", { selector = api, internalTrafficPolicy = "Local", ports = http })
  return "node-1", { getNode("node-1").ip }
end

local function ip(name) return getPod(name).ip end
local function svcIP(name) return getService(name).clusterIP end
local function nodeIP(name) return getNode(name).ip end
local function nodePort(name) return getService(name).ports[1].nodePort end

-- A packet from a node process (`local`), or arriving on `iif`.
local function fromNode(src, dst, dport)
  return { src = src, dst = dst, dport = dport, ["local"] = true }
end
local function arriving(src, dst, dport, iif)
  return { src = src, dst = dst, dport = dport, iif = iif }
end

-- table-driven: a cluster, the lab's trace (from, target), and the same packet for traceRules;
-- target and packet are functions, run once the cluster exists.
local cases = {
  { name = "node to a ClusterIP with two endpoints", cluster = overall,
    from = { node = "test-node" }, target = function() return "172.30.0.44:80" end,
    packet = function() return fromNode("192.168.0.2", "172.30.0.44", 80) end },
  { name = "allowed source to a LoadBalancer IP with source ranges", cluster = overall,
    from = { external = "203.0.113.9" }, target = function() return "5.6.7.8:80" end,
    packet = function() return arriving("203.0.113.9", "5.6.7.8", 80, "eth0") end },
  { name = "other source to the same LoadBalancer IP", cluster = overall, verdict = "DROP",
    from = { external = "198.51.100.7" }, target = function() return "5.6.7.8:80" end,
    packet = function() return arriving("198.51.100.7", "5.6.7.8", 80, "eth0") end },
  { name = "external client to a NodePort", cluster = overall,
    from = { external = "203.0.113.9" }, target = function() return "192.168.0.2:3003" end,
    packet = function() return arriving("203.0.113.9", "192.168.0.2", 3003, "eth0") end },
  { name = "external client to an eTP=Local LoadBalancer without local endpoints",
    cluster = overall, verdict = "DROP",
    from = { external = "203.0.113.9" }, target = function() return "1.2.3.4:80" end,
    packet = function() return arriving("203.0.113.9", "1.2.3.4", 80, "eth0") end },
  { name = "a Service without endpoints", cluster = overall, verdict = "REJECT",
    from = { node = "test-node" }, target = function() return "172.30.0.46:80" end,
    packet = function() return fromNode("192.168.0.2", "172.30.0.46", 80) end },
  { name = "pod to a ClusterIP", cluster = podCluster,
    from = "client", target = function() return svcIP("web") .. ":80" end,
    packet = function() return arriving(ip("client"), svcIP("web"), 80, "cali-client") end },
  { name = "pod to a ClusterIP with session affinity", cluster = podCluster,
    from = "client", target = function() return svcIP("sticky") .. ":80" end,
    packet = function() return arriving(ip("client"), svcIP("sticky"), 80, "cali-client") end },
  { name = "pod to an iTP=Local Service without a local endpoint", cluster = podCluster,
    verdict = "DROP", from = "client", target = function() return svcIP("local-only") .. ":80" end,
    packet = function() return arriving(ip("client"), svcIP("local-only"), 80, "cali-client") end },
  { name = "node to a NodePort on itself", cluster = podCluster, from = { node = "node-1" },
    target = function() return nodeIP("node-1") .. ":" .. nodePort("np") end,
    packet = function() return fromNode(nodeIP("node-1"), nodeIP("node-1"), nodePort("np")) end },
  { name = "node to a ClusterIP", cluster = podCluster,
    from = { node = "node-1" }, target = function() return svcIP("web") .. ":80" end,
    packet = function() return fromNode(nodeIP("node-1"), svcIP("web"), 80) end },
}

for _, c in ipairs(cases) do
  test("nftRuleset agrees with trace: " .. c.name, function()
    local node, nodeIPs = c.cluster()
    local lab = trace(c.from, c.target())
    local listing = nftRuleset(node)
    local t = traceRules(listing, c.packet(), { nodeIPs = nodeIPs })
    local want = labDNAT(lab)
    local outcome
    for _, o in ipairs(t.outcomes) do
      if o.dnat == want then outcome = o end
    end
    assert(outcome, "traceRules reaches the lab's endpoint " .. tostring(want) .. ":\n"
      .. tostring(t) .. "\nlab:\n" .. tostring(lab))
    assertEqual(outcome.verdict, c.verdict or "ACCEPT")
    -- The lab's endpoints here are addresses without pods: only a refusal is the rules'.
    if c.verdict then assertEqual(lab.ok, false) end
    local labChains, got = chains(lab.steps, listing), chains(outcome.steps, listing)
    assert(#labChains > 0, "the lab's trace goes through kube-proxy's chains:\n" .. tostring(lab))
    assert(subsequence(labChains, got),
      "lab chains " .. table.concat(labChains, " ") .. "\nnot in traceRules' "
        .. table.concat(got, " "))
  end)
end

test("numgen: two endpoints are two outcomes of one half each", function()
  overall()
  local t = traceRules(nftRuleset("test-node"), fromNode("192.168.0.2", "172.30.0.44", 80),
    { nodeIPs = { "192.168.0.2" } })
  assertEqual(#t.outcomes, 2)
  assertEqual({ t.outcomes[1].dnat, t.outcomes[2].dnat }, { "10.180.0.4:80", "10.180.0.5:80" })
  assertEqual({ t.outcomes[1].probability, t.outcomes[2].probability }, { 0.5, 0.5 })
  assert(t.text:find("random: 0 of 2 (50%) → goto endpoint-", 1, true), t.text)
  -- The node's own connection is marked in the service chain and masqueraded on the way out.
  assert(t.snat and t.snat:find("masqueraded", 1, true), tostring(t.snat))
  -- Base chains run by priority: the firewall check (dstnat - 10) before nat-output (dstnat).
  local order = {}
  for _, s in ipairs(t.steps) do
    if s.kind == "policy" or s.kind == "dnat" then order[#order + 1] = s.chain end
  end
  assertEqual(order[1], "filter-output-pre-dnat")
end)

-- The iptables tracer and the nft tracer on the same rules: kube-proxy's golden dump as
-- iptables-save text, and as nft lists it once iptables-nft loaded it.
local golden = io.open("Tests/LabTests/Fixtures/overall-iptables.txt"):read("a")
local goldenNft = fixtures .. "overall-iptables-nft.nft"
local same = {
  { src = "192.168.0.2", dst = "172.30.0.44", dport = 80, ["local"] = true },
  { src = "203.0.113.9", dst = "192.168.0.2", dport = 3003, iif = "eth0" },
  { src = "198.51.100.7", dst = "5.6.7.8", dport = 80, iif = "eth0" },
  { src = "192.168.0.2", dst = "172.30.0.46", dport = 80, ["local"] = true },
  { src = "10.0.0.7", dst = "172.30.0.41", dport = 80, iif = "veth1", oif = "eth0" },
}
for i, packet in ipairs(same) do
  test("iptables-nft listing and iptables-save agree (" .. i .. ")", function()
    local a = traceRules(golden, packet, { nodeIPs = { "192.168.0.2" } })
    local b = traceRules(goldenNft, packet, { nodeIPs = { "192.168.0.2" } })
    local function summary(t)
      local out = {}
      for _, o in ipairs(t.outcomes) do
        out[#out + 1] = string.format("%s %s %s %.3f", o.verdict, tostring(o.dnat), o.path,
          o.probability)
      end
      return out
    end
    assertEqual(summary(b), summary(a))
  end)
end

test("an xt match the listing cannot decide is said, not guessed", function()
  -- svc5's session affinity: iptables-nft lists both `-m recent --rcheck` (in the service
  -- chain) and `-m recent --set` (next to the DNAT) as `xt match recent`, options unseen. The
  -- trace takes neither to match and says so: without the DNAT, the firewall drops the packet,
  -- where the iptables-save text (which shows `--set`) reaches the endpoint.
  local packet = { src = "203.0.113.9", dst = "5.6.7.8", dport = 80, iif = "eth0" }
  local t = traceRules(goldenNft, packet, { nodeIPs = { "192.168.0.2" } })
  assertEqual({ t.verdict, t.dnat }, { "DROP", nil })
  assertEqual(traceRules(golden, packet, { nodeIPs = { "192.168.0.2" } }).dnat, "10.180.0.3:80")
  local said = table.concat(t.unknowns, "; ")
  assert(said:find("xt match recent cannot be evaluated", 1, true), tostring(t))
  assert(t.text:find("xt match recent cannot be decided from the listing: assumed not to match",
    1, true), t.text)
end)

local worker2 = fixtures .. "kind-worker2-iptables-nft.nft"
local webVeth = "calicda9c68722d"

test("a kind node through iptables-nft: Calico's and kube-proxy's chains, meta random", function()
  local packet = arriving("10.244.2.5", "10.96.112.40", 80, webVeth)
  packet.oif = "tunl0"
  local t = traceRules(worker2, packet, { nodeIPs = { "172.18.0.4" } })
  local pools = { ["cali40masq-ipam-pools"] = { "10.244.0.0/16" },
    ["cali40all-ipam-pools"] = { "10.244.0.0/16" } }
  local saved = traceRules(data .. "kind-worker2.iptables", packet,
    { nodeIPs = { "172.18.0.4" }, ipsets = pools })
  assertEqual(#t.outcomes, 3)
  local dnats, want = {}, {}
  for i, o in ipairs(t.outcomes) do
    dnats[#dnats + 1] = o.dnat
    want[#want + 1] = saved.outcomes[i].dnat
    assertEqual(o.verdict, "ACCEPT")
    assert(math.abs(o.probability - 1 / 3) < 1e-6, tostring(o.probability))
  end
  table.sort(dnats)
  table.sort(want)
  assertEqual(dnats, want)
  local seen = {}
  for _, s in ipairs(t.steps) do seen[s.chain or ""] = true end
  for _, chain in ipairs({ "cali-PREROUTING", "KUBE-SERVICES", "cali-FORWARD",
    "cali-from-wl-dispatch", "cali-fw-" .. webVeth, "KUBE-FORWARD", "cali-POSTROUTING",
    "KUBE-POSTROUTING" }) do
    assert(seen[chain], chain .. " not in the trace:\n" .. tostring(t))
  end
  -- Steps name the table as nft does, and carry the rule's line and counters.
  local first = t.steps[1]
  assertEqual({ first.table, first.chain }, { "ip raw", "PREROUTING" })
  assert(first.line and first.packets and first.packets > 0, tostring(t))
end)

test("a kind node through iptables-nft: established packets skip the nat chains", function()
  local packet = arriving("10.244.1.4", "10.244.2.5", 8080, "tunl0")
  packet.oif, packet.ctstate = webVeth, "ESTABLISHED"
  local t = traceRules(worker2, packet, { nodeIPs = { "172.18.0.4" } })
  assertEqual({ t.verdict, t.dnat }, { "ACCEPT", nil })
  for _, s in ipairs(t.steps) do
    assert(not (s.table == "ip nat" and s.kind == "rule"), "no nat rule sees an established packet")
  end
end)

-- A kind node whose kube-proxy runs in nftables mode: kube-proxy's table next to the
-- iptables-nft tables of Calico (iptables mode) and of kind's Docker DNS.
local mixed = data .. "kind-worker2.nft"

test("kube-proxy's table and iptables-nft's on one hook, in priority order", function()
  local packet = arriving("10.244.2.5", "10.96.112.40", 80, webVeth)
  packet.oif = "tunl0"
  local t = traceRules(mixed, packet, { nodeIPs = { "172.18.0.4" } })
  assertEqual(t.verdict, "ACCEPT")
  assert(t.dnat and t.dnat:match(":8080$"), tostring(t))
  local tables, seen = {}, {}
  for _, s in ipairs(t.steps) do
    if s.table and not seen[s.table] then
      seen[s.table] = true
      tables[#tables + 1] = s.table
    end
  end
  -- prerouting: raw (-300), mangle (-150), kube-proxy's filter (dstnat - 10), then the nat chains.
  assert(subsequence({ "ip raw", "ip mangle", "ip kube-proxy", "ip nat", "ip filter" }, tables),
    table.concat(tables, ", "))
end)

test("kind's Docker DNS through iptables-nft: a node process asking 172.18.0.1", function()
  local packet = fromNode("172.18.0.4", "172.18.0.1", 53)
  packet.proto = "udp"
  local t = traceRules(mixed, packet, { nodeIPs = { "172.18.0.4" } })
  assertEqual({ t.verdict, t.path, t.dnat }, { "ACCEPT", "output", "127.0.0.11:58238" })
  local seen = {}
  for _, s in ipairs(t.steps) do seen[s.chain or ""] = true end
  assert(seen.DOCKER_OUTPUT and seen["nat-output"], tostring(t))
end)

-- A node in nftables mode whose own firewall (a distribution's `table inet filter`) and
-- Docker's nftables backend (`table ip docker-bridges`) share the hooks with kube-proxy's
-- table: the lab's nftRuleset for node-1 and those two tables, loaded with nft -f and listed
-- by nft 1.0.6. web's ClusterIP is 10.111.155.181, its pods 10.244.0.2 and 10.244.1.2.
local firewall = fixtures .. "node-firewall.nft"
local nodeIPs = { "172.18.0.2", "fd00::2" }

-- table-driven: packet, then every outcome's verdict and DNAT, and a step that must show.
local firewalled = {
  { name = "a pod behind cni0 reaches the Service: the forward-in map accepts it",
    packet = { src = "10.244.0.9", dst = "10.111.155.181", dport = 80, iif = "cni0", oif = "eth0" },
    outcomes = { "ACCEPT 10.244.0.2:80", "ACCEPT 10.244.1.2:80" },
    shows = "@forward-in: \"cni0\" : accept" },
  { name = "the same packet from wg0: DNATed by kube-proxy, dropped by the node's forward policy",
    packet = { src = "10.244.0.9", dst = "10.111.155.181", dport = 80, iif = "wg0", oif = "eth0" },
    outcomes = { "DROP 10.244.0.2:80", "DROP 10.244.1.2:80" }, shows = "policy drop" },
  { name = "outside to a Docker container: Docker's bridge chain drops it",
    packet = { src = "203.0.113.5", dst = "172.17.0.2", dport = 80, iif = "eth0", oif = "docker0" },
    outcomes = { "DROP nil" }, shows = "@filter-forward-in-jumps: \"docker0\" : jump" },
  { name = "ssh to the node: the inet table's input chain accepts it",
    packet = { src = "203.0.113.5", dst = "172.18.0.2", dport = 22, iif = "eth0" },
    outcomes = { "ACCEPT nil" }, shows = "tcp dport { 22, 6443, 10250 } accept" },
  { name = "another port of the node: the input policy drops it",
    packet = { src = "203.0.113.5", dst = "172.18.0.2", dport = 8080, iif = "eth0" },
    outcomes = { "DROP nil" }, shows = "policy drop" },
  { name = "IPv6 ssh: only the inet table sees it",
    packet = { src = "2001:db8::5", dst = "fd00::2", dport = 22, iif = "eth0" },
    outcomes = { "ACCEPT nil" }, shows = "tcp dport { 22, 6443, 10250 } accept" },
}
for _, c in ipairs(firewalled) do
  test("node firewall and Docker next to kube-proxy: " .. c.name, function()
    local t = traceRules(firewall, c.packet, { nodeIPs = nodeIPs })
    local got = {}
    for _, o in ipairs(t.outcomes) do got[#got + 1] = o.verdict .. " " .. tostring(o.dnat) end
    table.sort(got)
    assertEqual(got, c.outcomes)
    assert(t.text:find(c.shows, 1, true), t.text)
    if c.packet.dst:find(":", 1, true) then
      for _, s in ipairs(t.steps) do assert(s.table ~= "ip kube-proxy", tostring(t)) end
    end
  end)
end

test("`nft -a list ruleset`: the handles do not change the walk", function()
  local packet = { src = "10.244.0.9", dst = "10.111.155.181", dport = 80, iif = "wg0",
    oif = "eth0" }
  local plain = traceRules(firewall, packet, { nodeIPs = nodeIPs })
  local handles = traceRules(fixtures .. "node-firewall-handles.nft", packet, { nodeIPs = nodeIPs })
  assertEqual(handles.text, plain.text)
  assert(not handles.text:find("# handle", 1, true), handles.text)
end)

-- table-driven: malformed listings and the line named. `chain(body)` is a listing of one
-- table with one chain around `body`, which is on line 3.
local function chain(body) return "table ip t {\n\tchain c {\n\t\t" .. body .. "\n\t}\n}\n" end
local malformed = {
  { chain("ip daddr"), "line 3: syntax error, ip daddr needs a value" },
  { chain("jump nowhere"), 'line 3: no such chain "nowhere"' },
  { chain("ip daddr @nope drop"), 'line 3: no such set or map "@nope" in table ip t' },
  { chain("bogus"), "line 3: syntax error, unexpected bogus" },
  { chain("type filter hook input priority sideways; policy accept;"),
    'line 3: chain c: unknown priority "sideways"' },
  { "table ip t {\n\tchain c {\n\t\tcounter\n\t}\n", "line 1: table ip t is not closed" },
  { "table ip t {\n\tmap m {\n\t\ttype ipv4_addr : verdict\n"
    .. "\t\telements = { 10.0.0.1 : goto x,\n\t\t\t\t10.0.0.2 }\n\t}\n}\n",
    'line 4: map m: element "10.0.0.2" has no value' },
  { chain('comment "open drop'), "line 3: syntax error, unterminated string" },
  { "table ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { 10.0.0.1,\n",
    "line 4: elements list is not closed" },
  { chain("numgen random mod 2 vmap { 0 : goto a, 1 : goto b }"), 'line 3: no such chain "a"' },
  { "table ether t {\n}\n", 'line 1: unknown table family "ether"' },
}
for i, m in ipairs(malformed) do
  test("a malformed listing is refused with its line (" .. i .. ")", function()
    assertError(function() traceRules(m[1], { src = "10.0.0.1", dst = "10.0.0.2" }) end,
      "traceRules: " .. m[2])
  end)
end

test("diffRules reads nft text: a node in sync, one that stopped syncing", function()
  podCluster()
  local listing = nftRuleset("node-1")
  assert(diffRules("node-1", listing).inSync, tostring(diffRules("node-1", listing)))
  -- The listing taken, then a Service deleted and one added: the node still has the old one.
  deleteService("sticky")
  createService("late", { selector = { app = "web" }, ports = { { name = "http", port = 8080 } } })
  local d = diffRules("node-1", listing)
  assertEqual(d.inSync, false)
  local function names(list, field)
    local out = {}
    for _, e in ipairs(list) do out[#out + 1] = e[field] end
    return out
  end
  for _, c in ipairs(names(d.staleChains, "chain")) do assert(c:find("/sticky/", 1, true), c) end
  for _, c in ipairs(names(d.missingChains, "chain")) do assert(c:find("/late/", 1, true), c) end
  assert(#d.staleChains > 0 and #d.missingChains > 0, tostring(d))
  local lateIP = svcIP("late")
  local stale = table.concat(names(d.staleElements, "element"), "\n")
  assert(stale:find("goto service-", 1, true) and stale:find("/sticky/", 1, true), stale)
  local missing = table.concat(names(d.missingElements, "element"), "\n")
  assert(missing:find(lateIP .. " . tcp . 8080", 1, true), missing)
  -- The affinity sets of the deleted Service are stale sets; other tables are ignored.
  assert(#d.staleSets > 0, tostring(d))
  assert(tostring(d):find("+ ip kube-proxy chain service-", 1, true), tostring(d))
end)

test("diffRules: nft text needs a node in nftables mode, iptables text iptables mode", function()
  podCluster()
  local listing = nftRuleset("node-1")
  setProxyMode("iptables", { node = "node-1" })
  assertError(function() diffRules("node-1", listing) end,
    "node node%-1 runs kube%-proxy in iptables mode: diffRules compares nft text with nftables"
      .. " mode rules")
  setProxyMode("nftables", { node = "node-1" })
  assertError(function() diffRules("node-1", "*nat\nCOMMIT\n") end,
    "runs kube%-proxy in nftables mode: diffRules compares iptables mode rules")
end)
