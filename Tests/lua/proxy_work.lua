-- proxyWork: what a node's kube-proxy would hand iptables-restore, IPVS and nft for a change.

local function web(n)
  for i = 1, n do addPod("web-" .. i, { node = "node-" .. (i % 3 + 1), labels = { app = "web" } }) end
  return createService("web", { selector = { app = "web" }, ports = { { port = 80 } } })
end

local function count(text, pattern)
  local n = 0
  for line in text:gmatch("[^\n]+") do if line:find(pattern) then n = n + 1 end end
  return n
end

test("a first sync writes the node's whole iptables-restore input and every rule", function()
  reset {}
  web(3)
  local w = proxyWork("node-1")
  local save = iptablesSave("node-1")
  assertEqual(w.iptables.total, count(save, "^%-A "))
  assertEqual(w.iptables.rules, w.iptables.total)
  assertEqual(w.iptables.bytes, #save)
  assertEqual(w.iptables.deletedChains, 0)
  setProxyMode("nftables")
  local nft = nftRuleset("node-1")
  -- every nft rule is written once; the listing indents rules by two tabs
  assertEqual(w.nftables.rules, w.nftables.total)
  assert(w.nftables.total > 0 and w.nftables.total <= count(nft, "^\t\t[^\t]"))
  setProxyMode("ipvs")
  assertEqual(w.ipvs.virtualServersAdded, w.ipvs.virtualServers)
  assertEqual(w.ipvs.realServersAdded, w.ipvs.realServers)
  assertEqual(w.ipvs.iptablesBytes, #iptablesSave("node-1"))
end)

-- One change at a time, from the same three-endpoint Service: what each mode writes.
local cases = {
  { name = "an endpoint turns unready", change = function() setPodReady("web-1", false) end,
    ipvs = { added = 0, removed = 1 }, nftDeletedChains = 1, iptDeletedChains = 1 },
  { name = "an endpoint is added", change = function() addPod("web-4", { labels = { app = "web" } }) end,
    ipvs = { added = 1, removed = 0 }, nftDeletedChains = 0, iptDeletedChains = 0 },
  { name = "a pod nothing selects", change = function() addPod("other") end,
    ipvs = { added = 0, removed = 0 }, nftDeletedChains = 0, iptDeletedChains = 0, nothing = true },
}

for _, case in ipairs(cases) do
  test("one change: " .. case.name, function()
    reset {}
    web(3)
    local full = proxyWork("node-1")
    local w = proxyWork("node-1", case.change)
    assertEqual(w.ipvs.realServersAdded, case.ipvs.added)
    assertEqual(w.ipvs.realServersRemoved, case.ipvs.removed)
    assertEqual(w.ipvs.virtualServersAdded + w.ipvs.virtualServersRemoved, 0)
    assertEqual(w.nftables.deletedChains, case.nftDeletedChains)
    assertEqual(w.iptables.deletedChains, case.iptDeletedChains)
    -- iptables always rewrites its top-level chains; per-service chains only when changed
    assert(w.iptables.rules < full.iptables.rules, w.iptables.rules)
    assert(w.iptables.chains > 0)
    if case.nothing then
      assertEqual(w.nftables.bytes, 0)
      assertEqual(w.nftables.rules, 0)
    else
      assert(w.nftables.bytes > 0 and w.nftables.bytes < w.iptables.bytes)
    end
  end)
end

test("a Service with no endpoints left: its map element moves to the no-endpoint maps", function()
  reset {}
  web(1)
  local w = proxyWork("node-1", function() setPodReady("web-1", false) end)
  assert(w.nftables.elementsAdded >= 1 and w.nftables.elementsDeleted >= 1)
  assertEqual(w.ipvs.realServersRemoved, 1)
end)

test("bad input: an unknown node, a failing function", function()
  reset {}
  assertError(function() proxyWork("node-9") end, 'proxyWork: nodes "node%-9" not found')
  assertError(function() proxyWork("node-1", function() error("boom") end) end, "boom")
end)
