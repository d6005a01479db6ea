--- On the real kernel
--
-- Everything so far was the lab's word. `materialize()` builds the same cluster
-- on this machine's Linux kernel: a network namespace per node and per pod,
-- wired the way Calico wires them, each node's kube-proxy rules loaded with
-- `iptables-restore` exactly as `iptablesSave` prints them, and a small
-- responder on every container port that answers with its pod's name and the
-- address it saw. Then real packets cross real rules, and the kernel's own
-- tools show what happened. It needs root; without it each step is skipped.

local onKernel, why = kernelSupport()
local prefix = os.getenv("SVCLAB_NETNS_PREFIX") or "svl-"

-- Runs a command and returns what it printed.
local function sh(cmd)
  local f = io.popen(cmd .. " 2>&1")
  if not f then return "" end
  local out = f:read("a")
  f:close()
  return out
end

local function step(name, fn)
  if onKernel then test(name, fn) else skip(name, why) end
end

--- step: A small lab, brought up
-- Two nodes, two backends behind a Service, one client. `materialize()` returns
-- the lines about anything this kernel could not build. `ip netns list` shows
-- the namespaces, every name starting with `svl-`.
step("A small lab, brought up", function()
  reset { nodes = 2, podNetwork = "BGP" }
  seed(9)
  for i, node in ipairs({ "node-1", "node-2" }) do
    addPod("web-" .. i, { node = node, labels = { app = "web" },
      ports = { { name = "http", containerPort = 8080 } } })
  end
  addPod("client", { node = "node-1" })
  createService("web", { selector = { app = "web" },
    ports = { { name = "http", port = 80, targetPort = "http" } } })
  materialize()
  local list = sh("ip netns list")
  --- check
  assert(list:find(prefix .. "node-1", 1, true), list)
  assert(list:find(prefix .. "default.client", 1, true), list)
  --- end
  return list
end)

--- step: A real connection
-- `kernelConnect` takes the same arguments as `connect`, but opens a real TCP
-- connection from the client's namespace. The responder names its pod and the
-- source address it saw: the client's own, as the lab says (no SNAT).
step("A real connection", function()
  local real = kernelConnect("client", "web:80")
  local lab = connect("client", "web:80")
  --- check
  assertEqual(real.sourceIP, lab.sourceIP)
  assert(real.pod == "web-1" or real.pod == "web-2", real.pod)
  --- end
  return "kernel: " .. real.pod .. " saw " .. real.sourceIP .. "\nlab:    " .. lab.pod .. " saw " .. lab.sourceIP
end)

--- step: The DNAT in conntrack
-- The client's node rewrote the destination. Its connection tracking table
-- keeps both directions: the original (to the ClusterIP, port 80) and the reply
-- (from the pod's address, port 8080), which is how the answer is turned back.
step("The DNAT in conntrack", function()
  kernelConnect("client", "web:80")
  local out = sh("ip netns exec " .. prefix .. "node-1 conntrack -L -p tcp")
  --- check
  assert(out:find("dst=" .. getService("web").clusterIP .. " sport=", 1, true), out)
  assert(out:find("sport=8080 dport=", 1, true), out)
  --- end
  return out
end)

--- step: The rules counted it
-- `iptables -t nat -L -v` on node-1 shows packet counts on kube-proxy's rules:
-- the Service's `KUBE-SVC-…` chain and the `KUBE-SEP-…` chains it picked from.
step("The rules counted it", function()
  local out = sh("ip netns exec " .. prefix .. "node-1 iptables -t nat -L KUBE-SERVICES -v -n")
  --- check
  local line = assert(out:match("[^\n]*default/web:http cluster IP[^\n]*"), out)
  local counted = tonumber(line:match("^%s*(%d+)"))
  assert(counted and counted > 0, out)
  --- end
  return out
end)

--- step: A name, resolved through the real DNAT
-- The CoreDNS pods are on the kernel too: in each one's namespace the lab's
-- CoreDNS answers on port 53 (the server of `serveDNS`). The client's
-- resolv.conf (`resolvConf("client")`) names the kube-dns ClusterIP, so glibc's
-- `getent hosts web` inside the client's namespace sends its queries to that
-- ClusterIP; node-1's kube-proxy rules DNAT them to a CoreDNS pod, which answers
-- from the same engine as `resolve`. `dnsLog()` shows what the server received,
-- from the client's own address: `getent hosts` asks for IPv6 first, walking the
-- whole search list with AAAA (the Service has no IPv6 address), then IPv4 (A),
-- found at the first candidate.
step("A name, resolved through the real DNAT", function()
  dnsLog{ clear = true }
  local out = sh("ip netns exec " .. prefix .. "default.client getent hosts web")
  --- check
  assert(out:find(getService("web").clusterIP, 1, true), out)
  --- end
  local lines = {}
  for _, e in ipairs(dnsLog()) do
    lines[#lines + 1] = e.client .. "  " .. e.type .. " " .. e.name .. "  " .. e.rcode
  end
  local log = table.concat(lines, "\n")
  --- check
  assert(log:find("A web.default.svc.cluster.local", 1, true), log)
  --- end
  return out .. "\nthe lab's CoreDNS received:\n" .. log
end)

--- step: Taken down
-- `teardown()` (or `svclab down`, or simply the end of the script) removes every
-- namespace, link, rule and responder it made.
step("Taken down", function()
  teardown()
  local list = sh("ip netns list")
  --- check
  assert(not list:find(prefix .. "node-1", 1, true), list)
  --- end
  return "ip netns list: " .. (list == "" and "(nothing)" or list)
end)
