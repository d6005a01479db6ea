-- Prints a pod's (arg[2], default "client") resolv.conf (arg[1] == "resolv.conf") or
-- /etc/hosts ("hosts").
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
dofile(here .. "/podlab.lua")
local pod = arg[2] or "client"
io.write(arg[1] == "hosts" and hostsFile(pod) or resolvConf(pod))
