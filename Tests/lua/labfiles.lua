-- saveLab / loadLab: a saved lab comes back with the same objects, names, addresses,
-- settings, clock and random stream, even when traffic drew random numbers in between.

local function state()
  local out = {}
  for _, p in ipairs(pods({ namespace = "default" })) do
    out[#out + 1] = p.name .. "=" .. tostring(p.ip) .. "@" .. tostring(p.node)
  end
  for _, s in ipairs(services()) do
    out[#out + 1] = s.namespace .. "/" .. s.name .. "=" .. tostring(s.clusterIP)
      .. ":" .. tostring(s.ports[1] and s.ports[1].nodePort)
  end
  table.sort(out)
  return out
end

local function path(name) return os.tmpname() .. "-" .. name .. ".lua" end

local function build()
  reset {}
  createDeployment("web", { replicas = 3, ports = { { containerPort = 80 } } })
  createService("web", { selector = { app = "web" }, ports = { { port = 80 } } })
  addPod("client", { node = "node-2" })
  for _ = 1, 5 do connect("client", "web:80") end
  createDeployment("api", { replicas = 2 })
  createService("api", { type = "NodePort", selector = { app = "api" }, ports = { { port = 8080 } } })
  advance(42)
  dnsConfig { ttl = 7 }
end

test("a loaded lab has the same objects, clock and settings", function()
  build()
  local before, clock = state(), now()
  local file = path("same")
  saveLab(file)
  reset {}
  assertEqual(#pods({ namespace = "default" }), 0)
  loadLab(file)
  assertEqual(state(), before)
  assertEqual(now(), clock)
  assertEqual(dnsConfig().ttl, 7)
  os.remove(file)
end)

test("the random stream continues where it was saved", function()
  build()
  local file = path("random")
  saveLab(file)
  local nextPods = {}
  for i = 1, 5 do nextPods[i] = connect("client", "web:80").pod end
  loadLab(file)
  for i = 1, 5 do assertEqual(connect("client", "web:80").pod, nextPods[i], "connection " .. i) end
  os.remove(file)
end)

test("a lab file keeps the manifests apply read, not their paths", function()
  local manifest = path("manifest")
  local f = assert(io.open(manifest, "w"))
  f:write("apiVersion: v1\nkind: Service\nmetadata:\n  name: from-file\nspec:\n  ports:\n  - port: 80\n")
  f:close()
  apply(manifest)
  local ip = getService("from-file").clusterIP
  local file = path("apply")
  saveLab(file)
  os.remove(manifest)
  reset {}
  loadLab(file)
  assertEqual(getService("from-file").clusterIP, ip)
  os.remove(file)
end)

test("a failed call is not recorded", function()
  assertError(function() createService("bad", { ports = { { port = 0 } } }) end, "is invalid")
  local file = path("failed")
  saveLab(file)
  local text = assert(io.open(file)):read("a")
  assertEqual(text:find('"bad"', 1, true), nil)
  os.remove(file)
end)

test("loading a file that is not a lab file changes nothing", function()
  build()
  local before = state()
  local file = path("bogus")
  local f = assert(io.open(file, "w"))
  f:write("return { hello = 1 }")
  f:close()
  assertError(function() loadLab(file) end, "not a lab file saved by saveLab")
  assertError(function() loadLab(file .. ".missing") end, "cannot open")
  assertEqual(state(), before)
  os.remove(file)
end)
