import Foundation

/// A command that failed: what ran and what it said.
public struct KernelError: Error, CustomStringConvertible, Sendable {
  public var message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }
}

/// Runs the tools that change the kernel (`ip`, `iptables-restore`, `nft`, `sysctl`) with
/// Foundation's Process; a failure carries the command line and its standard error.
public struct CommandRunner: Sendable {
  /// Every command run (for `-v`-style logs and tests): command lines in order.
  public var log: (@Sendable (String) -> Void)?

  public init(log: (@Sendable (String) -> Void)? = nil) { self.log = log }

  /// The output of one run; `status` is the exit status.
  public struct Output: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
  }

  /// Runs `arguments` (the program is looked up in PATH), feeding `input` to its standard
  /// input; throws unless it exits 0.
  @discardableResult
  public func run(_ arguments: [String], input: String? = nil) throws -> String {
    let out = try attempt(arguments, input: input)
    guard out.status == 0 else {
      let err = out.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
      throw KernelError(
        "`\(Self.line(arguments))` failed (status \(out.status))\(err.isEmpty ? "" : ": \(err)")")
    }
    return out.stdout
  }

  /// Runs `arguments` and returns its status and output without judging them.
  public func attempt(_ arguments: [String], input: String? = nil) throws -> Output {
    log?(Self.line(arguments))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let stdout = Pipe()
    let stderr = Pipe()
    let stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = input == nil ? FileHandle.nullDevice : stdin
    do {
      try process.run()
    } catch {
      throw KernelError("`\(Self.line(arguments))` could not start: \(error.localizedDescription)")
    }
    if let input {
      // Written from another thread so a large input cannot dead-lock against full pipes.
      let handle = stdin.fileHandleForWriting
      let data = Data(input.utf8)
      let writer = Thread {
        handle.write(data)
        try? handle.close()
      }
      writer.start()
    }
    let errData = ReadAll(stderr.fileHandleForReading)
    let outData = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Output(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData.wait(), as: UTF8.self))
  }

  /// A command line as a shell would show it.
  public static func line(_ arguments: [String]) -> String {
    arguments.map { a in
      a.isEmpty || a.contains(where: { " \t\"'$&|;<>()*".contains($0) }) ? "'\(a)'" : a
    }.joined(separator: " ")
  }
}

/// Reads a pipe to its end on a thread of its own.
private final class ReadAll: @unchecked Sendable {
  private var data = Data()
  private let done = DispatchSemaphore(value: 0)

  init(_ handle: FileHandle) {
    let thread = Thread { [self] in
      data = handle.readDataToEndOfFile()
      done.signal()
    }
    thread.start()
  }

  func wait() -> Data {
    done.wait()
    return data
  }
}
