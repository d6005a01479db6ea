-- ServiceCIDR objects (networking.k8s.io/v1, GA in 1.33): a new one extends the ClusterIP
-- ranges once the default is full; deleting one that still holds addresses leaves it
-- Terminating (finalizer kept) until its last address is released.

local TERMINATING = "There are still IPAddresses referencing the ServiceCIDR, please remove them or create a new ServiceCIDR"

-- The error `fn` raises must contain `text` (plain text, not a pattern).
local function assertErrorText(fn, text)
  local ok, err = pcall(fn)
  assert(not ok, "expected an error containing " .. text)
  assert(tostring(err):find(text, 1, true), "error was: " .. tostring(err) .. "\nexpected: " .. text)
end

local function svc(name)
  return createService(name, { ports = { { port = 80 } } })
end

-- A /29 has six usable addresses (network and broadcast excluded).
local function full()
  reset{ system = false, serviceCIDR = "10.96.0.0/29" }
  for i = 1, 6 do svc("a" .. i) end
end

test("a full range, then a new ServiceCIDR the next Service draws from", function()
  full()
  assertErrorText(function() svc("b") end,
    "createService: Internal error occurred: failed to allocate a serviceIP: range is full")
  local s = createServiceCIDR("extra", { cidrs = { "10.96.1.0/29" } })
  assertEqual(s.cidrs, { "10.96.1.0/29" })
  assertEqual(s.finalizers, { "networking.k8s.io/service-cidr-finalizer" })
  assertEqual(s.conditions[1].status, "True")
  assertEqual(get("servicecidrs"), [[
NAME         CIDRS          AGE
kubernetes   10.96.0.0/29   0s
extra        10.96.1.0/29   0s
]])
  local b = svc("b")
  assert(b.clusterIP:match("^10%.96%.1%.[1-6]$"), "clusterIP " .. b.clusterIP .. " is not from extra")
  assert(get("ipaddresses"):find(b.clusterIP .. "%s+services/default/b"), get("ipaddresses"))
end)

test("deleting a ServiceCIDR that still holds an address leaves it Terminating until the address goes", function()
  full()
  createServiceCIDR("extra", { cidrs = { "10.96.1.0/29" } })
  svc("b")
  deleteServiceCIDR("extra")
  local s = getServiceCIDR("extra")
  assert(s, "extra went while 10.96.1.x was still allocated from it")
  assertEqual(s.terminating, true)
  assertEqual(s.finalizers, { "networking.k8s.io/service-cidr-finalizer" })
  assertEqual(s.conditions[1], { type = "Ready", status = "False", reason = "Terminating", message = TERMINATING })
  -- a terminating ServiceCIDR gives out no new addresses
  assertErrorText(function() svc("c") end, "failed to allocate a serviceIP: range is full")
  deleteService("b")
  assertEqual(getServiceCIDR("extra"), nil)
  assertEqual(get("servicecidrs"), [[
NAME         CIDRS          AGE
kubernetes   10.96.0.0/29   0s
]])
end)

test("an empty ServiceCIDR, or one whose addresses another covers, goes at once", function()
  full()
  createServiceCIDR("empty", { cidrs = { "10.96.2.0/29" } })
  deleteServiceCIDR("empty")
  assertEqual(getServiceCIDR("empty"), nil)
  -- 10.96.0.0/24 holds the six addresses, but kubernetes covers every one of them
  createServiceCIDR("outer", { cidrs = { "10.96.0.0/24" } })
  deleteServiceCIDR("outer")
  assertEqual(getServiceCIDR("outer"), nil)
end)

test("overlapping ServiceCIDRs share their addresses", function()
  full()
  createServiceCIDR("outer", { cidrs = { "10.96.0.0/28" } })
  local seen = {}
  for i = 1, 8 do
    local ip = svc("o" .. i).clusterIP
    assert(not seen[ip], "address " .. ip .. " handed out twice")
    seen[ip] = true
  end
  assertErrorText(function() svc("o9") end, "range is full")
  assertEqual(checkInvariants(), true)
end)

test("the default kubernetes ServiceCIDR stays Terminating while it holds addresses, and comes back", function()
  full()
  deleteServiceCIDR("kubernetes")
  assertEqual(getServiceCIDR("kubernetes").conditions[1].reason, "Terminating")
  for i = 1, 6 do deleteService("a" .. i) end
  -- the API server's default-ServiceCIDR controller creates it again from its flags
  local k = getServiceCIDR("kubernetes")
  assertEqual(k.terminating, false)
  assertEqual(k.cidrs, { "10.96.0.0/29" })
  assertEqual(k.conditions[1].message, "Kubernetes default Service CIDR is ready")
  svc("again")
end)

test("ServiceCIDR validation in the API server's words", function()
  reset{ system = false }
  assertErrorText(function() createServiceCIDR("two", { cidrs = { "10.0.0.0/24", "10.1.0.0/24" } }) end,
    'createServiceCIDR: ServiceCIDR.networking.k8s.io "two" is invalid: spec.cidrs: Invalid value: ')
  assertErrorText(function() createServiceCIDR("two", { cidrs = { "10.0.0.0/24", "10.1.0.0/24" } }) end,
    "may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64")
  assertErrorText(function() createServiceCIDR("three", { cidrs = { "10.0.0.0/24", "fd00::/64", "10.2.0.0/24" } }) end,
    "may only hold up to 2 values")
  assertErrorText(function() createServiceCIDR("none", { cidrs = {} }) end,
    'spec.cidrs: Required value: at least one CIDR required')
  assertErrorText(function() createServiceCIDR("bad", { cidrs = { "banana" } }) end,
    'Invalid value: "banana": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')
  assertErrorText(function() createServiceCIDR("host", { cidrs = { "10.0.0.5/24" } }) end,
    'Invalid value: "10.0.0.5/24": must be in canonical form ("10.0.0.0/24")')
  assertErrorText(function() createServiceCIDR("Bad_Name", { cidrs = { "10.0.0.0/24" } }) end,
    'ServiceCIDR.networking.k8s.io "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"')
  assertErrorText(function() createServiceCIDR("x", { cidrs = { "10.0.0.0/24" }, cidr = "y" }) end,
    'unknown field "spec.cidr"')
  createServiceCIDR("dual", { cidrs = { "10.0.0.0/24", "fd00::/112" } })
  assertErrorText(function() createServiceCIDR("dual", { cidrs = { "10.1.0.0/24" } }) end,
    'servicecidrs.networking.k8s.io "dual" already exists')
  assertErrorText(function() deleteServiceCIDR("nope") end,
    'deleteServiceCIDR: servicecidrs.networking.k8s.io "nope" not found')
  -- nothing changed by the refused calls
  assertEqual(getServiceCIDR("two"), nil)
  assertEqual(#get("servicecidrs"):gsub("[^\n]", ""), 3)
end)

test("saveLab and loadLab keep ServiceCIDRs and their deletions", function()
  full()
  createServiceCIDR("extra", { cidrs = { "10.96.1.0/29" } })
  svc("b")
  deleteServiceCIDR("extra")
  local path = os.tmpname()
  saveLab(path)
  reset{ system = false }
  loadLab(path)
  os.remove(path)
  assertEqual(getServiceCIDR("extra").terminating, true)
  deleteService("b")
  assertEqual(getServiceCIDR("extra"), nil)
end)
