-- The test primitives themselves: assertEqual's deep comparison and diff, and
-- assertError's pattern matching.

local function failureOf(fn)
  local ok, msg = pcall(fn)
  assert(not ok, "expected a failure")
  return msg
end

test("assertEqual accepts equal nested tables", function()
  assertEqual({ a = { 1, 2, { b = "x" } } }, { a = { 1, 2, { b = "x" } } })
end)

test("assertEqual treats 1 and 1.0 as equal, like ==", function()
  assertEqual({ port = 80 }, { port = 80.0 })
end)

test("assertEqual names the path of the first difference", function()
  local msg = failureOf(function()
    assertEqual({ spec = { ports = { { port = 80 }, { port = 443 } } } },
                { spec = { ports = { { port = 80 }, { port = 8443 } } } })
  end)
  assertEqual(msg:match("values differ at (%S+)"), ".spec.ports[2].port")
  assert(msg:find("expected: 8443", 1, true), msg)
  assert(msg:find("actual:   443", 1, true), msg)
end)

test("assertEqual reports a missing key as nil", function()
  local msg = failureOf(function() assertEqual({ a = 1 }, { a = 1, b = 2 }) end)
  assert(msg:find("values differ at .b", 1, true), msg)
  assert(msg:find("actual:   nil", 1, true), msg)
end)

test("assertEqual prefixes the message", function()
  local msg = failureOf(function() assertEqual(1, 2, "counts") end)
  assert(msg:find("assertEqual: counts: values differ", 1, true), msg)
end)

test("assertError returns the message of a matching error", function()
  local msg = assertError(function() error("services \"web\" not found") end, 'services "%a+" not found')
  assert(msg:find('services "web" not found', 1, true), msg)
end)

test("assertError uses Lua patterns, not plain text", function()
  local msg = failureOf(function() assertError(function() error("a.b") end, "a%.c") end)
  assert(msg:find("does not match", 1, true), msg)
end)

test("assertError fails when nothing is raised", function()
  local msg = failureOf(function() assertError(function() end) end)
  assert(msg:find("expected an error", 1, true), msg)
end)

test("help lists the test primitives", function()
  local text = help()
  for _, name in ipairs({ "test(name, fn)", "assertEqual(actual, expected, msg)", "assertError(fn, pattern)" }) do
    assert(text:find(name, 1, true), name)
  end
  assert(help("assertError"):find("Lua pattern", 1, true))
end)
