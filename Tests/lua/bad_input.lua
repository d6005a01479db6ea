-- Bad input across the API: each call fails with a clear error in the contract's format
-- (or, for well-formed lookups, gives the answer CoreDNS would give), and changes nothing.

local function counts() return cluster().counts end

test("replicas beyond int32 fail decoding as the API server's JSON decoder says", function()
  assertError(function() createDeployment("big", { replicas = 3000000000 }) end,
    "createDeployment: json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec%.spec%.replicas of type int32")
  createDeployment("small")
  assertError(function() scale("small", -2147483649) end, "cannot unmarshal number %-2147483649")
end)

test("replica counts the lab cannot hold are refused before anything changes", function()
  local before = counts()
  assertError(function() createDeployment("huge", { replicas = 2147483647 }) end,
    'deployments%.apps "huge" is forbidden: svclab simulates at most 100000 replicas')
  assertEqual(counts(), before)
  assertEqual(getDeployment("huge"), nil)
end)

test("clock arguments must be finite and not negative", function()
  assertError(function() advance(-1) end, "advance: bad argument #1")
  assertError(function() advance(math.huge) end, "advance: bad argument #1")
  assertError(function() advance(0 / 0) end, "advance: bad argument #1")
  assertError(function() advance("soon") end, "advance: bad argument #1 %(number expected, got string%)")
end)

test("names too long to send get FORMERR, odd names NXDOMAIN; an empty label is refused as the resolver refuses it", function()
  assertEqual(resolve(string.rep("a", 300)).rcode, "FORMERR")
  assertEqual(resolve(string.rep("a", 64) .. ".default.svc.cluster.local").rcode, "FORMERR")
  assertError(function() resolve("a..b.cluster.local") end, "resolve: a%.%.b%.cluster%.local: Name or service not known")
  assertError(function() resolve("web..", { resolver = "musl" }) end, "resolve: web%.%.: Name does not resolve")
  assertError(function() dig("..") end, "dig: '%.%.' is not a legal name %(empty label%)")
  assertError(function() dig(string.rep("a", 64)) end, "dig: '" .. string.rep("a", 64) .. "' is not a legal name %(label too long%)")
  assertEqual(resolve("nope.default.svc.cluster.local.", "A").rcode, "NXDOMAIN")
  -- The root, as the forwarder answers it.
  local root = resolve(".", "SOA")
  assertEqual({ root.rcode, root.answer[1].type, root.answer[1].name }, { "NOERROR", "SOA", "." })
  assertEqual(#resolve(".", "NS").answer, 13)
end)

test("wrong argument types and unknown values are errors", function()
  assertError(function() resolve(42) end, "resolve: bad argument #1 %(string expected, got number%)")
  assertError(function() resolve("x.", "BOGUS") end, "resolve: unknown query type 'BOGUS'")
  assertError(function() resolve("x", { resolver = "bionic" }) end, 'unknown resolver "bionic"')
  assertError(function() setProxyMode("userspace") end, 'unknown proxy mode "userspace"')
  assertError(function() setProxyMode("ipvs", { scheduler = "fastest" }) end, 'unknown IPVS scheduler "fastest"')
  assertError(function() connect("nobody", "10.96.0.1:443") end, 'connect: pods "nobody" not found')
  assertError(function() connect({ node = "node-9" }, "10.96.0.1:443") end, 'connect: nodes "node%-9" not found')
  assertError(function() connect({ node = "node-1" }, "10.96.0.1:0") end, "connect: bad argument #2")
  assertError(function() connect({ node = "node-1" }, "10.96.0.1:http") end, 'bad port "http"')
  assertError(function() distribution({ node = "node-1" }, "10.96.0.1:443", 0) end, "distribution: bad argument #3")
end)

test("reset with options that cannot work keeps the old cluster", function()
  createService("keep", { ports = { { port = 80 } } })
  assertError(function() reset { serviceCIDR = "10.0.0.0/8" } end, "mask must be >= 12")
  assertError(function() reset { nodes = 1e9 } end, "reset: opts.nodes")
  assertError(function() reset { podCIDR = "10.0.0.0/33" } end, "reset:")
  assertError(function() reset { nodePortRange = "40000-30000" } end, "reset: invalid port range")
  assertError(function() reset { colour = "blue" } end, 'strict decoding error: unknown field "opts%.colour"')
  assert(getService("keep"), "the old cluster is still there")
end)
