import Foundation

/// Certificates generated once per test run with the `openssl` CLI into a temporary directory:
/// a CA, a server certificate for `localhost` and 127.0.0.1 signed by it, a client certificate
/// signed by it, and an unrelated second CA. All keys are P-256 (fast to make).
struct TLSTestCertificates: Sendable {
    let directory: String
    let caFile: String
    let otherCAFile: String
    let serverCertFile: String
    let serverKeyFile: String
    let clientCertFile: String
    let clientKeyFile: String

    /// The shared set, made on first use.
    static let shared: Result<TLSTestCertificates, TLSTestCertificateError> = Result { () throws(TLSTestCertificateError) in
        try make()
    }

    /// Returns the shared set or throws why it could not be made.
    static func load() throws -> TLSTestCertificates {
        try shared.get()
    }

    private static let openSSLConfig = """
        [req]
        distinguished_name = dn
        prompt = no
        [dn]
        CN = unused
        [ca_ext]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        [server_ext]
        basicConstraints = CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:localhost,IP:127.0.0.1
        [client_ext]
        basicConstraints = CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = clientAuth
        """

    private static var directoryForThisProcess: String { NSTemporaryDirectory() + "sluice-tls-tests-\(getpid())" }

    private static func make() throws(TLSTestCertificateError) -> TLSTestCertificates {
        let dir = directoryForThisProcess
        atexit { try? FileManager.default.removeItem(atPath: TLSTestCertificates.directoryForThisProcess) }
        do {
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try openSSLConfig.write(toFile: "\(dir)/openssl.cnf", atomically: true, encoding: .utf8)
        } catch {
            throw TLSTestCertificateError(message: "cannot prepare \(dir): \(error)")
        }
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let cnf = ["-config", "\(dir)/openssl.cnf"]
        for ca in ["ca", "other-ca"] {
            try run(["req", "-x509"] + cnf + ["-extensions", "ca_ext"] + key
                + ["-keyout", "\(dir)/\(ca).key", "-out", "\(dir)/\(ca).crt", "-subj", "/CN=Sluice Test \(ca)", "-days", "2"])
        }
        for (leaf, cn, serial) in [("server", "localhost", "2"), ("client", "sluice-client", "3")] {
            try run(["req", "-new"] + cnf + key + ["-keyout", "\(dir)/\(leaf).key", "-out", "\(dir)/\(leaf).csr", "-subj", "/CN=\(cn)"])
            try run(["x509", "-req", "-in", "\(dir)/\(leaf).csr", "-CA", "\(dir)/ca.crt", "-CAkey", "\(dir)/ca.key",
                     "-set_serial", serial, "-days", "2", "-extfile", "\(dir)/openssl.cnf", "-extensions", "\(leaf)_ext",
                     "-out", "\(dir)/\(leaf).crt"])
        }
        return TLSTestCertificates(directory: dir, caFile: "\(dir)/ca.crt", otherCAFile: "\(dir)/other-ca.crt",
                                   serverCertFile: "\(dir)/server.crt", serverKeyFile: "\(dir)/server.key",
                                   clientCertFile: "\(dir)/client.crt", clientKeyFile: "\(dir)/client.key")
    }

    private static func run(_ arguments: [String]) throws(TLSTestCertificateError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw TLSTestCertificateError(message: "cannot run openssl: \(error)")
        }
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: stderr, as: UTF8.self)
            throw TLSTestCertificateError(message: "openssl \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }
}

/// Why the test certificates could not be made.
struct TLSTestCertificateError: Error, Sendable, CustomStringConvertible {
    let message: String
    var description: String { message }
}
