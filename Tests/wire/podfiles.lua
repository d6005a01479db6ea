-- Prints the client pod's resolv.conf (arg[1] == "resolv.conf") or /etc/hosts ("hosts").
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
dofile(here .. "/podlab.lua")
io.write(arg[1] == "hosts" and hostsFile("client") or resolvConf("client"))
