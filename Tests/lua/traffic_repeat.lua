-- Repeated connections: a loop of `connect(from, "ip:port")` calls. Every result must be
-- what a first call would give, and any change must be seen at once (kept from the days of
-- the repeat shortcuts, as a check that no state leaks between calls).

local support = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "../support/traffic.lua")
local backend, webService, word = support.backend, support.webService, support.word

-- Three backends, one per node, a client on node-3, the web Service's ClusterIP:80.
local function lab()
  reset {}
  seed(11)
  for i = 1, 3 do backend("web-" .. i, "node-" .. i) end
  addPod("client", { node = "node-3" })
  return webService("web").clusterIP .. ":80"
end

-- A result without its id: two calls never share one.
local function withoutID(r)
  local copy = {}
  for k, v in pairs(r) do copy[k] = v end
  copy.id = nil
  return copy
end

-- `n` results of `connect(from, target, opts...)`, the random stream restarted first.
local function run(n, from, target, ...)
  seed(5)
  local out = {}
  for i = 1, n do
    local r, why = connect(from, target, ...)
    out[i] = r and withoutID(r) or why
  end
  return out
end

test("a repeated connect gives the results of the same calls made with an options table", function()
  local target = lab()
  -- An options table takes the full path (arguments read, rules walked or replayed).
  local reference = run(60, "client", target, {})
  local repeated = run(60, "client", target)
  assertEqual(repeated, reference)
  local pods = {}
  for _, r in ipairs(repeated) do pods[r.pod] = true end
  assert(pods["web-1"] and pods["web-2"] and pods["web-3"], "every backend answers")
end)

test("repeated results carry fresh ids, fresh source ports and their own tables", function()
  local target = lab()
  local a = assert(connect("client", target))
  local b = assert(connect("client", target))
  local c = assert(connect("client", target))
  assertEqual(b.id, a.id + 1)
  assertEqual(c.id, b.id + 1)
  assert(b.hops[1]:match("^%[node%-3%] pod default/client 10%.244%.%d+%.%d+:%d+ %-> " .. target:gsub("%.", "%%.") .. "/TCP$"), b.hops[1])
  b.hops[2] = "changed"
  b.pod = "changed"
  local d = assert(connect("client", target))
  assert(d.hops[2] ~= "changed" and d.pod ~= "changed", "a result is a new table")
  assertEqual(type(d.kept), "boolean")
  assertEqual(d.kept, false)
end)

test("a backend removed between calls is never picked again", function()
  local target = lab()
  for _ = 1, 20 do assert(connect("client", target)) end
  deletePod("web-2", { grace = 0 })
  for _ = 1, 60 do
    local r = assert(connect("client", target))
    assert(r.pod ~= "web-2", "picked a deleted pod")
  end
end)

test("a backend that stops being ready is left out at once", function()
  local target = lab()
  for _ = 1, 20 do assert(connect("client", target)) end
  setPodReady("web-1", false)
  for _ = 1, 60 do
    assert(assert(connect("client", target)).pod ~= "web-1", "picked an unready pod")
  end
end)

test("a proxy mode change shows in the next result's hops", function()
  local target = lab()
  local before = assert(connect("client", target))
  assert(before.hops[2]:find("kube-proxy (iptables)", 1, true), before.hops[2])
  setProxyMode("nftables")
  local after = assert(connect("client", target))
  assert(after.hops[2]:find("kube-proxy (nftables)", 1, true), after.hops[2])
end)

test("a pod network change shows in the next cross-node hop", function()
  local target = lab()
  deletePod("web-3", { grace = 0 })
  for _ = 1, 10 do assert(connect("client", target)) end
  setPodNetwork("VXLAN")
  local r = assert(connect("client", target))
  assert(table.concat(r.hops, "\n"):find("vxlan", 1, true), table.concat(r.hops, "\n"))
end)

test("the same pod name means another pod in another namespace", function()
  local target = lab()
  assertEqual(assert(connect("client", target)).sourceIP, getPod("client").ip)
  createNamespace("other")
  useNamespace("other")
  assertError(function() connect("client", target) end, 'pods "client" not found')
  local other = addPod("client", { node = "node-1" })
  assertEqual(assert(connect("client", target)).sourceIP, other.ip)
  useNamespace("default")
  assertEqual(assert(connect("client", target)).sourceIP, getPod("client").ip)
end)

test("a deleted sender is an error every time", function()
  local target = lab()
  assert(connect("client", target))
  deletePod("client", { grace = 0 })
  assertError(function() connect("client", target) end, 'pods "client" not found')
  assertError(function() connect("client", target) end, 'pods "client" not found')
end)

test("a backend refusing the port is refused the same way each time it is picked", function()
  reset {}
  seed(3)
  addPod("web-1", { node = "node-1", labels = { app = "web" }, ports = { { name = "http", containerPort = 9090 } } })
  addPod("client", { node = "node-2" })
  local target = webService("web").clusterIP .. ":80"
  local first, why = connect("client", target)
  assertEqual(first, nil)
  assertEqual(word(why), "refused")
  for _ = 1, 5 do
    local r, again = connect("client", target)
    assertEqual(r, nil)
    assertEqual(again, why)
  end
end)

-- One session of random changes and connections, run twice from the same seed: once with
-- repeated two-argument calls (shortcuts, plans, templates), once with an options table on
-- every call (arguments read each time). Every result must be the same.
local function session(withOptions)
  reset {}
  seed(99)
  createDeployment("web", { replicas = 4, labels = { app = "web" },
    ports = { { name = "http", containerPort = 8080 } } })
  local target = webService("web").clusterIP .. ":80"
  addPod("client", { node = "node-1" })
  addPod("other", { node = "node-2" })
  local out = {}
  local steps = { "connect", "connect", "connect", "connect", "scale", "ready", "mode", "network" }
  local rng = 12345
  local function roll(n)
    rng = (rng * 1103515245 + 12345) % 2147483648
    return rng % n + 1
  end
  local modes, networks = { "iptables", "nftables", "ipvs" }, { "IPIP", "VXLAN", "BGP" }
  for i = 1, 400 do
    local step = steps[roll(#steps)]
    if step == "connect" then
      local from = roll(2) == 1 and "client" or "other"
      local r, why
      if withOptions then r, why = connect(from, target, {}) else r, why = connect(from, target) end
      out[#out + 1] = r and withoutID(r) or why
    elseif step == "scale" then
      scale("web", roll(6) - 1)
    elseif step == "ready" then
      local names = {}
      for _, p in ipairs(pods { selector = { app = "web" } }) do names[#names + 1] = p.name end
      table.sort(names)
      if #names > 0 then setPodReady(names[roll(#names)], roll(2) == 1) end
    elseif step == "mode" then
      setProxyMode(modes[roll(#modes)])
    else
      setPodNetwork(networks[roll(#networks)])
    end
    if i % 50 == 0 then advance(40) end
  end
  return out
end

test("a random session gives the same results with and without the repeat shortcuts", function()
  local fast = session(false)
  local full = session(true)
  assertEqual(#fast, #full)
  assertEqual(fast, full)
end)
