-- The wire table test (Scripts/test-wire.sh): builds a lab, serves it with serveDNS on a free
-- loopback port, writes what `resolve` answers for every record kind, and has
-- Tests/wire/compare.py ask the same questions with dig and dnspython over UDP and TCP and
-- compare the decoded replies field by field. Exits with compare.py's status.
local out = assert(arg[1], "usage: svclab Tests/wire/table.lua OUTDIR")

createService("web", { selector = { app = "web" }, ports = { { name = "http", port = 80 } } })
for i = 1, 2 do
  addPod("web-" .. i, { labels = { app = "web" }, node = "node-1", ip = "10.244.0." .. (10 + i) })
end
createService("db", { clusterIP = "None", selector = { app = "db" }, ports = { { name = "pg", port = 5432 } } })
addPod("db-0", { labels = { app = "db" }, hostname = "db-0", subdomain = "db", node = "node-1", ip = "10.244.0.50" })
addPod("db-1", { labels = { app = "db" }, hostname = "db-1", subdomain = "db", node = "node-2", ip = "10.244.1.50" })
-- A headless Service whose A answer (60 records) cannot fit in 512 bytes.
createService("big", { clusterIP = "None", selector = { app = "big" }, ports = { { name = "http", port = 80 } } })
for i = 1, 60 do
  addPod("big-" .. i, { labels = { app = "big" }, node = "node-" .. (1 + i % 3), ip = "10.244." .. (i % 3) .. "." .. (100 + i) })
end
createService("ext", { type = "ExternalName", externalName = "example.com" })
addExternalRecord("example.com", "A", "93.184.216.34")
addExternalRecord("example.com", "TXT", '"v=spf1 -all"')

local webIP = resolve("web.default.svc.cluster.local.").addresses[1]
local a, b, c, d = webIP:match("(%d+)%.(%d+)%.(%d+)%.(%d+)")
local reverse = d .. "." .. c .. "." .. b .. "." .. a .. ".in-addr.arpa."

local cases = {
  { "web.default.svc.cluster.local.", "A" },
  { "WEB.Default.svc.cluster.local.", "A" },
  { "web.default.svc.cluster.local.", "AAAA" },
  { "_http._tcp.web.default.svc.cluster.local.", "SRV" },
  { "_pg._tcp.db.default.svc.cluster.local.", "SRV" },
  { "db.default.svc.cluster.local.", "A" },
  { "db-0.db.default.svc.cluster.local.", "A" },
  { reverse, "PTR" },
  { "ext.default.svc.cluster.local.", "CNAME" },
  { "ext.default.svc.cluster.local.", "A" },
  { "cluster.local.", "NS" },
  { "cluster.local.", "SOA" },
  { "nothere.default.svc.cluster.local.", "A" },
  { "web.default.svc.cluster.local.", "TXT" },
  { "dns-version.cluster.local.", "TXT" },
  { "example.com.", "A" },
  { "example.com.", "TXT" },
  { "big.default.svc.cluster.local.", "A" },
}

local f = assert(io.open(out .. "/expected.txt", "w"))
for _, case in ipairs(cases) do
  local r = resolve(case[1], case[2])
  f:write(("CASE %s %s\n"):format(case[1], case[2]))
  f:write(("RCODE %s\n"):format(r.rcode))
  local fl = r.flags
  local function bit(x) return x and "1" or "0" end
  f:write(("FLAGS aa=%s tc=%s rd=%s ra=%s\n"):format(bit(fl.aa), bit(fl.tc), bit(fl.rd), bit(fl.ra)))
  for _, section in ipairs({ "answer", "authority", "additional" }) do
    for _, rr in ipairs(r[section]) do
      f:write(("RR %s %s %d %s %s\n"):format(section, rr.name, rr.ttl, rr.type, rr.data))
    end
  end
  f:write("END\n")
end
f:close()

local server = serveDNS{ listen = { "127.0.0.1:0" } }
local port = server.addresses[1]:match(":(%d+)$")
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local ok = os.execute(("python3 %s/compare.py %s %s/expected.txt"):format(here, port, out))
-- Every change is visible to the next query: a Service created, then deleted, while serving.
local function digShort(name)
  local p = io.popen(("dig @127.0.0.1 -p %s +short +tries=1 +time=3 %s"):format(port, name))
  local text = p:read("a")
  p:close()
  return (text:gsub("%s+$", ""))
end
createService("late", { selector = { app = "web" }, ports = { { port = 80 } } })
local lateIP = resolve("late.default.svc.cluster.local.").addresses[1]
local seenLate = digShort("late.default.svc.cluster.local") == lateIP
deleteService("late")
local goneLate = digShort("late.default.svc.cluster.local") == ""
print(("change visible to the next query: created %s, deleted %s"):format(tostring(seenLate), tostring(goneLate)))
ok = ok and seenLate and goneLate

-- The log saw every query the two clients sent, with the case they sent it in.
local log = dnsLog()
local seen = {}
for _, e in ipairs(log) do seen[e.name .. " " .. e.type .. " " .. e.transport] = true end
local logOK = seen["WEB.Default.svc.cluster.local. A udp"] and seen["big.default.svc.cluster.local. A tcp"]
print(("dnsLog: %d entries, mixed case and TCP logged: %s"):format(#log, tostring(logOK)))
local stats = server:stats()
print(("stats: udp %d, tcp %d, truncated %d"):format(stats.udpQueries, stats.tcpQueries, stats.truncated))
server:stop()
assert(not server:stats().running)
os.exit((ok and logOK and stats.truncated > 0) and 0 or 1)
