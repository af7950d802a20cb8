import CSSL
import Foundation
import Testing
@testable import SluiceCore

/// Building client and server contexts from config values, and the server's ALPN choice.
@Suite struct TLSContextTests {
    let certs: TLSTestCertificates

    init() throws {
        certs = try TLSTestCertificates.load()
    }

    @Test func client_defaults_verifyAgainstSystemStore() throws {
        let ctx = try TLSContext.client()
        #expect(ctx.verifiesPeer)
        #expect(!ctx.isServer)
    }

    @Test func client_verifyDisabled_isRecorded() throws {
        let ctx = try TLSContext.client(verify: false, caFile: nil, clientCertFile: nil, clientKeyFile: nil)
        #expect(!ctx.verifiesPeer)
    }

    @Test func client_emptyStrings_meanNotSet() throws {
        let ctx = try TLSContext.client(verify: true, caFile: "", clientCertFile: "", clientKeyFile: "")
        #expect(ctx.verifiesPeer)
    }

    @Test func client_missingCAFile_throwsNamingIt() {
        let error = #expect(throws: TLSError.self) {
            try TLSContext.client(verify: true, caFile: "/nonexistent/ca.pem", clientCertFile: nil, clientKeyFile: nil)
        }
        #expect(error?.description.hasPrefix("cannot load CA file /nonexistent/ca.pem: ") == true)
        #expect(ERR_peek_error() == 0)
    }

    @Test func client_certificateWithoutKey_throws() {
        let error = #expect(throws: TLSError.self) {
            try TLSContext.client(verify: true, caFile: nil, clientCertFile: certs.clientCertFile, clientKeyFile: nil)
        }
        #expect(error?.description == "client_cert_file and client_key_file must be set together")
    }

    @Test func client_keyNotMatchingCertificate_throws() {
        let error = #expect(throws: TLSError.self) {
            try TLSContext.client(verify: true, caFile: nil, clientCertFile: certs.clientCertFile, clientKeyFile: certs.serverKeyFile)
        }
        #expect(error?.description.contains("key values mismatch") == true)
        #expect(ERR_peek_error() == 0)
    }

    @Test func client_withCertificate_builds() throws {
        let ctx = try TLSContext.client(verify: true, caFile: certs.caFile,
                                        clientCertFile: certs.clientCertFile, clientKeyFile: certs.clientKeyFile)
        #expect(ctx.verifiesPeer)
    }

    @Test func server_validFiles_builds() throws {
        let ctx = try TLSContext.server(certFile: certs.serverCertFile, keyFile: certs.serverKeyFile)
        #expect(ctx.isServer)
        #expect(!ctx.verifiesPeer)
    }

    @Test func server_missingCertificate_throwsNamingIt() {
        let error = #expect(throws: TLSError.self) {
            try TLSContext.server(certFile: "/nonexistent/tls.crt", keyFile: certs.serverKeyFile)
        }
        #expect(error?.description.hasPrefix("cannot load certificate chain /nonexistent/tls.crt: ") == true)
        #expect(ERR_peek_error() == 0)
    }

    @Test func server_missingKey_throwsNamingIt() {
        let error = #expect(throws: TLSError.self) {
            try TLSContext.server(certFile: certs.serverCertFile, keyFile: "/nonexistent/tls.key")
        }
        #expect(error?.description.hasPrefix("cannot load private key /nonexistent/tls.key") == true)
    }

    @Test func server_fileThatIsNotPEM_throws() {
        let error = #expect(throws: TLSError.self) {
            try TLSContext.server(certFile: "\(certs.directory)/openssl.cnf", keyFile: certs.serverKeyFile)
        }
        #expect(error?.description.hasPrefix("cannot load certificate chain") == true)
    }

    @Test func server_keyNotMatchingCertificate_throws() {
        let error = #expect(throws: TLSError.self) {
            try TLSContext.server(certFile: certs.serverCertFile, keyFile: certs.clientKeyFile)
        }
        #expect(error?.description.contains("key values mismatch") == true)
    }

    @Test func server_requireClientCertificateWithMissingCA_throws() {
        let error = #expect(throws: TLSError.self) {
            try TLSContext.server(certFile: certs.serverCertFile, keyFile: certs.serverKeyFile,
                                  requireClientCertificate: "/nonexistent/clients.pem")
        }
        #expect(error?.description.hasPrefix("cannot load CA file /nonexistent/clients.pem") == true)
    }

    @Test func server_requireClientCertificateEmpty_meansNotRequired() throws {
        let ctx = try TLSContext.server(certFile: certs.serverCertFile, keyFile: certs.serverKeyFile,
                                        requireClientCertificate: "")
        #expect(!ctx.verifiesPeer)
    }

    // MARK: ALPN selection

    private func select(_ offered: [UInt8]) -> (Int32, String?) {
        var out: UnsafePointer<UInt8>?
        var length: UInt8 = 0
        let r = offered.withUnsafeBufferPointer { p in
            TLSContext.selectHTTP11(out: &out, outLength: &length, offered: p.baseAddress, offeredLength: UInt32(p.count))
        }
        guard let out else { return (r, nil) }
        return (r, String(decoding: UnsafeBufferPointer(start: out, count: Int(length)), as: UTF8.self))
    }

    private func wire(_ names: [String]) -> [UInt8] {
        names.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
    }

    @Test func alpn_http11AfterH2_isSelected() {
        #expect(select(wire(["h2", "http/1.1"])) == (SSL_TLSEXT_ERR_OK, "http/1.1"))
    }

    @Test func alpn_onlyHTTP11_isSelected() {
        #expect(select(TLSContext.alpnHTTP11) == (SSL_TLSEXT_ERR_OK, "http/1.1"))
    }

    @Test func alpn_withoutHTTP11_selectsNothing() {
        #expect(select(wire(["h2", "http/1.0", "http/1.10"])) == (SSL_TLSEXT_ERR_NOACK, nil))
    }

    @Test func alpn_malformedOrEmptyLists_selectNothing() {
        #expect(select([]) == (SSL_TLSEXT_ERR_NOACK, nil))
        #expect(select([9] + Array("http/1.1".utf8)) == (SSL_TLSEXT_ERR_NOACK, nil))
        #expect(select([0] + wire(["http/1.1"])) == (SSL_TLSEXT_ERR_NOACK, nil))
    }
}
