import Testing

@testable import LuaKit

@Suite struct LimitTests {
  @Test func instructionBudgetStopsARunawayLoopAndTheStateStaysUsable() throws {
    let state = try LuaState(options: LuaOptions(maxInstructions: 1_000_000))
    let error = #expect(throws: LuaError.self) {
      try state.run(chunk: "while true do end", name: "=loop")
    }
    #expect(error?.message.contains("instruction budget exceeded") == true)
    #expect(
      try state.run(chunk: "local s = 0 for i = 1, 1000 do s = s + i end return s", name: "=ok")
        == [500500])
  }

  @Test func budgetCannotBeSwallowedByPcall() throws {
    let state = try LuaState(options: LuaOptions(maxInstructions: 100_000))
    #expect(throws: LuaError.self) {
      try state.run(
        chunk: "while true do pcall(function() while true do end end) end", name: "=loop")
    }
  }

  @Test func memoryCapFailsTheAllocationAndTheStateStaysUsable() throws {
    let state = try LuaState(options: LuaOptions(maxMemory: 8 << 20))
    let error = #expect(throws: LuaError.self) {
      try state.run(
        chunk: "local t = {} for i = 1, 1e8 do t[i] = ('x'):rep(64) .. i end", name: "=mem")
    }
    #expect(error?.kind == .memory)
    #expect(error?.message == "not enough memory")
    #expect(try state.run(chunk: "return #('ab'):rep(10)", name: "=ok") == [20])
    #expect(state.memoryUsed < 8 << 20)
  }

  @Test func interruptStopsRunningCode() throws {
    let state = try LuaState()
    try state.register("stopSoon") { call in
      call.state.interrupt()
      return 0
    }
    let error = #expect(throws: LuaError.self) {
      try state.run(chunk: "stopSoon() while true do end", name: "=loop")
    }
    #expect(error?.message.hasSuffix("interrupted!") == true)
    #expect(try state.run(chunk: "return 1", name: "=ok") == [1])
  }

  struct SandboxCase: CustomTestStringConvertible, Sendable {
    let id: String
    let chunk: String
    let message: String
    var testDescription: String { id }
  }

  static let sandboxCases: [SandboxCase] = [
    SandboxCase(
      id: "os.execute", chunk: "return pcall(os.execute, 'true')",
      message: "os.execute: not allowed in the sandbox"),
    SandboxCase(
      id: "io.popen", chunk: "return pcall(io.popen, 'ls')",
      message: "io.popen: not allowed in the sandbox"),
    SandboxCase(
      id: "package.loadlib", chunk: "return pcall(package.loadlib, 'x', 'y')",
      message: "package.loadlib: not allowed in the sandbox"),
    SandboxCase(
      id: "write outside the directory", chunk: "return io.open('/tmp/svclab-sandbox-test', 'w')",
      message: "writing outside"),
    SandboxCase(
      id: "write through ..", chunk: "return io.open('../escape', 'w')",
      message: "writing outside"),
    SandboxCase(
      id: "binary chunk", chunk: "return load(string.dump(function() end))",
      message: "attempt to load a binary chunk"),
  ]

  @Test(arguments: sandboxCases)
  func sandboxBlocks(_ c: SandboxCase) throws {
    let state = try LuaState(options: LuaOptions(sandbox: true))
    let results = try state.run(chunk: c.chunk, name: "=sandbox")
    #expect(results.first == .nil || results.first == false)
    #expect(results.last?.stringValue?.contains(c.message) == true, "got \(results)")
  }

  @Test func sandboxStillReads() throws {
    let state = try LuaState(options: LuaOptions(sandbox: true))
    #expect(try state.run(chunk: "return io.open('Package.swift') ~= nil", name: "=r") == [true])
  }

  @Test func withoutSandboxOsExecuteRuns() throws {
    let state = try LuaState()
    #expect(try state.run(chunk: "return os.execute('true')", name: "=x").first == true)
  }
}
