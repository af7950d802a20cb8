import CSSL
import Foundation
import Testing
@testable import SluiceCore

/// Session saving and resumption (`TLSSession.savedSession()`, `TLSSavedSession`).
@Suite struct TLSSessionResumptionTests {
    let certs: TLSTestCertificates
    let serverContext: TLSContext
    let clientContext: TLSContext

    init() throws {
        certs = try TLSTestCertificates.load()
        serverContext = try TLSContext.server(certFile: certs.serverCertFile, keyFile: certs.serverKeyFile)
        clientContext = try TLSContext.client(verify: true, caFile: certs.caFile, clientCertFile: nil, clientKeyFile: nil)
    }

    /// A full handshake, one response byte read (which brings the TLS 1.3 tickets), then the session.
    /// The connection is then dropped without a close_notify, which must not spoil the saved copy.
    private func savedSession(_ client: TLSContext, serverName: String = "localhost") throws -> TLSSavedSession {
        let pair = try TLSTestPair(client: client, server: serverContext, serverName: serverName)
        try pair.connect()
        #expect(!pair.client.wasResumed)
        #expect(TLSTestPair.writeAll(pair.server, [42]) == .done(1))
        #expect(TLSTestPair.readOnce(pair.client).0 == .done(1))
        return try #require(pair.client.savedSession())
    }

    @Test func secondHandshake_withSavedSession_isResumed() throws {
        let saved = try savedSession(clientContext)
        #expect(saved.serverName == "localhost")
        #expect(saved.context === clientContext)
        let pair = try TLSTestPair(client: clientContext, server: serverContext, session: saved)
        try pair.connect()
        #expect(pair.client.wasResumed)
        #expect(pair.server.wasResumed)
        #expect(pair.client.negotiatedALPN == "http/1.1")
        let message = Array("resumed".utf8)
        #expect(TLSTestPair.transfer(message, from: pair.client, to: pair.server).received == message)
    }

    @Test func tls13_beforeTicketsAreRead_nothingToSave() throws {
        let pair = try TLSTestPair(client: clientContext, server: serverContext)
        #expect(pair.client.savedSession() == nil)
        try pair.connect()
        #expect(pair.client.protocolVersion == "TLSv1.3")
        #expect(pair.client.savedSession() == nil)
        #expect(TLSTestPair.readOnce(pair.client).0 == .wantRead)
        #expect(pair.client.savedSession() != nil)
    }

    @Test func tls12_sessionIsSavableRightAfterHandshake_andResumes() throws {
        let client = try TLSContext.client(verify: true, caFile: certs.caFile, clientCertFile: nil, clientKeyFile: nil)
        #expect(CSSL_CTX_set_max_proto_version(client.raw, TLS1_2_VERSION) == 1)
        let first = try TLSTestPair(client: client, server: serverContext)
        try first.connect()
        #expect(first.client.protocolVersion == "TLSv1.2")
        #expect(first.client.negotiatedALPN == "http/1.1")
        let saved = try #require(first.client.savedSession())
        let second = try TLSTestPair(client: client, server: serverContext, session: saved)
        try second.connect()
        #expect(second.client.wasResumed)
    }

    @Test func savedSession_forAnotherName_isNotOffered() throws {
        let saved = try savedSession(clientContext)
        let pair = try TLSTestPair(client: clientContext, server: serverContext, serverName: "127.0.0.1", session: saved)
        try pair.connect()
        #expect(!pair.client.wasResumed)
    }

    @Test func savedSession_fromNonVerifyingContext_isNotOfferedToVerifyingOne() throws {
        let lax = try TLSContext.client(verify: false, caFile: nil, clientCertFile: nil, clientKeyFile: nil)
        let saved = try savedSession(lax)
        let pair = try TLSTestPair(client: clientContext, server: serverContext, session: saved)
        try pair.connect()
        #expect(!pair.client.wasResumed)
    }

    @Test func savedSession_reusedTwice_resumesBoth() throws {
        let saved = try savedSession(clientContext)
        for _ in 0..<2 {
            let pair = try TLSTestPair(client: clientContext, server: serverContext, session: saved)
            try pair.connect()
            #expect(pair.client.wasResumed)
        }
    }

    @Test func serverSide_hasNoSessionToSave() throws {
        let pair = try TLSTestPair(client: clientContext, server: serverContext)
        try pair.connect()
        #expect(pair.server.savedSession() == nil)
    }
}
