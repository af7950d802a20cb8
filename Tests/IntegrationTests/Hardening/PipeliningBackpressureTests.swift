import Foundation
import Testing

/// A client that pipelines requests without reading the answers must not make the gateway queue
/// answers without bound: once `writeHighWater` bytes wait, the connection stops parsing and
/// reading, so TCP pushes back on the client; reading the answers resumes it, in order.
@Suite(.serialized) struct PipeliningBackpressureTests {
    /// Counts status lines in a byte stream (the answers are /v1/models lists: no status-line text
    /// in their bodies), with memchr, keeping a short tail for lines split across reads.
    struct StatusLineCounter {
        private var tail: [UInt8] = []
        private(set) var responses = 0
        private(set) var ok = 0

        mutating func feed(_ bytes: [UInt8]) {
            let data = tail + bytes
            responses += Self.count(Array("HTTP/1.1 ".utf8), in: data)
            ok += Self.count(Array("HTTP/1.1 200 ".utf8), in: data)
            // Keep what could be the start of a split status line; it was not counted yet.
            let keep = min(data.count, 12)
            tail = Array(data.suffix(keep))
            responses -= Self.count(Array("HTTP/1.1 ".utf8), in: tail)
            ok -= Self.count(Array("HTTP/1.1 200 ".utf8), in: tail)
        }

        private static func count(_ needle: [UInt8], in hay: [UInt8]) -> Int {
            var n = 0
            hay.withUnsafeBytes { h in
                needle.withUnsafeBytes { nd in
                    guard let base = h.baseAddress, let nb = nd.baseAddress else { return }
                    var i = 0
                    while i + nd.count <= h.count, let hit = memchr(base + i, Int32(needle[0]), h.count - i) {
                        let at = UnsafeRawPointer(hit) - base
                        if at + nd.count > h.count { break }
                        if memcmp(base + at, nb, nd.count) == 0 { n += 1; i = at + nd.count } else { i = at + 1 }
                    }
                }
            }
            return n
        }
    }

    final class SentCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        private var finished = false
        func add(_ k: Int) { lock.lock(); n += k; lock.unlock() }
        func finish() { lock.lock(); finished = true; lock.unlock() }
        var value: (bytes: Int, finished: Bool) { lock.lock(); defer { lock.unlock() }; return (n, finished) }
    }

    @Test func pipeliningClientThatDoesNotRead_isHeldBack_andMemoryStaysFlat() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(extra: "server: {idle_timeout: 20s}"), mockPort: mock.port)
        defer { gw.stop() }
        // 2.2 MB of requests: more than the socket buffers hold with a small client send buffer
        // (~0.8 MB here); their answers would be ~18 MB.
        let requests = 60_000
        let one = Array("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let c = try TestSocket(port: gw.port, receiveBuffer: 4096, timeout: 30)
        var sndbuf: Int32 = 4096
        setsockopt(c.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, socklen_t(MemoryLayout<Int32>.size))
        let rss0 = ProcFigures.rssKiB(gw.child.pid)
        let sent = SentCounter()
        let fd = c.fd
        Thread.detachNewThread {
            let batch = Array(repeatElement(one, count: 1000).joined())
            for _ in 0..<(requests / 1000) {
                var off = 0
                while off < batch.count {
                    let n = batch[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { sent.finish(); return }
                    off += n
                    sent.add(n)
                }
            }
            sent.finish()
        }
        // The client reads nothing for 2 s.
        usleep(2_000_000)
        let rssHeld = ProcFigures.rssKiB(gw.child.pid)
        let held = sent.value
        #expect(!held.finished, "all \(requests) requests were taken although no answer was read")
        #expect(rssHeld - rss0 < 8 * 1024, "gateway RSS grew by \(rssHeld - rss0) KiB while the client read nothing")
        // Reading the answers resumes the connection: every request is answered, in order.
        var counter = StatusLineCounter()
        let t0 = monotonicSeconds()
        while counter.responses < requests && monotonicSeconds() - t0 < 60 {
            guard let more = c.receive(max: 262_144), !more.isEmpty else { break }
            counter.feed(more)
        }
        #expect(counter.responses == requests)
        #expect(counter.ok == requests)
        #expect(sent.value.bytes == requests * one.count)
    }
}
