import Foundation
import LuaKit
import Testing

@testable import Lab

/// A lab file is Lua read as data: `loadLab` runs its chunk on an instruction budget, so a
/// file that loops fails with the budget's error in the contract's format and changes nothing.
@Suite struct LabFileBudgetTests {
  /// The lab file's text, and the state's own budget (`--max-instructions`, nil for none).
  @Test(
    arguments: [
      ("while true do end", nil),
      ("return { version = 1, random = (function() while true do end end)(), calls = {} }", nil),
      ("while true do end", 1_000_000),
    ] as [(String, Int?)])
  func loopingLabFileFails(text: String, maxInstructions: Int?) throws {
    let lab = try LabSession()
    let state = try LuaState(options: LuaOptions(maxInstructions: maxInstructions))
    try ClusterAPI.register(lab, in: state)
    try ObjectsAPI.register(lab, in: state)
    try LabFilesAPI.register(lab, in: state)
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("svclab-labfile-\(UUID().uuidString).lua").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let look = "return #services(), getService('kept') ~= nil"
    _ = try state.run(chunk: "createService('kept', { ports = { { port = 80 } } })", name: "t")
    let kept = try state.run(chunk: look, name: "t")

    let budget = maxInstructions ?? LabFilesAPI.maxLabFileInstructions
    let error = #expect(throws: LuaError.self) {
      try state.run(chunk: "loadLab('\(path)')", name: "t")
    }
    let message = try #require(error?.message)
    let exceeded = "instruction budget exceeded (\(budget) instructions)"
    if maxInstructions == nil {
      // The file's name, then the position of the looping function when it has a caller.
      #expect(message.contains("loadLab: \(path): "), "\(message)")
      // No budget is left behind for the calls that follow.
      #expect(try state.run(chunk: "return debug.gethook() == nil", name: "t") == [.boolean(true)])
    }
    #expect(message.contains(exceeded), "\(message)")
    #expect(try state.run(chunk: look, name: "t") == kept)
  }
}
