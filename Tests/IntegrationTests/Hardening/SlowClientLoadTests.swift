import Foundation
import Testing

/// 500 slowloris connections and 100 slow readers against one gateway while keep-alive clients
/// keep sending ordinary requests (SPEC §8: "slow clients are cut at header_timeout").
///
/// - Slowloris: each sends a request head one byte every 100 ms; each must get 408 and a close
///   `header_timeout` after its first byte (timed per connection on the client side).
/// - Slow readers: receive buffer of 4 KiB, a ~30 KB stream or a ~20 KB JSON answer, read 8 bytes
///   every 200 ms, so the client takes nothing more after the first few KB. Each must be
///   closed by the gateway `idle_timeout` after its request (the send/idle timeout: no byte taken).
///   Timed per connection on the gateway side: the moment the gateway's socket for that client
///   loses its owner in /proc/PID/net/tcp (sampled every 50 ms). Afterwards each reader finds EOF.
///   Their answers come from a second mock, so the load's backend is not busy rendering them.
///   (These answers fit in the kernel's socket buffers, so here the idle timeout after the
///   answer is the bound; `SlowReaderTests` covers answers larger than those buffers.)
/// - Meanwhile 8 keep-alive clients (one request each per 10 ms) keep p99 under 50 ms, and the
///   backends record no failure (their `idle` timeout is shorter than the clients' stall). The
///   50 ms verdict needs a machine quiet enough to give it: when the same load alone, just before,
///   has a p99 of 25 ms or more (other jobs, suites running in parallel), the test says so and only
///   checks that nothing stalled (p99 under 1 s).
@Suite(.serialized) struct SlowClientLoadTests {
    static let headerTimeout = 2.0
    static let idleTimeout = 4.0
    static let lorisCount = 500
    static let readerCount = 100
    static let loadConnections = 8
    /// Scheduling headroom on a shared 2-core machine (timers fire late, never early); smaller than
    /// the gap between the two timeouts, so a connection cut by the wrong one is caught.
    static let slack = 1.5
    /// The keep-alive load's p99 without slow clients above which the machine is too busy for a
    /// 50 ms verdict (other jobs, parallel suites): half the bound. The test then only checks that
    /// nothing stalls.
    static let quietBaselineP99 = 0.025

    static let config = """
        version: 1
        listen: {address: 127.0.0.1:0}
        admin: {address: 127.0.0.1:0}
        logging: {level: warn, access_log: off}
        server: {workers: 2, max_connections: 2000, header_timeout: 2s, idle_timeout: 4s}
        backends:
          - name: mock
            endpoints: ["http://{MOCK}"]
            timeouts: {connect: 1s, first_byte: 5s, idle: 1s, total: 60s}
          - name: big
            endpoints: ["http://{BIG}"]
            timeouts: {connect: 1s, first_byte: 5s, idle: 1s, total: 60s}
        routes:
          - name: default
            models: ["gpt-4o-mini"]
            backends: [{backend: mock}]
          - name: big
            models: ["big-model"]
            backends: [{backend: big}]
        """

    /// Samples, every 50 ms, which client ports the gateway process still holds a socket for
    /// (its accepted sockets: local port = the data port, inode ≠ 0; a closed socket that the kernel
    /// still drains, or one in TIME_WAIT, has inode 0).
    final class OwnedSocketSampler: @unchecked Sendable {
        private let lock = NSLock()
        private var lastSeen: [Int: Double] = [:]
        private var goneAt: [Int: Double] = [:]
        private var maxOwned = 0
        private var running = true
        private let done = DispatchSemaphore(value: 0)

        init(dataPort: Int) {
            Thread.detachNewThread { [self] in
                defer { done.signal() }
                // Lines look like "  12: 0100007F:A3F1 0100007F:D2C4 01 … 0 0 123456 …" (local, remote,
                // state, …, inode): only those whose local address ends in ":<data port in hex>" count.
                let key = Array(String(format: ":%04X", dataPort).utf8)
                while isRunning {
                    let t = monotonicSeconds()
                    var owned: [Int] = []
                    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
                        guard let text = ProcFigures.readProcFile(table) else { continue }
                        for line in Array(text.utf8).split(separator: 10).dropFirst() {
                            let f = line.split(separator: 0x20)
                            guard f.count > 9, f[1].count > key.count, f[1].suffix(key.count).elementsEqual(key),
                                  !f[9].elementsEqual([0x30]),
                                  let rp = Int(String(decoding: f[2].suffix(4), as: UTF8.self), radix: 16), rp != 0
                            else { continue }
                            owned.append(rp)
                        }
                    }
                    lock.lock()
                    for p in owned { lastSeen[p] = t }
                    for (p, seen) in lastSeen where seen < t && goneAt[p] == nil { goneAt[p] = t }
                    maxOwned = max(maxOwned, owned.count)
                    lock.unlock()
                    usleep(50_000)
                }
            }
        }

        private var isRunning: Bool { lock.lock(); defer { lock.unlock() }; return running }

        func stop() {
            lock.lock()
            let was = running
            running = false
            lock.unlock()
            if was { _ = done.wait(timeout: .now() + 5) }
        }

        /// Last time the gateway held the socket of client port `port`.
        func lastSeen(_ port: Int) -> Double? { lock.lock(); defer { lock.unlock() }; return lastSeen[port] }
        /// First sample time at which the gateway no longer held it (it closed it in between).
        func goneAt(_ port: Int) -> Double? { lock.lock(); defer { lock.unlock() }; return goneAt[port] }
        var mostOwnedAtOnce: Int { lock.lock(); defer { lock.unlock() }; return maxOwned }
    }

    final class Loris {
        let sock: TestSocket
        var firstByteAt = 0.0
        var nextSendAt: Double
        var sent = 0
        var answer: [UInt8] = []
        var answeredAt = 0.0
        var eof = false
        init(_ s: TestSocket, start: Double) { sock = s; nextSendAt = start }
    }

    final class Reader {
        let sock: TestSocket
        let port: Int
        let request: String
        let startAt: Double
        var sentAt = 0.0
        var nextReadAt = 0.0
        var head: [UInt8] = []
        init(_ s: TestSocket, request: String, startAt: Double) {
            sock = s
            self.request = request
            self.startAt = startAt
            var a = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s.fd, $0, &len) } }
            port = Int(UInt16(bigEndian: a.sin_port))
        }
    }

    static func seconds(_ x: Double) -> String { String(format: "%.3f", x) }

    @Test func slowlorisAndSlowReaders_areCutAtTheirTimeouts_whileKeepAliveLoadStaysFast() throws {
        let prioritized = ProcFigures.raisePriority()
        defer { ProcFigures.resetPriority() }
        let limit = ProcFigures.raiseFDLimit(to: 8192)
        #expect(limit >= 2048, "fd limit \(limit) too low for \(Self.lorisCount + Self.readerCount) connections")
        let mock = try MockServer()
        defer { mock.stop() }
        let big = try MockServer()
        defer { big.stop() }
        let gw = try GatewayServer(yaml: Self.config.replacingOccurrences(of: "{BIG}", with: "127.0.0.1:\(big.port)"), mockPort: mock.port)
        defer { gw.stop() }
        // The baseline once start-up has opened its descriptors (threads may still be creating their
        // epoll/event fds right after the ports answer): the count held still for 300 ms.
        var fds0 = ProcFigures.openFDs(gw.child.pid)
        _ = waitUntil(timeout: 5) {
            usleep(300_000)
            let n = ProcFigures.openFDs(gw.child.pid)
            defer { fds0 = n }
            return n == fds0
        }

        let load = KeepAliveLoad(port: gw.port, connections: Self.loadConnections, pause: 0.01, maxSeconds: 40,
                                 request: keepAliveChatRequest())
        defer { load.stop() }
        let sampler = OwnedSocketSampler(dataPort: gw.port)
        defer { sampler.stop() }
        usleep(500_000)   // load warm-up (pooled upstream connections, first allocations)
        let baselineStart = monotonicSeconds()
        usleep(1_000_000)   // the load alone: how quiet is the machine?

        // Every connection is opened first; the driver loop then starts them on a schedule: the
        // readers' requests 10 ms apart, the heads' first bytes in ten waves 10 ms apart.
        let t0 = monotonicSeconds() + 0.2
        var readers: [Reader] = []
        for i in 0..<Self.readerCount {
            let req = i % 2 == 0
                ? keepAliveChatRequest(model: "big-model", maxTokens: 200, stream: true)
                : keepAliveChatRequest(model: "big-model", maxTokens: 5000)
            readers.append(Reader(try TestSocket(port: gw.port, receiveBuffer: 4096, nonBlocking: true), request: req,
                                  startAt: t0 + Double(i) * 0.01))
        }
        let head = Array("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\nX-Pad: \(String(repeating: "z", count: 24))\r\n\r\n".utf8)
        var loris: [Loris] = []
        for i in 0..<Self.lorisCount {
            loris.append(Loris(try TestSocket(port: gw.port, nonBlocking: true), start: t0 + Double(i % 10) * 0.01))
        }

        // One thread drives all 600 sockets: trickle heads, sip answers, notice 408s and closes.
        let deadline = t0 + 1 + Self.idleTimeout + Self.slack + 2
        var pfds = [pollfd](repeating: pollfd(), count: loris.count)
        while monotonicSeconds() < deadline {
            let now = monotonicSeconds()
            for r in readers where r.sentAt == 0 && now >= r.startAt {
                #expect(r.sock.send(r.request) == r.request.utf8.count)
                r.sentAt = now
                r.nextReadAt = now + 0.05
            }
            for l in loris where !l.eof && l.answer.isEmpty && now >= l.nextSendAt && l.sent < head.count {
                if l.sock.send(head[l.sent..<(l.sent + 1)]) == 1 {
                    if l.sent == 0 { l.firstByteAt = now }
                    l.sent += 1
                }
                l.nextSendAt += 0.1
            }
            for r in readers where r.sentAt > 0 && now >= r.nextReadAt {
                if let b = r.sock.receive(max: 8), !b.isEmpty, r.head.count < 16 { r.head += b }
                r.nextReadAt += 0.2
            }
            for (i, l) in loris.enumerated() {
                pfds[i] = pollfd(fd: l.eof ? -1 : l.sock.fd, events: Int16(POLLIN), revents: 0)
            }
            _ = poll(&pfds, nfds_t(pfds.count), 10)
            let t = monotonicSeconds()
            for (i, l) in loris.enumerated() where pfds[i].revents != 0 && !l.eof {
                while let b = l.sock.receive(max: 4096) {
                    if b.isEmpty { l.eof = true; break }
                    if l.answer.isEmpty { l.answeredAt = t }
                    l.answer += b
                }
                if l.sock.lastErrno == ECONNRESET { l.eof = true }
                if l.eof { l.sock.close() }   // else the gateway lingers 2 s before it closes
            }
            let lastReaderStart = readers.last?.startAt ?? t0
            if t > lastReaderStart + Self.idleTimeout, loris.allSatisfy(\.eof), readers.allSatisfy({ sampler.goneAt($0.port) != nil }) {
                break
            }
        }
        let windowEnd = monotonicSeconds()
        sampler.stop()

        // Every slowloris: 408 request_timeout, then closed, header_timeout after its first byte.
        var lorisCuts: [Double] = []
        for l in loris {
            let text = String(decoding: l.answer, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 408 "), "slowloris answer: \(text.prefix(80))")
            #expect(text.contains("request_timeout"))
            #expect(l.eof)
            if l.answeredAt > 0 { lorisCuts.append(l.answeredAt - l.firstByteAt) }
        }
        lorisCuts.sort()
        let lorisMin = lorisCuts.first ?? -1, lorisMax = lorisCuts.last ?? -1
        #expect(lorisCuts.count == Self.lorisCount)
        // Timers count from the loop's cached clock, which a busy loop reads a little early.
        #expect(lorisMin >= Self.headerTimeout - 0.1, "a slowloris was cut after \(lorisMin) s, before header_timeout")
        #expect(lorisMax <= Self.headerTimeout + Self.slack, "a slowloris was cut only after \(lorisMax) s")

        // Every slow reader got its answer head, then the gateway closed it idle_timeout later.
        var readerCuts: [Double] = []
        for r in readers {
            #expect(String(decoding: r.head, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
            // The close happened after the last sample that saw the socket and before the first that did
            // not: sound bounds however sparse the samples (a starved sampler thread) were.
            guard let last = sampler.lastSeen(r.port), let gone = sampler.goneAt(r.port) else {
                Issue.record("the gateway never held, or never closed, slow reader port \(r.port)")
                continue
            }
            readerCuts.append(gone - r.sentAt)
            #expect(gone - r.sentAt >= Self.idleTimeout - 0.1, "a slow reader was gone \(gone - r.sentAt) s after its request, before idle_timeout")
            #expect(last - r.sentAt <= Self.idleTimeout + Self.slack, "a slow reader was still held \(last - r.sentAt) s after its request")
        }
        readerCuts.sort()
        let readerMin = readerCuts.first ?? -1, readerMax = readerCuts.last ?? -1
        #expect(readerCuts.count == Self.readerCount)
        #expect(sampler.mostOwnedAtOnce >= Self.lorisCount + Self.readerCount)
        // Each reader now drains what its kernel holds and finds the close.
        for r in readers {
            _ = fcntl(r.sock.fd, F_SETFL, fcntl(r.sock.fd, F_GETFL) & ~O_NONBLOCK)
            var tv = timeval(tv_sec: 3, tv_usec: 0)
            setsockopt(r.sock.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var sawEnd = false
            while let b = r.sock.receive(max: 65536) {
                if b.isEmpty { sawEnd = true; break }
            }
            if !sawEnd && r.sock.lastErrno == ECONNRESET { sawEnd = true }
            #expect(sawEnd, "slow reader still open (errno \(r.sock.lastErrno))")
        }

        // The keep-alive load: every request answered, p99 under 50 ms while the slow clients ran.
        let baseline = load.recorder.latencies(in: baselineStart...t0)
        let baseP99 = LatencyRecorder.percentile(baseline, 0.99)
        let lat = load.recorder.latencies(in: t0...windowEnd)
        load.stop()
        let p50 = LatencyRecorder.percentile(lat, 0.50) * 1000, p99 = LatencyRecorder.percentile(lat, 0.99) * 1000
        let slowest = load.recorder.slow(over: 0.05).map { "+\(Self.seconds($0.at - t0)) s: \(Int($0.latency * 1000)) ms" }
        print("slow clients: slowloris cut \(Self.seconds(lorisMin))…\(Self.seconds(lorisMax)) s after their first byte;"
              + " slow readers cut \(Self.seconds(readerMin))…\(Self.seconds(readerMax)) s after their request;"
              + " keep-alive load \(lat.count) requests, p50 \(String(format: "%.2f", p50)) ms, p99 \(String(format: "%.2f", p99)) ms,"
              + " max \(String(format: "%.1f", (lat.last ?? 0) * 1000)) ms" + (prioritized ? " (nice -5)" : "")
              + "; without slow clients p99 \(String(format: "%.2f", baseP99 * 1000)) ms")
        #expect(load.recorder.failureList.isEmpty, "load failures: \(load.recorder.failureList.prefix(5))")
        #expect(lat.count > 300)
        if baseP99 < Self.quietBaselineP99 {
            #expect(p99 < 50, "keep-alive p99 \(p99) ms under slow clients; over 50 ms: \(slowest.prefix(20))")
        } else {
            print("slow clients: machine too busy for the 50 ms verdict (p99 \(baseP99 * 1000) ms without slow clients);"
                  + " only checking that nothing stalled")
            #expect(p99 < 1000, "keep-alive p99 \(p99) ms under slow clients on a busy machine; over 50 ms: \(slowest.prefix(20))")
        }

        // Nothing was blamed on the backends, and the gateway is back to its baseline.
        let eps = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/backends").json()["endpoints"] as? [[String: Any]] ?? []
        #expect(eps.reduce(0) { $0 + ($1["failures"] as? Int ?? 0) } == 0)
        #expect(waitUntil(timeout: 5) {
            ((try? HTTPClient.request(port: gw.adminPort, method: "GET", path: "/stats").json())?["connections"] as? [String: Any])?["active"] as? Int == 0
        })
        // Every client-side socket is released; what remains beyond the baseline is pooled
        // keep-alive connections to the mocks.
        var fds1 = 0
        var accepted: [ProcFigures.TCPSocket] = [], upstream: [ProcFigures.TCPSocket] = []
        _ = waitUntil(timeout: 3) {
            fds1 = ProcFigures.openFDs(gw.child.pid)
            let sockets = ProcFigures.tcpSockets(gw.child.pid)
            accepted = sockets.filter { $0.localPort == gw.port && $0.state != ProcFigures.tcpListen }
            upstream = sockets.filter { $0.remotePort == mock.port || $0.remotePort == big.port }
            return accepted.isEmpty && fds1 - upstream.count <= fds0
        }
        print("slow clients: gateway fds \(fds0) before, \(fds1) after, of which \(upstream.count) pooled upstream connections")
        #expect(accepted.isEmpty, "client sockets still open: \(accepted)")
        #expect(fds1 - upstream.count <= fds0, "gateway fds \(fds0) before, \(fds1) after (\(upstream.count) pooled upstream)")
    }
}
