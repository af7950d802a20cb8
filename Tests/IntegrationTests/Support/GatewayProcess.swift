import Foundation
import Testing

/// Paths of the built executables (`swift build --build-tests` puts them next to the tests).
enum Binaries {
    static var directory: String {
        if let d = ProcessInfo.processInfo.environment["SLUICE_BIN_DIR"] { return d }
        // Tests/IntegrationTests/Support/GatewayProcess.swift → repo root
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug").path
    }
    static var sluice: String { directory + "/sluice" }
    static var mock: String { directory + "/sluice-mock" }
}

/// A child process (sluice or sluice-mock) whose stderr is collected; the ports it announced
/// ("listening on 127.0.0.1:PORT (kind)") are parsed from it. Always `stop()` it (tests use `defer`).
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let stderrPipe = Pipe()
    private let stdoutPipe = Pipe()
    private let lock = NSLock()
    private var errText = ""
    private var outText = ""

    init(_ path: String, _ args: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardError = stderrPipe
        process.standardOutput = stdoutPipe
        stderrPipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self, !d.isEmpty else { return }
            self.lock.lock(); self.errText += String(decoding: d, as: UTF8.self); self.lock.unlock()
        }
        stdoutPipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self, !d.isEmpty else { return }
            self.lock.lock(); self.outText += String(decoding: d, as: UTF8.self); self.lock.unlock()
        }
        try process.run()
    }

    var stderr: String { lock.lock(); defer { lock.unlock() }; return errText }
    var stdout: String { lock.lock(); defer { lock.unlock() }; return outText }
    var pid: Int32 { process.processIdentifier }

    /// Waits for the "listening on 127.0.0.1:PORT (kind)" line and returns PORT.
    func port(_ kind: String, timeout: Double = 20) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for line in stderr.split(separator: "\n") where line.hasPrefix("listening on ") && line.hasSuffix("(\(kind))") {
                let addr = line.dropFirst("listening on ".count).split(separator: " ")[0]
                if let p = addr.split(separator: ":").last, let port = Int(p) { return port }
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        throw TestFailure("no '\(kind)' listening line; stderr:\n\(stderr)")
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for exit up to `timeout` seconds; returns the status or nil.
    func waitExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        stderrPipe.fileHandleForReading.readabilityHandler = nil
        stdoutPipe.fileHandleForReading.readabilityHandler = nil
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A running sluice-mock.
final class MockServer: @unchecked Sendable {
    let child: ChildProcess
    let port: Int

    init(extraArgs: [String] = []) throws {
        child = try ChildProcess(Binaries.mock, ["--port", "0"] + extraArgs)
        do { port = try child.port("mock") } catch { child.stop(); throw error }
    }

    func stop() { child.stop() }

    /// The requests the mock received (`GET /mock/requests`), newest last.
    func receivedRequests() throws -> [[String: Any]] {
        let r = try HTTPClient.request(port: port, method: "GET", path: "/mock/requests")
        guard let arr = try JSONSerialization.jsonObject(with: Data(r.body)) as? [[String: Any]] else {
            throw TestFailure("mock requests not an array")
        }
        return arr
    }

    func clearRequests() throws {
        _ = try HTTPClient.request(port: port, method: "DELETE", path: "/mock/requests")
    }
}

/// A running sluice with a config written to a temporary file.
final class GatewayServer: @unchecked Sendable {
    let child: ChildProcess
    let port: Int
    let adminPort: Int
    let configPath: String

    /// `yaml` is the config; `{MOCK}` is replaced by `127.0.0.1:<mockPort>`.
    init(yaml: String, mockPort: Int? = nil, environment: [String: String] = [:], extraArgs: [String] = []) throws {
        let text = mockPort.map { yaml.replacingOccurrences(of: "{MOCK}", with: "127.0.0.1:\($0)") } ?? yaml
        configPath = NSTemporaryDirectory() + "sluice-test-\(UUID().uuidString).yaml"
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        child = try ChildProcess(Binaries.sluice, ["--config", configPath] + extraArgs, environment: environment)
        do {
            port = try child.port("data")
            adminPort = try child.port("admin")
        } catch {
            child.stop()
            throw error
        }
    }

    /// Rewrites the config file (for reload tests).
    func rewriteConfig(_ yaml: String, mockPort: Int? = nil) throws {
        let text = mockPort.map { yaml.replacingOccurrences(of: "{MOCK}", with: "127.0.0.1:\($0)") } ?? yaml
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func stop() {
        child.stop()
        try? FileManager.default.removeItem(atPath: configPath)
    }

    /// A minimal config in front of the mock: route `*` → backend `mock`.
    static func basicConfig(extra: String = "", routes: String? = nil) -> String {
        """
        version: 1
        listen: {address: 127.0.0.1:0}
        admin: {address: 127.0.0.1:0}
        logging: {level: warn, access_log: stdout}
        backends:
          - name: mock
            endpoints: ["http://{MOCK}"]
            timeouts: {connect: 1s, first_byte: 2s, idle: 2s, total: 10s}
        routes:
        \(routes ?? """
          - name: llama
            models: ["llama-3.1-8b", "llama-*"]
            backends: [{backend: mock, model: "meta-llama/Llama-3.1-8B-Instruct"}]
          - name: default
            models: ["gpt-4o-mini", "text-embedding-3-small"]
            backends: [{backend: mock}]
        """)
        \(extra)
        """
    }
}
