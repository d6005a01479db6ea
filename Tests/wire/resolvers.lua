-- Run inside a network namespace whose /etc/resolv.conf and /etc/hosts are the client pod's
-- (Tests/wire/netns.sh): serves the lab on the kube-dns ClusterIP, resolves each name with a
-- real C library (arg[1] = "glibc" or "musl", arg[2] = the command, "%s" for the name) and
-- checks that the server's query log equals resolve(name, {from = pod, resolver = ...}).queries
-- name by name and type by type, and that the lookup succeeds exactly when resolve finds
-- addresses.
local flavor, command, pod = arg[1], arg[2], arg[3] or "client"
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
dofile(here .. "/podlab.lua")
local nameserver = resolvConf(pod):match("nameserver (%S+)")
local server = serveDNS{ listen = { nameserver .. ":53" } }

local passed, failed = 0, 0
local function check(label, ok, detail)
  if ok then
    passed = passed + 1
    print("ok    " .. label)
  else
    failed = failed + 1
    print("FAIL  " .. label .. (detail and ("\n      " .. detail) or ""))
  end
end

local names = pod ~= "client" and { "web", "web.default.svc.cluster.local", "example.com", "nothere" } or {
  "web", "web.default", "web.default.svc", "web.default.svc.cluster.local",
  "web.default.svc.cluster.local.", "db-0.db", "ext", "nothere", "example.com", "example.com.",
  "localhost", "client", "web..", "..", "a.b.c.d.e.f",
  -- 242 characters: every search candidate is too long to send.
  string.rep("x", 63) .. "." .. string.rep("y", 63) .. "." .. string.rep("z", 63) .. "." .. string.rep("q", 50),
}

for _, name in ipairs(names) do
  dnsLog{ clear = true }
  local p = io.popen(command:format("'" .. name .. "'") .. " 2>&1; echo \"exit=$?\"")
  local output = p:read("a")
  p:close()
  local status = tonumber(output:match("exit=(%d+)%s*$"))
  local log = dnsLog()
  local got = {}
  for _, e in ipairs(log) do got[#got + 1] = e.type .. " " .. e.name end
  local ok, r = pcall(resolve, name, { from = pod, resolver = flavor })
  local want = {}
  if ok then
    for _, q in ipairs(r.queries) do
      -- A query whose name cannot be read (musl 1.2.3's `name..`) is logged without name or type.
      want[#want + 1] = q.name:find("..", 1, true) and " " or (q.type .. " " .. q.name)
    end
  else
    -- Refused before any query, in the library's words (shown by the musl program).
    print("      resolve refused it: " .. tostring(r))
    r = { addresses = {} }
  end
  local gotText, wantText = table.concat(got, ", "), table.concat(want, ", ")
  check(("%s %s %q: queries"):format(flavor, pod, name), gotText == wantText,
    "server saw: " .. gotText .. "\n      resolve:    " .. wantText)
  local found = #r.addresses > 0
  check(("%s %s %q: found=%s"):format(flavor, pod, name, tostring(found)), (status == 0) == found,
    "exit status " .. tostring(status) .. ": " .. output:gsub("\n", " | "))
end
server:stop()
print(("%d passed, %d failed"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
