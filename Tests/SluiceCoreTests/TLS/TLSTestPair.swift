import Foundation
@testable import SluiceCore

/// A connected non-blocking `socketpair(AF_UNIX, SOCK_STREAM)` with a client TLS session on one
/// end and a server TLS session on the other, driven step by step in one thread.
final class TLSTestPair {
    let clientFD: Int32
    let serverFD: Int32
    let client: TLSSession
    let server: TLSSession

    init(client clientContext: TLSContext, server serverContext: TLSContext, serverName: String = "localhost",
         sniOverride: String? = nil, session: TLSSavedSession? = nil) throws {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds) == 0 else {
            throw TLSTestCertificateError(message: "socketpair failed: errno \(errno)")
        }
        clientFD = fds[0]
        serverFD = fds[1]
        do {
            client = try TLSSession.client(clientContext, fd: fds[0], serverName: serverName,
                                           sniOverride: sniOverride, session: session)
            server = try TLSSession.server(serverContext, fd: fds[1])
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
    }

    deinit {
        close(clientFD)
        close(serverFD)
    }

    /// Steps both handshakes alternately until each side is done or failed, or `maxRounds` pass.
    /// A side still waiting at the end reports its last `.wantRead`/`.wantWrite`.
    func handshake(maxRounds: Int = 50) -> (client: TLSIOResult, server: TLSIOResult) {
        var c = TLSIOResult.wantRead
        var s = TLSIOResult.wantRead
        for _ in 0..<maxRounds {
            if !Self.isFinal(c) { c = client.handshake() }
            if !Self.isFinal(s) { s = server.handshake() }
            if Self.isFinal(c), Self.isFinal(s) { break }
        }
        return (c, s)
    }

    /// Runs the handshake and fails with its results unless both sides completed.
    func connect() throws {
        let (c, s) = handshake()
        guard c == .done(0), s == .done(0) else {
            throw TLSTestCertificateError(message: "handshake failed: client \(c), server \(s)")
        }
    }

    /// Sends `bytes` from `sender` to `receiver`, alternating writes (partial as the socket allows)
    /// and reads of up to `readChunk` bytes, for at most `maxRounds` rounds.
    static func transfer(_ bytes: [UInt8], from sender: TLSSession, to receiver: TLSSession,
                         readChunk: Int = 16_384, maxRounds: Int = 10_000) -> TLSTestTransfer {
        var result = TLSTestTransfer()
        var sent = 0
        var chunk = [UInt8](repeating: 0, count: readChunk)
        for _ in 0..<maxRounds where result.received.count < bytes.count {
            if sent < bytes.count {
                let r = bytes.withUnsafeBytes { b in sender.write(UnsafeRawBufferPointer(rebasing: b[sent...])) }
                switch r {
                case .done(let n):
                    if n < bytes.count - sent { result.partialWrites += 1 }
                    sent += n
                case .wantRead, .wantWrite: result.blockedWrites += 1
                case .closed, .failed: result.errors.append(r); return result
                }
            }
            readLoop: while true {
                let r = chunk.withUnsafeMutableBytes { receiver.read(into: $0) }
                switch r {
                case .done(let n): result.received += chunk[0..<n]
                case .wantRead, .wantWrite: break readLoop
                case .closed, .failed: result.errors.append(r); return result
                }
            }
        }
        return result
    }

    /// Reads once into a buffer of `capacity` bytes.
    static func readOnce(_ session: TLSSession, capacity: Int = 16_384) -> (TLSIOResult, [UInt8]) {
        var buffer = [UInt8](repeating: 0, count: capacity)
        let r = buffer.withUnsafeMutableBytes { session.read(into: $0) }
        if case .done(let n) = r { return (r, Array(buffer[0..<n])) }
        return (r, [])
    }

    /// Writes all of `bytes` or returns the first result that is not `.done`.
    @discardableResult
    static func writeAll(_ session: TLSSession, _ bytes: [UInt8]) -> TLSIOResult {
        var sent = 0
        while sent < bytes.count {
            let r = bytes.withUnsafeBytes { b in session.write(UnsafeRawBufferPointer(rebasing: b[sent...])) }
            guard case .done(let n) = r else { return r }
            sent += n
        }
        return .done(sent)
    }

    private static func isFinal(_ r: TLSIOResult) -> Bool {
        switch r {
        case .done, .failed, .closed: true
        case .wantRead, .wantWrite: false
        }
    }
}

/// What `TLSTestPair.transfer` saw.
struct TLSTestTransfer {
    var received: [UInt8] = []
    var partialWrites = 0
    var blockedWrites = 0
    var errors: [TLSIOResult] = []
}
