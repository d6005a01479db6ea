-- The lab against the Linux kernel: the cluster is built in network namespaces with
-- materialize(), and for every case the kernel's outcome over N real connections (the set
-- of backends reached with the source address each one saw, or refused / timed out)
-- must equal what trace() says over N simulated ones; and every iptables chain the
-- traces name must have counted packets on its node. Run by Scripts/test-kernel.sh as
-- root (it skips elsewhere); every name is under SVCLAB_NETNS_PREFIX.

local N = tonumber(os.getenv("SVCLAB_KERNEL_CONNECTIONS") or "24")
local prefix = os.getenv("SVCLAB_NETNS_PREFIX") or "svl-"

local function sh(cmd)
  local f = assert(io.popen(cmd .. " 2>&1"))
  local out = f:read("a")
  f:close()
  return out
end

-- Packets counted per chain (nat and filter summed) on one node.
local function counters(node)
  local t = {}
  for pk, chain in sh("ip netns exec " .. prefix .. node .. " iptables-save -c"):gmatch("%[(%d+):%d+%] %-A (%S+)") do
    t[chain] = (t[chain] or 0) + tonumber(pk)
  end
  return t
end

local function zero()
  for _, n in ipairs(nodes()) do
    sh("ip netns exec " .. prefix .. n.name .. " iptables -t nat -Z; ip netns exec " .. prefix .. n.name .. " iptables -t filter -Z")
  end
end

-- The client's experience: a refusal, or no answer (DROP and "no host" both time out).
local function word(reason)
  if reason:match("^refused") then return "refused" end
  return "timed out"
end

-- One case: lab and kernel outcomes over n connections each; `one` compares only how many
-- backends were reached (session affinity: one each, but which one is random on both).
local function compare(from, target, opts, n, one, entry)
  n = n or N
  local lab, chains = {}, {}
  local taken, tries = 0, 0
  while taken < n and tries < 20 * n do
    tries = tries + 1
    local t = trace(from, target, opts)
    -- The underlay routes a load-balancer IP to one node; the lab's cloud spreads over all.
    if entry and t.ok and t.result.entryNode ~= entry then goto continue end
    taken = taken + 1
    if t.ok then
      lab[(t.result.pod or t.result.podIP) .. " saw " .. t.result.sourceIP] = true
      for _, s in ipairs(t.steps) do
        -- With session affinity the lab and the kernel each stick to their own random pick.
        local sep = s.chain and s.chain:match("^KUBE%-SEP%-")
        local ours = s.chain and (s.chain:match("^KUBE%-") or s.chain:match("^cali%-"))
        if s.node and ours and not (one and sep) then
          chains[s.node .. " " .. s.chain] = true
        end
      end
    else
      lab[word(t.reason)] = true
    end
    ::continue::
  end
  zero()
  local kernel = {}
  for _, r in ipairs(kernelConnections(from, target, n, opts)) do
    kernel[r.pod and (r.pod .. " saw " .. r.sourceIP) or (r.reason == "unreachable" and "timed out" or r.reason)] = true
  end
  if one then
    local function count(t) local k = 0 for _ in pairs(t) do k = k + 1 end return k end
    assertEqual(count(kernel), count(lab))
  else
    assertEqual(kernel, lab)
  end
  local seen = {}
  for key in pairs(chains) do
    local node, chain = key:match("^(%S+) (%S+)$")
    seen[node] = seen[node] or counters(node)
    assert((seen[node][chain] or 0) > 0, "the kernel's " .. chain .. " on " .. node .. " counted no packet")
  end
  return lab
end

local function ip(node) return getNode(node).ip end

reset { nodes = 3, podNetwork = "BGP" }
seed(15)
local function backend(name, node, app)
  addPod(name, { node = node, labels = { app = app },
    ports = { { name = "http", containerPort = 8080 }, { name = "dns", containerPort = 5353, protocol = "UDP" } } })
end
backend("web-1", "node-1", "web")
backend("web-2", "node-2", "web")
backend("web-3", "node-3", "web")
backend("api-1", "node-3", "api")
addPod("client", { node = "node-1", labels = { app = "client" } })
addPod("client-2", { node = "node-2", labels = { app = "client" } })
local http = { { name = "http", port = 80, targetPort = 8080 } }
createService("web", { selector = { app = "web" }, ports = {
  { name = "http", port = 80, targetPort = 8080 }, { name = "dns", port = 53, targetPort = 5353, protocol = "UDP" } } })
local np = createService("web-np", { type = "NodePort", selector = { app = "web" }, ports = http })
local npl = createService("api-local", { type = "NodePort", externalTrafficPolicy = "Local", selector = { app = "api" }, ports = http })
local lb = createService("web-lb", { type = "LoadBalancer", selector = { app = "web" }, ports = http })
createService("empty", { selector = { app = "none" }, ports = {
  { name = "http", port = 80, targetPort = 8080 }, { name = "dns", port = 53, targetPort = 5353, protocol = "UDP" } } })
createService("sticky", { selector = { app = "web" }, sessionAffinity = "ClientIP", ports = http })
createService("named", { selector = { app = "web" }, ports = { { name = "http", port = 80, targetPort = "http" } } })
createDeployment("old", { replicas = 1, labels = { app = "old" }, ports = { { name = "http", containerPort = 8080 } } })
createService("old", { selector = { app = "old" }, ports = http })
addPod("host-web", { node = "node-2", hostNetwork = true, labels = { app = "host-web" },
  ports = { { name = "http", containerPort = 9090 } } })
createService("host-web", { selector = { app = "host-web" }, ports = { { name = "http", port = 80, targetPort = 9090 } } })

-- For the resolver cases: a headless Service and an ExternalName (its target answered by
-- the lab's forwarder).
createService("web-headless", { clusterIP = "None", selector = { app = "web" }, ports = http })
createService("ext", { type = "ExternalName", externalName = "example.com" })
addExternalRecord("example.com", "A", "93.184.216.34")

local function nodePort(svc) return svc.ports[1].nodePort end

local ok, lines = pcall(materialize)
if not ok then
  skip("the lab on the kernel", tostring(lines))
  return
end
for _, l in ipairs(lines) do print("# " .. l) end

test("each pod namespace's resolv.conf is resolvConf(pod)", function()
  for _, p in ipairs(pods({ allNamespaces = true })) do
    if not p.hostNetwork then
      local f = assert(io.open("/etc/netns/" .. prefix .. p.namespace .. "." .. p.name .. "/resolv.conf"))
      assertEqual(f:read("a"), resolvConf(p.namespace .. "/" .. p.name))
      f:close()
    end
  end
end)

-- glibc's getaddrinfo (`getent ahosts`) in a pod's namespace, whose resolv.conf is the
-- pod's: the query goes to the kube-dns ClusterIP, through the node's real DNAT, to a CoreDNS
-- pod's namespace where the wire server answers from the lab's engine. The addresses must be
-- resolve()'s, and the servers' query log must be resolve(name, {resolver = "glibc"}).queries
-- name by name, from the client address connect() says a CoreDNS pod sees. glibc's
-- AI_ADDRCONFIG asks AAAA only when the namespace has an IPv6 address other than ::1 (the
-- veth's link-local fe80:: counts, as glibc 2.36 shows here); resolve() lists A and AAAA.
local function getent(pod, name)
  local ns = prefix .. "default." .. pod
  local v6 = false
  for addr in sh("ip -n " .. ns .. " -6 -o addr show"):gmatch("inet6 (%S+)") do
    if addr ~= "::1/128" then v6 = true end
  end
  dnsLog{ clear = true }
  local out = sh("timeout 30 ip netns exec " .. ns .. " getent ahosts '" .. name .. "'; echo \"exit=$?\"")
  local status = tonumber(out:match("exit=(%d+)%s*$"))
  local got = {}
  for addr in out:gmatch("(%S+)%s+STREAM") do got[#got + 1] = addr end
  table.sort(got)
  local log = dnsLog()
  local r = resolve(name, { from = pod })
  local want = {}
  for _, a in ipairs(r.addresses) do want[#want + 1] = a end
  table.sort(want)
  assertEqual(got, want)
  assertEqual(status == 0, #want > 0)
  local walk = {}
  for _, q in ipairs(resolve(name, { from = pod, resolver = "glibc" }).queries) do
    if v6 or q.type ~= "AAAA" then walk[#walk + 1] = q.type .. " " .. q.name end
  end
  local seen = {}
  local nameserver = resolvConf(pod):match("nameserver (%S+)")
  local c = connect(pod, nameserver .. ":53", { protocol = "UDP" })
  for _, e in ipairs(log) do
    seen[#seen + 1] = e.type .. " " .. e.name
    assertEqual(e.client:match("^(.*):%d+$"), c.sourceIP)
  end
  assertEqual(table.concat(seen, ", "), table.concat(walk, ", "))
  assert(#seen > 0, "the lab's CoreDNS received no query for " .. name)
end

local function dnsCases(label)
  for _, pod in ipairs({ "client", "client-2" }) do
    for _, name in ipairs({ "web", "web-headless", "ext", "nothere", "kube-dns.kube-system" }) do
      test(label .. ": getent ahosts " .. name .. " from " .. pod .. " through the kube-dns ClusterIP", function()
        getent(pod, name)
      end)
    end
  end
end

local function cases(label)
  dnsCases(label)
  test(label .. ": ClusterIP across nodes (TCP)", function() compare("client", "web:80") end)
  test(label .. ": ClusterIP (UDP)", function() compare("client", "web:53", { protocol = "UDP" }) end)
  test(label .. ": NodePort, externalTrafficPolicy Cluster, from outside", function()
    compare({ external = "203.0.113.7" }, ip("node-2") .. ":" .. nodePort(np)) end)
  test(label .. ": NodePort from a node", function() compare({ node = "node-2" }, ip("node-1") .. ":" .. nodePort(np)) end)
  test(label .. ": NodePort from a pod", function() compare("client", ip("node-2") .. ":" .. nodePort(np)) end)
  test(label .. ": NodePort via 127.0.0.1", function() compare({ node = "node-1" }, "127.0.0.1:" .. nodePort(np)) end)
  test(label .. ": NodePort, externalTrafficPolicy Local, on the endpoint's node", function()
    compare({ external = "203.0.113.7" }, ip("node-3") .. ":" .. nodePort(npl)) end)
  test(label .. ": NodePort, externalTrafficPolicy Local, on a node without endpoints", function()
    compare({ external = "203.0.113.7" }, ip("node-1") .. ":" .. nodePort(npl), nil, 1) end)
  test(label .. ": NodePort, externalTrafficPolicy Local, from a pod on a node without endpoints", function()
    compare("client", ip("node-1") .. ":" .. nodePort(npl)) end)
  test(label .. ": NodePort, externalTrafficPolicy Local, from that node", function()
    compare({ node = "node-1" }, ip("node-1") .. ":" .. nodePort(npl)) end)
  test(label .. ": NodePort, externalTrafficPolicy Local, via 127.0.0.1", function()
    compare({ node = "node-1" }, "127.0.0.1:" .. nodePort(npl)) end)
  test(label .. ": LoadBalancer from an external client", function()
    compare({ external = "203.0.113.7" }, lb.loadBalancerIngress[1] .. ":80", nil, nil, false, "node-1") end)
  test(label .. ": no endpoints (TCP)", function() compare("client", "empty:80", nil, 1) end)
  test(label .. ": no endpoints (UDP)", function() compare("client", "empty:53", { protocol = "UDP" }, 1) end)
  test(label .. ": session affinity", function() compare("client", "sticky:80", nil, 8, true) end)
  test(label .. ": hairpin", function() compare("web-1", "web:80") end)
  test(label .. ": named targetPort", function() compare("client-2", "named:80") end)
  test(label .. ": the kubernetes Service from the API server's node", function() compare("client", "kubernetes:443") end)
  test(label .. ": the kubernetes Service from another node", function() compare("client-2", "kubernetes:443") end)
  test(label .. ": a hostNetwork backend on another node", function() compare("client", "host-web:80") end)
  test(label .. ": a hostNetwork backend on the client's node", function() compare("client-2", "host-web:80") end)
  test(label .. ": a hostNetwork backend from a node", function() compare({ node = "node-1" }, getService("host-web").clusterIP .. ":80") end)
  test(label .. ": a node address where nothing listens", function() compare("client", ip("node-2") .. ":9999", nil, 1) end)
  -- A pod's own address: the pod's loopback, inside its namespace.
  test(label .. ": a pod to its own 127.0.0.1", function() compare("web-1", "127.0.0.1:8080") end)
  test(label .. ": a pod to its own pod IP", function()
    compare("web-1", getPod("web-1").ip .. ":8080") end)
  test(label .. ": a pod to its own 127.0.0.1 where it does not listen", function()
    compare("web-1", "127.0.0.1:9999", nil, 1) end)
end

cases("BGP, iptables")

test("a terminating endpoint leaves the kernel's rules as it leaves the lab's", function()
  local pod = endpoints("old")[1].pod
  deletePod(pod, { grace = 30 })
  compare("client", "old:80")
end)

test("after a change the kernel follows (scale, delete)", function()
  deletePod("web-3", { grace = 0 })
  compare("client", "web:80")
end)

setPodNetwork("VXLAN")
cases("VXLAN, iptables")

setPodNetwork("IPIP")
local notes = materialize()
local skipped
for _, l in ipairs(notes) do if l:match("^IP%-in%-IP skipped") then skipped = l end end
if skipped then skip("IP-in-IP, iptables", skipped) else cases("IPIP, iptables") end

setPodNetwork("BGP")
setProxyMode("nftables")
local nft
for _, l in ipairs(materialize()) do if l:match("^nftables mode") then nft = l end end
if nft then skip("BGP, nftables", nft) else cases("BGP, nftables") end

teardown()
