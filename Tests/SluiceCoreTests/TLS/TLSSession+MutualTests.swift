import Foundation
import Testing
@testable import SluiceCore

/// Mutual TLS: a server context that requires a client certificate from its CA.
@Suite struct TLSSessionMutualTests {
    let certs: TLSTestCertificates
    let serverContext: TLSContext

    init() throws {
        certs = try TLSTestCertificates.load()
        serverContext = try TLSContext.server(certFile: certs.serverCertFile, keyFile: certs.serverKeyFile,
                                              requireClientCertificate: certs.caFile)
    }

    /// Drives a handshake whose failure may surface on the client only at its first read (TLS 1.3
    /// clients finish before the server has judged their certificate).
    private func rejection(_ client: TLSContext) throws -> (client: TLSIOResult, server: TLSIOResult) {
        let pair = try TLSTestPair(client: client, server: serverContext)
        var (c, s) = pair.handshake()
        if c == .done(0) { c = TLSTestPair.readOnce(pair.client).0 }
        #expect(!pair.server.isHandshakeComplete)
        return (c, s)
    }

    @Test func serverContext_requiringCertificates_verifiesPeers() {
        #expect(serverContext.verifiesPeer)
        #expect(serverContext.isServer)
    }

    @Test func clientWithoutCertificate_isRejected() throws {
        let client = try TLSContext.client(verify: true, caFile: certs.caFile, clientCertFile: nil, clientKeyFile: nil)
        let (c, s) = try rejection(client)
        guard case .failed(let serverText) = s else { Issue.record("server: \(s)"); return }
        #expect(serverText.contains("peer did not return a certificate"))
        guard case .failed(let clientText) = c else { Issue.record("client: \(c)"); return }
        #expect(clientText.contains("certificate required"))
    }

    @Test func clientWithCertificateFromItsCA_isAccepted() throws {
        let client = try TLSContext.client(verify: true, caFile: certs.caFile,
                                           clientCertFile: certs.clientCertFile, clientKeyFile: certs.clientKeyFile)
        let pair = try TLSTestPair(client: client, server: serverContext)
        try pair.connect()
        #expect(pair.server.verifyError == nil)
        let message = Array("hello over mTLS".utf8)
        #expect(TLSTestPair.transfer(message, from: pair.client, to: pair.server).received == message)
        #expect(TLSTestPair.transfer(message, from: pair.server, to: pair.client).received == message)
    }

    @Test func clientPresentingAServerOnlyCertificate_isRejectedWithVerifyError() throws {
        // Signed by the right CA, but its extended key usage is serverAuth only.
        let client = try TLSContext.client(verify: true, caFile: certs.caFile,
                                           clientCertFile: certs.serverCertFile, clientKeyFile: certs.serverKeyFile)
        let (_, s) = try rejection(client)
        #expect(s == .failed("certificate verify failed: unsuitable certificate purpose"))
    }

    @Test func resumedMutualSession_needsNoCertificateAgain() throws {
        let client = try TLSContext.client(verify: true, caFile: certs.caFile,
                                           clientCertFile: certs.clientCertFile, clientKeyFile: certs.clientKeyFile)
        let first = try TLSTestPair(client: client, server: serverContext)
        try first.connect()
        #expect(TLSTestPair.writeAll(first.server, [1]) == .done(1))
        #expect(TLSTestPair.readOnce(first.client).0 == .done(1))
        let saved = try #require(first.client.savedSession())
        let second = try TLSTestPair(client: client, server: serverContext, session: saved)
        try second.connect()
        #expect(second.client.wasResumed)
        #expect(second.server.wasResumed)
    }
}
