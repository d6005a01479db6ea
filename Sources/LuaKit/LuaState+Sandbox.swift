#if canImport(Glibc)
  import Glibc
#endif

/// What `--sandbox` removes: everything that reaches outside the lab.
extension LuaState {
  /// Disables process spawning, native code loading, binary chunks, debug hooks (they
  /// could lift the instruction budget) and writing outside the current directory.
  func applySandbox() throws {
    var buffer = [CChar](repeating: 0, count: 4096)
    let cwd =
      getcwd(&buffer, buffer.count) != nil
      ? String(
        decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      : "/nonexistent"
    try setGlobal("_SVCLAB_SANDBOX_DIR", .string(cwd))
    try run(chunk: sandboxChunk, name: "=sandbox")
  }
}

/// Lua code applied to a sandboxed state; `_SVCLAB_SANDBOX_DIR` is the directory
/// that writes must stay under.
private let sandboxChunk = """
  local dir = _SVCLAB_SANDBOX_DIR
  _SVCLAB_SANDBOX_DIR = nil
  local function denied(name)
    return function() error(name .. ": not allowed in the sandbox", 2) end
  end
  -- A path may be written when, made absolute, it has no '..' and lies under dir.
  local function writable(path)
    path = tostring(path)
    if path:sub(1, 1) ~= "/" then path = dir .. "/" .. path end
    for part in path:gmatch("[^/]+") do
      if part == ".." then return false end
    end
    return path == dir or path:sub(1, #dir + 1) == dir .. "/"
  end
  local open, output, remove, rename = io.open, io.output, os.remove, os.rename
  io.open = function(path, mode)
    mode = mode or "r"
    if not mode:find("^r") or mode:find("%+") then
      if not writable(path) then
        return nil,
          tostring(path) .. ": writing outside " .. dir .. " is not allowed in the sandbox"
      end
    end
    return open(path, mode)
  end
  io.output = function(file)
    if type(file) == "string" and not writable(file) then
      error("io.output: writing outside " .. dir .. " is not allowed in the sandbox", 2)
    end
    return output(file)
  end
  os.remove = function(path)
    if not writable(path) then return nil, tostring(path) .. ": not allowed in the sandbox" end
    return remove(path)
  end
  os.rename = function(a, b)
    if not (writable(a) and writable(b)) then
      return nil, "os.rename: not allowed in the sandbox"
    end
    return rename(a, b)
  end
  os.execute = denied("os.execute")
  os.tmpname = denied("os.tmpname")
  io.popen = denied("io.popen")
  io.tmpfile = denied("io.tmpfile")
  package.loadlib = denied("package.loadlib")
  package.cpath = ""
  table.remove(package.searchers, 4)  -- all-in-one C loader
  table.remove(package.searchers, 3)  -- C loader
  debug.sethook = denied("debug.sethook")
  local load = load
  local loadfile = loadfile
  _G.load = function(chunk, name, mode, env) return load(chunk, name, "t", env) end
  _G.loadfile = function(path, mode, env) return loadfile(path, "t", env) end
  _G.dofile = function(path)
    local chunk, err = loadfile(path, "t")
    if not chunk then error(err, 2) end
    return chunk()
  end
  """
