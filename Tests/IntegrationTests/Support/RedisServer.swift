import Foundation
import Testing

/// A throwaway `redis-server` on a free loopback port (no persistence), stopped by PID. `restart()`
/// brings it back empty on the same port, as a Redis pod that was rescheduled would be.
final class RedisServer: @unchecked Sendable {
    private(set) var child: ChildProcess
    let port: Int
    /// The TLS port when started with certificates (clients must verify against `certs.caCert`).
    private(set) var tlsPort: Int?
    private let extraArgs: [String]

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }
    static var path: String {
        for p in ["/usr/bin/redis-server", "/usr/local/bin/redis-server"] where FileManager.default.isExecutableFile(atPath: p) { return p }
        return "/usr/bin/redis-server"
    }

    /// `tls`: also listen with TLS (server certificate of `tls`); `password`: `requirepass`.
    init(tls: TestCertificates? = nil, password: String? = nil) throws {
        var lastError: Error = TestFailure("redis-server did not start")
        for _ in 0..<5 {
            let p = try Self.freePort()
            var args: [String] = []
            var tp: Int?
            if let tls {
                let t = try Self.freePort()
                tp = t
                args += ["--tls-port", String(t), "--tls-cert-file", tls.serverCert, "--tls-key-file", tls.serverKey,
                         "--tls-ca-cert-file", tls.caCert, "--tls-auth-clients", "no"]
            }
            if let password { args += ["--requirepass", password] }
            do {
                child = try Self.launch(port: p, extraArgs: args)
                port = p
                tlsPort = tp
                extraArgs = args
                return
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    private static func launch(port: Int, extraArgs: [String] = []) throws -> ChildProcess {
        let c = try ChildProcess(path, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                        "--protected-mode", "yes", "--loglevel", "warning"] + extraArgs)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let pong = try? RedisServer.command(port: port, "PING")
            if pong == "+PONG" || pong?.hasPrefix("-NOAUTH") == true { return c }
            if !c.process.isRunning { break }
            usleep(20_000)
        }
        c.stop()
        throw TestFailure("redis-server on \(port) did not answer PING: \(c.stderr) \(c.stdout)")
    }

    /// Kills the server (SIGKILL: no goodbye to the clients).
    func kill() { child.stop() }

    /// Starts a fresh, empty server on the same port.
    func restart() throws {
        child.stop()
        child = try Self.launch(port: port, extraArgs: extraArgs)
    }

    func stop() { child.stop() }

    /// Sends one inline command and returns the first reply line (enough for PING/DBSIZE/EXISTS).
    @discardableResult
    static func command(port: Int, _ parts: String...) throws -> String { try command(port: port, parts) }

    static func command(port: Int, _ parts: [String]) throws -> String {
        let c = try RawConnection(port: port, timeout: 2)
        var frame = "*\(parts.count)\r\n"
        for p in parts { frame += "$\(p.utf8.count)\r\n\(p)\r\n" }
        try c.send(frame)
        var got: [UInt8] = []
        while !got.contains(10) {
            let more = try c.readSome()
            if more.isEmpty { break }
            got += more
        }
        return String(decoding: got, as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? ""
    }

    @discardableResult
    func command(_ parts: String...) throws -> String { try Self.command(port: port, parts) }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
            }
        }
        guard ok else { throw TestFailure("bind failed") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
