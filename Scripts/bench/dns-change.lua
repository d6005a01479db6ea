-- Scripts/bench-dns.sh's check that a change made while `serveDNS` serves under load reaches
-- the next query: the lab of dns-lab.lua (arg[1] OUT, arg[2] N), served on a free port while
-- dnsperf (arg[3] seconds, pinned to CPU 1) sends its queries; then a Service is created and
-- deleted, and dig must see each change. Prints one line; exits 1 when a change was missed.
local out, seconds = arg[1], tonumber(arg[3] or "5")
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
dofile(here .. "/dns-lab.lua")
local server = serveDNS{ listen = { "127.0.0.1:0" } }
local port = server.addresses[1]:match(":(%d+)$")
os.execute(("taskset -c 1 dnsperf -s 127.0.0.1 -p %s -d %s/queries.txt -l %d -c 4 -Q 1000000 "
  .. ">%s/change-perf.out 2>&1 &"):format(port, out, seconds, out))
os.execute("sleep 1")
-- dig's short answer for the Service "late" (nothing for NXDOMAIN).
local query = ("dig @127.0.0.1 -p %s +short +tries=3 +time=2 late.default.svc.cluster.local")
  :format(port)
createService("late", { selector = { app = "x" }, ports = { { port = 80 } } })
local want = resolve("late.default.svc.cluster.local.").addresses[1]
local got = io.popen(query):read("a"):gsub("%s+$", "")
deleteService("late")
local gone = io.popen(query):read("a"):gsub("%s+$", "")
os.execute(("sleep %d"):format(seconds))
local stats = server:stats()
server:stop()
local ok = got == want and gone == ""
print(("change after start, under load (%d queries answered): created %s (%s), deleted %s")
  :format(stats.replies, got == want and "seen" or "MISSED", got,
    gone == "" and "gone" or "MISSED"))
os.exit(ok and 0 or 1)
