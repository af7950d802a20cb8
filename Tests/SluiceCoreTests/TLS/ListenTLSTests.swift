import Foundation
import Testing
@testable import SluiceCore

/// The `listen.tls` server context built at load and reload (`ListenTLS.make`): errors pinned to
/// the config line, the previous context kept while the files' bytes are unchanged.
@Suite struct ListenTLSTests {
    let certs: TLSTestCertificates

    init() throws {
        certs = try TLSTestCertificates.load()
    }

    /// `listen.tls` parsed from YAML (so the locations are real), with the given files.
    private func files(cert: String, key: String) throws -> TLSFilesConfig {
        let yaml = ConfigTestSupport.minimal.replacing("listen: {address: 127.0.0.1:8080}", with: """
            listen:
              address: 127.0.0.1:8080
              tls:
                cert_file: \(cert)
                key_file: \(key)
            """)
        let config = try #require(ConfigTestSupport.config(yaml, files: [cert, key]))
        return try #require(config.listen.tls)
    }

    /// A private copy of the server certificate and key, to overwrite in place (rotation).
    private func copyOfServerFiles() throws -> (dir: String, cert: String, key: String) {
        let dir = NSTemporaryDirectory() + "sluice-listen-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: certs.serverCertFile, toPath: dir + "/tls.crt")
        try FileManager.default.copyItem(atPath: certs.serverKeyFile, toPath: dir + "/tls.key")
        return (dir, dir + "/tls.crt", dir + "/tls.key")
    }

    private func diagnostic(_ f: TLSFilesConfig) -> ConfigDiagnostic? {
        do {
            _ = try ListenTLS.make(f, configFile: "sluice.yaml", previous: nil)
            return nil
        } catch {
            return error.diagnostics.first
        }
    }

    @Test func validFiles_buildAServerContext() throws {
        let tls = try ListenTLS.make(try files(cert: certs.serverCertFile, key: certs.serverKeyFile),
                                     configFile: "sluice.yaml", previous: nil)
        #expect(tls.context.isServer)
        #expect(tls.certFile == certs.serverCertFile)
        #expect(tls.fingerprint.count == 64)
    }

    @Test func certificateThatIsNotPEM_isAnErrorAtTheCertFileLine() throws {
        let d = try #require(diagnostic(try files(cert: "\(certs.directory)/openssl.cnf", key: certs.serverKeyFile)))
        #expect(d.file == "sluice.yaml")
        #expect((d.line, d.column) == (5, 16))
        #expect(d.message.hasPrefix("listen.tls: cannot load certificate chain \(certs.directory)/openssl.cnf"))
    }

    @Test func keyOfAnotherCertificate_isAnErrorAtTheKeyFileLine() throws {
        let d = try #require(diagnostic(try files(cert: certs.serverCertFile, key: certs.clientKeyFile)))
        #expect((d.line, d.column) == (6, 15))
        #expect(d.message.contains("key values mismatch"))
    }

    @Test func unreadableFile_isAnError() throws {
        var f = try files(cert: certs.serverCertFile, key: certs.serverKeyFile)
        f.keyFile = "/nonexistent/tls.key"
        let d = try #require(diagnostic(f))
        #expect(d.message == "listen.tls: cannot read key file '/nonexistent/tls.key'")
        #expect((d.line, d.column) == (6, 15))
    }

    @Test func reload_withUnchangedFiles_keepsTheContext_rotatedFiles_getANewOne() throws {
        let copy = try copyOfServerFiles()
        defer { try? FileManager.default.removeItem(atPath: copy.dir) }
        let f = try files(cert: copy.cert, key: copy.key)
        let first = try ListenTLS.make(f, configFile: "c", previous: nil)
        #expect(try ListenTLS.make(f, configFile: "c", previous: first) === first)
        // Rotation in place: same paths, another certificate and key.
        try FileManager.default.removeItem(atPath: copy.cert)
        try FileManager.default.removeItem(atPath: copy.key)
        try FileManager.default.copyItem(atPath: certs.clientCertFile, toPath: copy.cert)
        try FileManager.default.copyItem(atPath: certs.clientKeyFile, toPath: copy.key)
        let rotated = try ListenTLS.make(f, configFile: "c", previous: first)
        #expect(rotated !== first)
        #expect(rotated.context !== first.context)
        #expect(rotated.fingerprint != first.fingerprint)
    }

    @Test func reload_withOtherPaths_getsANewContext() throws {
        let copy = try copyOfServerFiles()
        defer { try? FileManager.default.removeItem(atPath: copy.dir) }
        let first = try ListenTLS.make(try files(cert: certs.serverCertFile, key: certs.serverKeyFile), configFile: "c", previous: nil)
        let moved = try ListenTLS.make(try files(cert: copy.cert, key: copy.key), configFile: "c", previous: first)
        #expect(moved !== first)
        #expect(moved.fingerprint == first.fingerprint)
    }
}
