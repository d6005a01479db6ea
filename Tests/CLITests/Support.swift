import Foundation

/// The result of one run of the svclab binary.
struct RunResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Locates the package root (for fixtures) from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The svclab binary built next to the test bundle.
func svclabBinary() -> URL {
  var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  while dir.path != "/" {
    let candidate = dir.appendingPathComponent("svclab")
    if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    dir = dir.deletingLastPathComponent()
  }
  return packageRoot.appendingPathComponent(".build/debug/svclab")
}

/// Runs svclab with `arguments` and `input` on standard input, in `directory`.
func runSvclab(
  _ arguments: [String], input: String = "", directory: URL = packageRoot,
  environment: [String: String] = [:]
) throws -> RunResult {
  let process = Process()
  process.executableURL = svclabBinary()
  process.arguments = arguments
  process.currentDirectoryURL = directory
  var env = ProcessInfo.processInfo.environment
  env["NO_COLOR"] = "1"
  for (k, v) in environment { env[k] = v }
  process.environment = env
  let stdin = Pipe()
  let stdout = Pipe()
  let stderr = Pipe()
  process.standardInput = stdin
  process.standardOutput = stdout
  process.standardError = stderr
  try process.run()
  stdin.fileHandleForWriting.write(Data(input.utf8))
  try stdin.fileHandleForWriting.close()
  let out = stdout.fileHandleForReading.readDataToEndOfFile()
  let err = stderr.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return RunResult(
    status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
    stderr: String(decoding: err, as: UTF8.self))
}

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ name: String, _ contents: Data) throws -> String {
  let dir = FileManager.default.temporaryDirectory
    .appendingPathComponent("svclab-cli-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  let url = dir.appendingPathComponent(name)
  try contents.write(to: url)
  return url.path
}
