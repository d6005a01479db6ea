-- Helpers shared by the traffic test files (Tests/lua/traffic*.lua), loaded with dofile.
-- Kept outside Tests/lua so that `svclab test` does not run it as a test file.

local M = {}

-- A backend pod of `app` (default "web") on `node`, listening on 8080/TCP as "http".
function M.backend(name, node, app)
  return addPod(name, { node = node, labels = { app = app or "web" },
    ports = { { name = "http", containerPort = 8080 } } })
end

-- A Service in front of the "web" pods (port 80 → 8080, named "http") unless `spec` says otherwise.
function M.webService(name, spec)
  spec = spec or {}
  spec.selector = spec.selector or { app = "web" }
  spec.ports = spec.ports or { { name = "http", port = 80, targetPort = 8080 } }
  return createService(name, spec)
end

-- The first word of a `connect` failure reason (refused, dropped, unresolved, unreachable).
function M.word(reason) return reason and reason:match("^(%a+):") end

return M
