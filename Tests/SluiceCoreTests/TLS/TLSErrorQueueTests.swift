import CSSL
import Foundation
import Testing
@testable import SluiceCore

/// Draining OpenSSL's per-thread error queue into `TLSError` text.
@Suite struct TLSErrorQueueTests {
    /// Makes OpenSSL queue errors on this thread by loading a missing key `times` times.
    private func provokeErrors(times: Int) throws {
        let ctx = try #require(SSL_CTX_new(TLS_client_method()))
        defer { SSL_CTX_free(ctx) }
        for _ in 0..<times { #expect(SSL_CTX_use_PrivateKey_file(ctx, "/nonexistent/key.pem", SSL_FILETYPE_PEM) != 1) }
    }

    @Test func drain_emptyQueue_isEmptyText() {
        TLSErrorQueue.clear()
        #expect(TLSErrorQueue.drain() == "")
    }

    @Test func drain_queuedErrors_returnsReasonsAndEmptiesTheQueue() throws {
        TLSErrorQueue.clear()
        try provokeErrors(times: 1)
        #expect(ERR_peek_error() != 0)
        let text = TLSErrorQueue.drain()
        #expect(text.contains("No such file or directory") || text.contains("system lib"))
        #expect(text.contains("/nonexistent/key.pem"))
        #expect(ERR_peek_error() == 0)
        #expect(TLSErrorQueue.drain() == "")
    }

    @Test func drain_manyErrors_keepsAtMostMaxEntries() throws {
        TLSErrorQueue.clear()
        try provokeErrors(times: 8)
        let text = TLSErrorQueue.drain()
        #expect(text.split(separator: ";").count == TLSErrorQueue.maxEntries)
        #expect(ERR_peek_error() == 0)
    }

    @Test func error_prefixesWhatFailed() throws {
        TLSErrorQueue.clear()
        #expect(TLSErrorQueue.error("cannot do it").description == "cannot do it")
        try provokeErrors(times: 1)
        let error = TLSErrorQueue.error("cannot load key")
        #expect(error.description.hasPrefix("cannot load key: "))
        #expect(ERR_peek_error() == 0)
    }
}
