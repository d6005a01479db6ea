-- The lab of the resolver tests (Tests/wire/netns.sh): Services web, db (headless) and an
-- ExternalName, and the pod "client" in namespace default whose resolv.conf and /etc/hosts
-- the namespace gets. Deterministic, so that every run builds the same lab.
createService("web", { selector = { app = "web" }, ports = { { name = "http", port = 80 } } })
addPod("web-1", { labels = { app = "web" }, node = "node-1", ip = "10.244.0.11" })
createService("db", { clusterIP = "None", selector = { app = "db" }, ports = { { name = "pg", port = 5432 } } })
addPod("db-0", { labels = { app = "db" }, hostname = "db-0", subdomain = "db", node = "node-1", ip = "10.244.0.50" })
createService("ext", { type = "ExternalName", externalName = "example.com" })
addExternalRecord("example.com", "A", "93.184.216.34")
addPod("client", { node = "node-2", ip = "10.244.1.20" })
-- A pod whose dnsConfig puts the root in its search list.
addPod("dotted", { node = "node-2", ip = "10.244.1.21", dnsConfig = { searches = { "." } } })
