import Foundation

/// A finished command: exit status and output.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` with `arguments` to completion (killed after `timeout` seconds).
func runCommand(_ executable: String, _ arguments: [String], timeout: Double = 30) throws -> CommandResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    // Drain both pipes while waiting, so a chatty command cannot fill one and stall.
    let collected = OutputCollector(out: out, err: err)
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(10_000) }
    if p.isRunning {
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }
    let (o, e) = collected.finish()
    return CommandResult(status: p.terminationStatus, stdout: o, stderr: e)
}

/// Collects a process's stdout and stderr from their pipes on Foundation's reader threads.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var outData = Data()
    private var errData = Data()
    private let out: Pipe
    private let err: Pipe

    init(out: Pipe, err: Pipe) {
        self.out = out
        self.err = err
        out.fileHandleForReading.readabilityHandler = { [weak self] h in self?.append(h.availableData, toOut: true) }
        err.fileHandleForReading.readabilityHandler = { [weak self] h in self?.append(h.availableData, toOut: false) }
    }

    private func append(_ d: Data, toOut: Bool) {
        lock.lock(); defer { lock.unlock() }
        if toOut { outData += d } else { errData += d }
    }

    var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: outData, as: UTF8.self) }

    /// Stops collecting and returns everything read (the rest of the pipes included).
    func finish() -> (String, String) {
        out.fileHandleForReading.readabilityHandler = nil
        err.fileHandleForReading.readabilityHandler = nil
        let restOut = out.fileHandleForReading.readDataToEndOfFile()
        let restErr = err.fileHandleForReading.readDataToEndOfFile()
        lock.lock(); defer { lock.unlock() }
        outData += restOut
        errData += restErr
        return (String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// `curl` against a `listen.tls` gateway (`https://localhost:PORT`).
enum Curl {
    /// Runs curl with `--max-time 20` and `arguments`; returns its exit status and output.
    static func run(_ arguments: [String]) throws -> CommandResult {
        try runCommand("/usr/bin/curl", ["--silent", "--show-error", "--max-time", "20"] + arguments)
    }

    /// `POST /v1/chat/completions` over https, trusting `ca`.
    static func chat(port: Int, ca: String, stream: Bool = false, extra: [String] = []) throws -> CommandResult {
        let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":4"#
            + (stream ? #","stream":true}"# : "}")
        return try run(["--cacert", ca, "-H", "content-type: application/json", "--data", body] + extra
            + ["https://localhost:\(port)/v1/chat/completions"])
    }
}

/// The Python TLS client fixture (Fixtures/tls_client.py): requests on one connection, one JSON
/// line per answer. With `--hold` it waits for `proceed()` before its second round.
final class TLSClientFixture: @unchecked Sendable {
    private let process = Process()
    private let stdin = Pipe()
    private let collector: OutputCollector

    init(port: Int, ca: String, _ arguments: [String]) throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tls_client.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", fixture, "--port", String(port), "--ca", ca] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        collector = OutputCollector(out: out, err: err)
        try process.run()
    }

    /// Runs the fixture to completion and returns its lines.
    static func run(port: Int, ca: String, _ arguments: [String], timeout: Double = 60) throws -> [[String: Any]] {
        let c = try TLSClientFixture(port: port, ca: ca, arguments)
        return try c.finish(timeout: timeout)
    }

    /// The JSON lines printed so far.
    var lines: [[String: Any]] {
        collector.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Waits until a line has `key`; throws after `timeout` seconds or when the fixture exited.
    func waitFor(_ key: String, timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if lines.contains(where: { $0[key] != nil }) { return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        throw TestFailure("tls_client.py printed no '\(key)' line: \(collector.stdout)")
    }

    /// Lets a `--hold` fixture go on.
    func proceed() {
        stdin.fileHandleForWriting.write(Data("go\n".utf8))
    }

    /// Waits for exit (killing it after `timeout`) and returns all lines.
    func finish(timeout: Double = 60) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        stop()
        let (out, err) = collector.finish()
        guard process.terminationStatus == 0 else { throw TestFailure("tls_client.py failed:\n\(out)\n\(err)") }
        return lines
    }

    /// Kills the fixture if it still runs.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
