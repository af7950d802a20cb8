import CSSL
import Foundation
import Testing
@testable import SluiceCore

/// Handshake and verification of `TLSSession` over a socketpair.
@Suite struct TLSSessionTests {
    let certs: TLSTestCertificates
    let serverContext: TLSContext

    init() throws {
        certs = try TLSTestCertificates.load()
        serverContext = try TLSContext.server(certFile: certs.serverCertFile, keyFile: certs.serverKeyFile)
    }

    private func trustingClient() throws -> TLSContext {
        try TLSContext.client(verify: true, caFile: certs.caFile, clientCertFile: nil, clientKeyFile: nil)
    }

    @Test func handshake_trustedCAAndHostName_completesWithALPN() throws {
        let pair = try TLSTestPair(client: trustingClient(), server: serverContext)
        #expect(!pair.client.isHandshakeComplete)
        let (c, s) = pair.handshake()
        #expect(c == .done(0))
        #expect(s == .done(0))
        #expect(pair.client.isHandshakeComplete && pair.server.isHandshakeComplete)
        #expect(pair.client.negotiatedALPN == "http/1.1")
        #expect(pair.server.negotiatedALPN == "http/1.1")
        #expect(pair.client.protocolVersion == "TLSv1.3")
        #expect(pair.client.verifyError == nil)
        #expect(!pair.client.wasResumed)
        #expect(pair.client.handshake() == .done(0))
    }

    @Test func handshake_ipLiteralInCertificate_completes() throws {
        let pair = try TLSTestPair(client: trustingClient(), server: serverContext, serverName: "127.0.0.1")
        try pair.connect()
        #expect(pair.client.peerName == "127.0.0.1")
    }

    @Test func handshake_ipLiteralNotInCertificate_failsVerification() throws {
        let pair = try TLSTestPair(client: trustingClient(), server: serverContext, serverName: "127.0.0.2")
        let (c, s) = pair.handshake()
        #expect(c == .failed("certificate verify failed: IP address mismatch"))
        #expect(pair.client.verifyError == "IP address mismatch")
        guard case .failed = s else { Issue.record("server: \(s)"); return }
    }

    @Test func handshake_bracketedIPv6Literal_isNotSentAsSNI() throws {
        // ::1 is not in the certificate: verification fails on the IP check, not on SNI setup.
        let pair = try TLSTestPair(client: trustingClient(), server: serverContext, serverName: "[::1]")
        #expect(pair.client.peerName == "::1")
        #expect(pair.handshake().client == .failed("certificate verify failed: IP address mismatch"))
    }

    @Test func handshake_untrustedCA_failsWithVerifyError() throws {
        let client = try TLSContext.client(verify: true, caFile: certs.otherCAFile, clientCertFile: nil, clientKeyFile: nil)
        let pair = try TLSTestPair(client: client, server: serverContext)
        let (c, s) = pair.handshake()
        #expect(c == .failed("certificate verify failed: unable to get local issuer certificate"))
        #expect(pair.client.verifyError == "unable to get local issuer certificate")
        #expect(!pair.client.isHandshakeComplete)
        guard case .failed(let serverText) = s else { Issue.record("server: \(s)"); return }
        #expect(serverText.contains("unknown ca"))
    }

    @Test func handshake_systemStoreOnly_rejectsPrivateCA() throws {
        let pair = try TLSTestPair(client: TLSContext.client(), server: serverContext)
        guard case .failed(let text) = pair.handshake().client else { Issue.record("accepted a private CA"); return }
        #expect(text.hasPrefix("certificate verify failed: "))
    }

    @Test func handshake_wrongHostName_fails() throws {
        let pair = try TLSTestPair(client: trustingClient(), server: serverContext, serverName: "api.example.com")
        #expect(pair.handshake().client == .failed("certificate verify failed: hostname mismatch"))
        #expect(pair.client.verifyError == "hostname mismatch")
    }

    @Test func handshake_sniOverride_isTheVerifiedName() throws {
        let ok = try TLSTestPair(client: trustingClient(), server: serverContext, serverName: "10.1.2.3", sniOverride: "localhost")
        try ok.connect()
        #expect(ok.client.peerName == "localhost")
        let bad = try TLSTestPair(client: trustingClient(), server: serverContext, serverName: "localhost", sniOverride: "other.test")
        #expect(bad.handshake().client == .failed("certificate verify failed: hostname mismatch"))
    }

    @Test func handshake_emptySNIOverride_fallsBackToServerName() throws {
        let pair = try TLSTestPair(client: trustingClient(), server: serverContext, serverName: "localhost", sniOverride: "")
        try pair.connect()
        #expect(pair.client.peerName == "localhost")
    }

    @Test func handshake_verifyDisabled_acceptsUntrustedCAAndWrongName() throws {
        let client = try TLSContext.client(verify: false, caFile: certs.otherCAFile, clientCertFile: nil, clientKeyFile: nil)
        let pair = try TLSTestPair(client: client, server: serverContext, serverName: "wrong.example")
        try pair.connect()
        // The result is still recorded, for logs.
        #expect(pair.client.verifyError == "unable to get local issuer certificate")
    }

    @Test func handshake_plaintextHTTPAtServer_fails() throws {
        let pair = try TLSTestPair(client: trustingClient(), server: serverContext)
        let request = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        #expect(request.withUnsafeBytes { write(pair.clientFD, $0.baseAddress, $0.count) } == request.count)
        guard case .failed(let text) = pair.server.handshake() else { Issue.record("server accepted plaintext"); return }
        #expect(text.contains("http request") || text.contains("wrong version number"))
        #expect(pair.server.failedOnPlainHTTP)
        #expect(ERR_peek_error() == 0)
    }

    @Test func shutdown_twice_sendsOneCloseNotify_andDoesNotReadForThePeers() throws {
        let pair = try TLSTestPair(client: trustingClient(), server: serverContext)
        try pair.connect()
        pair.server.shutdown()
        #expect(TLSTestPair.writeAll(pair.client, Array("late".utf8)) == .done(4))
        pair.server.shutdown()   // must not consume the client's bytes looking for its close_notify
        let (r, bytes) = TLSTestPair.readOnce(pair.server)
        #expect(r == .done(4) && bytes == Array("late".utf8))
        #expect(TLSTestPair.readOnce(pair.client).0 == .closed)
    }

    @Test func handshake_peerClosesBeforeHello_failsWithoutLeakingErrors() throws {
        let pair = try TLSTestPair(client: trustingClient(), server: serverContext)
        #expect(Glibc.shutdown(pair.clientFD, Int32(SHUT_WR)) == 0)
        #expect(pair.server.handshake() == .failed("connection closed by peer during the TLS handshake"))
        #expect(!pair.server.failedOnPlainHTTP)
        #expect(ERR_peek_error() == 0)
    }

    @Test func handshake_notStarted_wantsToWriteOrRead() throws {
        let pair = try TLSTestPair(client: trustingClient(), server: serverContext)
        // The server has nothing to read yet; the client writes its hello and then waits.
        #expect(pair.server.handshake() == .wantRead)
        #expect(pair.client.handshake() == .wantRead)
    }

    @Test func failedSession_answersTheSameFailureForEveryCall() throws {
        let pair = try TLSTestPair(client: trustingClient(), server: serverContext, serverName: "nope.test")
        let failure = TLSIOResult.failed("certificate verify failed: hostname mismatch")
        #expect(pair.handshake().client == failure)
        #expect(pair.client.failure == "certificate verify failed: hostname mismatch")
        #expect(pair.client.handshake() == failure)
        #expect(TLSTestPair.readOnce(pair.client).0 == failure)
        #expect(TLSTestPair.writeAll(pair.client, [1, 2, 3]) == failure)
        pair.client.shutdown()
        #expect(pair.client.savedSession() == nil)
        #expect(ERR_peek_error() == 0)
    }

    @Test func client_withServerContext_throws() throws {
        #expect(throws: TLSError.self) { try TLSSession.client(serverContext, fd: 0, serverName: "localhost") }
    }

    @Test func server_withClientContext_throws() throws {
        let client = try trustingClient()
        #expect(throws: TLSError.self) { try TLSSession.server(client, fd: 0) }
    }

    @Test func client_verifyingWithoutName_throws() throws {
        let client = try trustingClient()
        let error = #expect(throws: TLSError.self) { try TLSSession.client(client, fd: 0, serverName: "") }
        #expect(error?.description == "no server name to verify the certificate against")
    }
}
