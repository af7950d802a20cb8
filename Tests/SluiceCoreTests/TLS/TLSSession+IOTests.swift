import CSSL
import Foundation
import Testing
@testable import SluiceCore

/// Data transfer, buffering and closing of `TLSSession` over a socketpair.
@Suite struct TLSSessionIOTests {
    let pair: TLSTestPair

    init() throws {
        let certs = try TLSTestCertificates.load()
        let server = try TLSContext.server(certFile: certs.serverCertFile, keyFile: certs.serverKeyFile)
        let client = try TLSContext.client(verify: true, caFile: certs.caFile, clientCertFile: nil, clientKeyFile: nil)
        pair = try TLSTestPair(client: client, server: server)
        try pair.connect()
    }

    @Test func roundTrip_smallMessages_bothWays() {
        let request = Array("POST /v1/chat/completions HTTP/1.1\r\n\r\n".utf8)
        let up = TLSTestPair.transfer(request, from: pair.client, to: pair.server)
        #expect(up.received == request)
        #expect(up.errors.isEmpty)
        let response = Array("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".utf8)
        let down = TLSTestPair.transfer(response, from: pair.server, to: pair.client)
        #expect(down.received == response)
        #expect(down.errors.isEmpty)
    }

    @Test func roundTrip_oneMegabyte_inPartialWritesBothWays() {
        var bytes = [UInt8](repeating: 0, count: 1 << 20)
        var x: UInt32 = 2_463_534_242
        for i in bytes.indices {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5
            bytes[i] = UInt8(truncatingIfNeeded: x)
        }
        let up = TLSTestPair.transfer(bytes, from: pair.client, to: pair.server)
        #expect(up.errors.isEmpty)
        #expect(up.received.count == bytes.count)
        #expect(up.received == bytes)
        // The socket buffer is far smaller than 1 MiB: the writer must have been cut short.
        #expect(up.partialWrites + up.blockedWrites > 0)
        let down = TLSTestPair.transfer(bytes, from: pair.server, to: pair.client, readChunk: 1000)
        #expect(down.errors.isEmpty)
        #expect(down.received == bytes)
    }

    @Test func write_blockedBySocket_wantsWriteThenResumesWithMovedBuffer() {
        let big = [UInt8](repeating: 7, count: 4 << 20)
        var sent = 0
        var result = TLSIOResult.done(0)
        while case .done(let n) = result, sent < big.count {
            sent += n
            result = big.withUnsafeBytes { pair.client.write(UnsafeRawBufferPointer(rebasing: $0[sent...])) }
        }
        #expect(result == .wantWrite)
        #expect(sent < big.count)
        // Drain the server a little, then retry from a copy at another address.
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        var drained = 0
        while case .done(let n) = buffer.withUnsafeMutableBytes({ pair.server.read(into: $0) }) { drained += n }
        #expect(drained > 0)
        let copy = Array(big[sent...])
        let retry = copy.withUnsafeBytes { pair.client.write($0) }
        guard case .done(let n) = retry else { Issue.record("retry: \(retry)"); return }
        #expect(n > 0)
    }

    @Test func read_smallBuffer_leavesPendingBytes() {
        #expect(TLSTestPair.writeAll(pair.server, [UInt8](repeating: 65, count: 100)) == .done(100))
        #expect(pair.client.pendingBytes == 0)
        let (r, bytes) = TLSTestPair.readOnce(pair.client, capacity: 10)
        #expect(r == .done(10))
        #expect(bytes == [UInt8](repeating: 65, count: 10))
        #expect(pair.client.pendingBytes == 90)
        #expect(TLSTestPair.readOnce(pair.client, capacity: 200).0 == .done(90))
        #expect(pair.client.pendingBytes == 0)
        #expect(TLSTestPair.readOnce(pair.client).0 == .wantRead)
    }

    @Test func readAndWrite_emptyBuffers_doNothing() {
        #expect(pair.client.write(UnsafeRawBufferPointer(start: nil, count: 0)) == .done(0))
        #expect(pair.client.read(into: UnsafeMutableRawBufferPointer(start: nil, count: 0)) == .done(0))
        #expect(TLSTestPair.readOnce(pair.server).0 == .wantRead)
    }

    @Test func shutdown_sendsCloseNotify_peerReadsClosed() {
        #expect(TLSTestPair.writeAll(pair.client, Array("last".utf8)) == .done(4))
        pair.client.shutdown()
        let (first, bytes) = TLSTestPair.readOnce(pair.server)
        #expect(first == .done(4))
        #expect(bytes == Array("last".utf8))
        #expect(TLSTestPair.readOnce(pair.server).0 == .closed)
        #expect(pair.server.peerSentCloseNotify)
        #expect(ERR_peek_error() == 0)
    }

    @Test func read_endOfStreamWithoutCloseNotify_isClosedButDistinguishable() {
        #expect(Glibc.shutdown(pair.clientFD, Int32(SHUT_WR)) == 0)
        #expect(TLSTestPair.readOnce(pair.server).0 == .closed)
        #expect(!pair.server.peerSentCloseNotify)
        #expect(ERR_peek_error() == 0)
        // OpenSSL must not be driven after this: later steps repeat the answer, shutdown does nothing.
        #expect(TLSTestPair.readOnce(pair.server).0 == .closed)
        #expect(pair.server.write(UnsafeRawBufferPointer(start: nil, count: 0)) == .closed)
        pair.server.shutdown()
        #expect(pair.server.failure == nil)
        #expect(ERR_peek_error() == 0)
    }

    @Test func write_peerGone_failsWithTheSystemError() {
        // OpenSSL writes with write(2): the daemon blocks SIGPIPE; here it is ignored instead.
        signal(SIGPIPE, SIG_IGN)
        #expect(Glibc.shutdown(pair.clientFD, Int32(SHUT_RDWR)) == 0)
        let r = TLSTestPair.writeAll(pair.server, Array("response".utf8))
        #expect(r == .failed("Broken pipe"))
        #expect(pair.server.failure == "Broken pipe")
        #expect(ERR_peek_error() == 0)
    }

    @Test func read_garbageRecordAfterHandshake_fails() {
        let junk = [UInt8](repeating: 0x17, count: 64)
        #expect(junk.withUnsafeBytes { write(pair.clientFD, $0.baseAddress, $0.count) } == junk.count)
        guard case .failed = TLSTestPair.readOnce(pair.server).0 else { Issue.record("garbage accepted"); return }
        #expect(pair.server.failure != nil)
        #expect(ERR_peek_error() == 0)
    }

    @Test func shutdown_twice_isHarmless() {
        pair.client.shutdown()
        pair.client.shutdown()
        #expect(TLSTestPair.readOnce(pair.server).0 == .closed)
    }
}
