-- apply's field validation, as `kubectl apply --validate`: a field Kubernetes 1.35 does not
-- declare for the kind refuses the document with the API server's strict decoding error
-- (strict, the default), is reported as a warning line (warn), or is dropped (ignore).
-- Refused input changes nothing.

local function applyError(text, opts)
  local ok, err = pcall(apply, text, opts)
  assert(not ok, "apply accepted it")
  return err
end

local function doc(apiVersion, kind, body)
  return "apiVersion: " .. apiVersion .. "\nkind: " .. kind .. "\n" .. body
end

local prefix = 'apply: Error from server (BadRequest): error when creating "STDIN": '

-- One row per kind apply reads: a manifest with misspelt fields, and the unknown fields
-- in the order the API server reports them (JSON keys sorted, depth first).
local kinds = {
  { "Service", doc("v1", "Service", [[
metadata: {name: web}
spec:
  selecter: {app: web}
  ports:
  - port: 80
    targetport: 8080
]]), 'Service in version "v1" cannot be handled as a Service',
    { "spec.ports[0].targetport", "spec.selecter" } },
  { "Pod", doc("v1", "Pod", [[
metadata: {name: p, lables: {app: p}}
spec:
  containers:
  - name: c
    image: nginx
    port: [{containerPort: 80}]
  nodename: node-1
]]), 'Pod in version "v1" cannot be handled as a Pod',
    { "metadata.lables", "spec.containers[0].port", "spec.nodename" } },
  { "Namespace", doc("v1", "Namespace", "metadata: {name: shop}\nspec: {finalisers: [kubernetes]}\n"),
    'Namespace in version "v1" cannot be handled as a Namespace', { "spec.finalisers" } },
  { "Node", doc("v1", "Node", "metadata: {name: node-9}\nspec: {podCidr: 10.244.9.0/24}\n"),
    'Node in version "v1" cannot be handled as a Node', { "spec.podCidr" } },
  { "Deployment", doc("apps/v1", "Deployment", [[
metadata: {name: d}
spec:
  replica: 2
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
      containers:
      - name: c
        image: nginx
        imagepullpolicy: Always
        ports: [{containerPort: 80, hostport: 8080}]
]]), 'Deployment in version "v1" cannot be handled as a Deployment',
    { "spec.replica", "spec.template.spec.containers[0].imagepullpolicy",
      "spec.template.spec.containers[0].ports[0].hostport" } },
  { "StatefulSet", doc("apps/v1", "StatefulSet", [[
metadata: {name: db}
spec:
  servicename: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: postgres}]}
]]), 'StatefulSet in version "v1" cannot be handled as a StatefulSet', { "spec.servicename" } },
  { "EndpointSlice", doc("discovery.k8s.io/v1", "EndpointSlice", [[
metadata: {name: s-1, labels: {kubernetes.io/service-name: s}}
addressType: IPv4
endpoints:
- addresses: [10.1.2.3]
  condition: {ready: true}
ports: [{port: 80, protcol: TCP}]
]]), 'EndpointSlice in version "v1" cannot be handled as a EndpointSlice',
    { "endpoints[0].condition", "ports[0].protcol" } },
  { "a top-level field", doc("v1", "Service", "metadata: {name: web}\nspec: {ports: [{port: 80}]}\nstatuss: {}\n"),
    'Service in version "v1" cannot be handled as a Service', { "statuss" } },
  { "an item of a List", doc("v1", "List", [[
items:
- apiVersion: v1
  kind: Service
  metadata: {name: web}
  spec: {ports: [{port: 80, Protocol: TCP}]}
]]), 'Service in version "v1" cannot be handled as a Service', { "spec.ports[0].Protocol" } },
}

for _, case in ipairs(kinds) do
  local name, text, owner, fields = case[1], case[2], case[3], case[4]
  local quoted = {}
  for i, f in ipairs(fields) do quoted[i] = 'unknown field "' .. f .. '"' end
  local message = prefix .. owner .. ": strict decoding error: " .. table.concat(quoted, ", ")

  test("apply refuses unknown fields of " .. name .. " and changes nothing", function()
    reset{}
    local before = export{ nodes = true }
    local counts = cluster().counts
    assertEqual(applyError(text), message)
    assertEqual(applyError(text, { validate = "strict" }), message)
    assertEqual(applyError(text, { validate = true }), message)
    assertEqual(export{ nodes = true }, before)
    assertEqual(cluster().counts, counts)
  end)

  test("apply{validate=warn} applies " .. name .. " with a warning per unknown field", function()
    reset{}
    local lines = apply(text, { validate = "warn" })
    for i, f in ipairs(fields) do assertEqual(lines[i], 'Warning: unknown field "' .. f .. '"') end
    assertEqual(#lines, #fields + 1)
    assert(lines[#lines]:match(" created$"), lines[#lines])
  end)

  test("apply{validate=ignore} applies " .. name .. " silently", function()
    reset{}
    local lines = apply(text, { validate = "ignore" })
    assertEqual(#lines, 1)
    assert(lines[1]:match(" created$"), lines[1])
    reset{}
    assertEqual(apply(text, { validate = false }), lines)
  end)
end

test("the misspelt Service of the learner's first hour: refused, then warned and selector-less", function()
  reset{}
  createDeployment("web", { replicas = 2, labels = { app = "web" }, ports = { { containerPort = 8080 } } })
  local text = doc("v1", "Service", [[
metadata: {name: web}
spec:
  selecter: {app: web}
  ports:
  - port: 80
    targetport: 8080
]])
  assertEqual(applyError(text), prefix .. 'Service in version "v1" cannot be handled as a Service: '
    .. 'strict decoding error: unknown field "spec.ports[0].targetport", unknown field "spec.selecter"')
  assertEqual(getService("web"), nil)
  assertEqual(apply(text, { validate = "warn" }), {
    'Warning: unknown field "spec.ports[0].targetport"', 'Warning: unknown field "spec.selecter"',
    "service/web created" })
  -- What kubectl --validate=warn leaves: no selector, so no endpoints.
  assertEqual(getService("web").selector, nil)
  assertEqual(endpoints("web"), {})
end)

test("a file is named as kubectl names it", function()
  reset{}
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(doc("v1", "Service", "metadata: {name: web}\nspec: {clusterip: None}\n"))
  f:close()
  local err = applyError(path)
  os.remove(path)
  assertEqual(err, 'apply: Error from server (BadRequest): error when creating "' .. path
    .. '": Service in version "v1" cannot be handled as a Service: strict decoding error: '
    .. 'unknown field "spec.clusterip"')
end)

test("every document is checked: an unknown field in the second refuses the first too", function()
  reset{}
  local text = doc("v1", "Namespace", "metadata: {name: shop}\n") .. "---\n"
    .. doc("v1", "Service", "metadata: {name: web, namespace: shop}\nspec: {type: ClusterIP, Ports: []}\n")
  assertEqual(applyError(text), prefix .. 'Service in version "v1" cannot be handled as a Service: '
    .. 'strict decoding error: unknown field "spec.Ports"')
  assertEqual(getNamespace("shop"), nil)
end)

test("a field's type is checked before unknown fields, as the decoder does", function()
  reset{}
  local err = applyError(doc("v1", "Service", "metadata: {name: web}\nspec: {selecter: {}, ports: [{port: x}]}\n"))
  assert(err:find("cannot unmarshal string into Go struct field spec.ports[0].port of type int32", 1, true), err)
end)

test("fields Kubernetes declares but the lab does not model are accepted", function()
  reset{}
  local lines = apply(doc("apps/v1", "Deployment", [[
metadata: {name: api, annotations: {note: x}, finalizers: [example.com/keep]}
spec:
  replicas: 1
  revisionHistoryLimit: 3
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      securityContext: {runAsNonRoot: true}
      containers:
      - name: api
        image: example/api:1
        args: [--port, "8080"]
        env: [{name: MODE, value: prod}]
        resources: {limits: {cpu: 500m, memory: 128Mi}}
        readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 5}
        ports: [{name: http, containerPort: 8080}]
      tolerations: [{key: k, operator: Exists}]
]]))
  assertEqual(lines, { "deployment.apps/api created" })
  assertEqual(apply(doc("v1", "Service", [[
metadata: {name: api}
spec:
  selector: {app: api}
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}
  ports: [{name: http, port: 80, targetPort: http, appProtocol: http}]
]])), { "service/api created" })
end)

test("validate takes kubectl's values and refuses others in kubectl's words", function()
  reset{}
  local text = doc("v1", "Namespace", "metadata: {name: a}\n")
  assertEqual(apply(text, { validate = "Warn" }), { "namespace/a created" })
  assertEqual(apply(text, { validate = "TRUE" }), { "namespace/a unchanged" })
  assertEqual(apply(text, { validate = "0" }), { "namespace/a unchanged" })
  assertError(function() apply(text, { validate = "loose" }) end,
    'apply: invalid %- validate option "loose"; must be one of: strict %(or true%), warn, ignore %(or false%)')
  assertError(function() apply(text, { validate = 1 }) end, "apply: opts.validate: string or boolean expected, got number")
  assertError(function() apply(text, { valdate = "warn" }) end, 'apply: strict decoding error: unknown field "opts.valdate"')
end)
