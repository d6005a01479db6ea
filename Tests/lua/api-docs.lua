-- Docs/API.md against help(): every registered primitive has a section whose Syntax
-- line is its usage, and every example runs in a fresh default cluster. Sections
-- for primitives of the contract that are not registered yet are allowed.

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local path = here .. "/../../Docs/API.md"
local file = assert(io.open(path, "r"), "cannot open " .. path)
local text = file:read("a")
file:close()

-- sections[name] = { usage = "...", examples = { "code", ... } }
local sections, order = {}, {}
local current
for line in (text .. "\n"):gmatch("(.-)\n") do
  local name = line:match("^### (%w+)$")
  if name then
    current = { examples = {} }
    sections[name] = current
    order[#order + 1] = name
  elseif current then
    if current.code then
      if line == "```" then
        current.examples[#current.examples + 1] = table.concat(current.code, "\n")
        current.code = nil
      else
        current.code[#current.code + 1] = line
      end
    elseif line == "```lua" then
      current.code = {}
    elseif not current.usage and line:match("^    %S") then
      current.usage = line:sub(5)
    end
  end
end

local registered = {}
for line in help():gmatch("[^\n]+") do
  registered[#registered + 1] = line:match("^(%w+)")
end

test("API.md has a section for every registered primitive, with help's usage", function()
  assert(#registered > 40, "help() lists the primitives")
  local missing = {}
  for _, name in ipairs(registered) do
    local usage = help(name):match("^[^\n]+")
    if not sections[name] then
      missing[#missing + 1] = name .. " (no section)"
    elseif sections[name].usage ~= usage then
      missing[#missing + 1] = name .. ": docs say " .. tostring(sections[name].usage)
        .. ", help says " .. usage
    end
  end
  assertEqual(missing, {})
end)

test("every section of API.md has a usage line and an example", function()
  local incomplete = {}
  for _, name in ipairs(order) do
    local s = sections[name]
    if not (s.usage and s.usage:find("^" .. name .. "%(")) or #s.examples == 0 then
      incomplete[#incomplete + 1] = name
    end
  end
  assertEqual(incomplete, {})
end)

-- `skip` is not run: it would record a skipped case in this file's results.
for _, name in ipairs(order) do
  if rawget(_G, name) ~= nil and name ~= "skip" then
    for i, code in ipairs(sections[name].examples) do
      test("API.md example " .. name .. (i > 1 and (" #" .. i) or ""), function()
        reset{}
        local chunk = assert(load(code, "=API.md:" .. name))
        local realPrint = print
        print = function() end
        local ok, err = pcall(chunk)
        print = realPrint
        if not ok then error(err, 0) end
      end)
    end
  end
end
