import Foundation

/// A CA, a server certificate (localhost, 127.0.0.1), an unrelated CA and a client certificate,
/// made with the `openssl` CLI in a temporary directory.
struct TestCertificates {
    let dir: String
    var caCert: String { dir + "/ca.crt" }
    var otherCACert: String { dir + "/other-ca.crt" }
    var serverCert: String { dir + "/server.crt" }
    var serverKey: String { dir + "/server.key" }
    var clientCert: String { dir + "/client.crt" }
    var clientKey: String { dir + "/client.key" }

    static func make() throws -> TestCertificates {
        let dir = NSTemporaryDirectory() + "sluice-it-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let ext = dir + "/server.ext"
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n".write(toFile: ext, atomically: true, encoding: .utf8)
        let cext = dir + "/client.ext"
        try "extendedKeyUsage=clientAuth\n".write(toFile: cext, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Sluice Test CA", "-keyout", "ca.key", "-out", "ca.crt"],
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Other CA", "-keyout", "other-ca.key", "-out", "other-ca.crt"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
             "-extfile", "server.ext", "-out", "server.crt"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=sluice-client", "-keyout", "client.key", "-out", "client.csr"],
            ["x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
             "-extfile", "client.ext", "-out", "client.crt"],
        ]
        for args in steps {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            p.arguments = args
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw TestFailure("openssl \(args.joined(separator: " ")) failed") }
        }
        return TestCertificates(dir: dir)
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }
}

/// The Python HTTPS upstream fixture (Fixtures/tls_upstream.py).
final class TLSUpstream: @unchecked Sendable {
    let child: ChildProcess
    let port: Int
    let log: String

    init(certs: TestCertificates, requireClientCert: Bool = false) throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tls_upstream.py").path
        log = certs.dir + "/upstream-\(UUID().uuidString).log"
        var args = [fixture, "--cert", certs.serverCert, "--key", certs.serverKey, "--log", log]
        if requireClientCert { args += ["--client-ca", certs.caCert] }
        child = try ChildProcess("/usr/bin/env", ["python3"] + args)
        do { port = try child.port("tls") } catch { child.stop(); throw error }
    }

    /// Requests the upstream received.
    func requests() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func stop() { child.stop() }
}
