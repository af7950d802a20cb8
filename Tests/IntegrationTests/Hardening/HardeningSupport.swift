import Foundation

/// Helpers of the hardening tests: process figures from /proc, the fd limit, a monotonic clock,
/// loopback sockets with a chosen receive buffer, and a paced keep-alive load that records latencies.

/// Monotonic seconds.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Figures of a running process read from /proc.
enum ProcFigures {
    /// Open file descriptors (/proc/PID/fd entries).
    static func openFDs(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// Resident set size in KiB (/proc/PID/status VmRSS).
    static func rssKiB(_ pid: Int32) -> Int {
        guard let text = readProcFile("/proc/\(pid)/status") else { return -1 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
        }
        return -1
    }

    /// A TCP socket of a process: ports and the kernel state (hex state of /proc/net/tcp).
    struct TCPSocket: CustomStringConvertible {
        var localPort: Int
        var remotePort: Int
        var state: Int
        var description: String { ":\(localPort)->:\(remotePort) state \(state)" }
    }

    static let tcpListen = 0x0A

    /// The TCP sockets among the fds of `pid` (IPv4 and IPv6), matched by inode with /proc/net/tcp*.
    static func tcpSockets(_ pid: Int32) -> [TCPSocket] {
        var inodes = Set<String>()
        let dir = "/proc/\(pid)/fd"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/" + name),
               target.hasPrefix("socket:[") {
                inodes.insert(String(target.dropFirst(8).dropLast()))
            }
        }
        var out: [TCPSocket] = []
        for table in ["/proc/\(pid)/net/tcp", "/proc/\(pid)/net/tcp6"] {
            guard let text = readProcFile(table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let f = line.split(separator: " ", omittingEmptySubsequences: true)
                guard f.count > 9, inodes.contains(String(f[9])) else { continue }
                let port = { (a: Substring) in Int(a.split(separator: ":").last ?? "", radix: 16) ?? -1 }
                out.append(TCPSocket(localPort: port(f[1]), remotePort: port(f[2]), state: Int(f[3], radix: 16) ?? -1))
            }
        }
        return out
    }

    /// The whole text of a /proc file (they report size 0, so read until EOF).
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var all: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            all += buf[0..<n]
        }
        return String(decoding: all, as: UTF8.self)
    }

    /// Asks for a higher scheduling priority for the calling thread and the threads and children
    /// it starts next (they inherit it), so latency assertions measure the gateway rather than the
    /// compile jobs sharing the machine. Needs CAP_SYS_NICE (root in CI); otherwise nothing changes.
    @discardableResult
    static func raisePriority(nice: Int32 = -5) -> Bool {
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) == 0
    }

    /// The calling thread back to nice 0 (never needs a privilege); children keep theirs.
    static func resetPriority() {
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 0)
    }

    /// Raises this process's soft fd limit to `want` (or the hard limit); children inherit it.
    @discardableResult
    static func raiseFDLimit(to want: UInt = 65536) -> UInt {
        var lim = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
        let target = min(max(lim.rlim_cur, rlim_t(want)), lim.rlim_max)
        if target > lim.rlim_cur {
            lim.rlim_cur = target
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
        }
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
        return UInt(lim.rlim_cur)
    }
}

/// A loopback TCP socket owned by a test: optional receive buffer (set before connect, so the
/// window is small from the handshake on), optional non-blocking mode. Closed on deinit.
final class TestSocket {
    let fd: Int32
    private(set) var closed = false

    init(port: Int, receiveBuffer: Int? = nil, nonBlocking: Bool = false, timeout: Double = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed: errno \(errno)") }
        if var rb = receiveBuffer.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, socklen_t(MemoryLayout<Int32>.size))
        }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else {
            let e = errno
            Glibc.close(fd)
            throw TestFailure("connect to \(port) failed: errno \(e)")
        }
        if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    deinit { close() }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    /// Sends everything (blocking socket) or what fits (non-blocking); returns bytes sent, -1 on error.
    @discardableResult
    func send(_ bytes: ArraySlice<UInt8>) -> Int {
        var off = bytes.startIndex
        while off < bytes.endIndex {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 { return errno == EAGAIN ? off - bytes.startIndex : -1 }
            off += n
        }
        return bytes.count
    }

    func send(_ s: String) -> Int { send(Array(s.utf8)[...]) }

    /// One recv of at most `max` bytes: the bytes, empty at EOF, nil when nothing is there
    /// (non-blocking) or on an error (`lastErrno` tells which).
    func receive(max: Int) -> [UInt8]? {
        var buf = [UInt8](repeating: 0, count: max)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { lastErrno = errno; return nil }
        return Array(buf[0..<n])
    }

    private(set) var lastErrno: Int32 = 0
}

/// Collects latencies (seconds) from several threads.
final class LatencyRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var samples: [(at: Double, latency: Double)] = []
    private var failures: [String] = []

    func add(at: Double, latency: Double) { lock.lock(); samples.append((at, latency)); lock.unlock() }
    func fail(_ why: String) { lock.lock(); failures.append(why); lock.unlock() }

    var failureList: [String] { lock.lock(); defer { lock.unlock() }; return failures }

    /// Latencies of requests that started within `window`, sorted.
    func latencies(in window: ClosedRange<Double>) -> [Double] {
        lock.lock(); defer { lock.unlock() }
        return samples.filter { window.contains($0.at) }.map(\.latency).sorted()
    }

    /// (start time, latency) of every sample slower than `threshold`, for failure messages.
    func slow(over threshold: Double) -> [(at: Double, latency: Double)] {
        lock.lock(); defer { lock.unlock() }
        return samples.filter { $0.latency > threshold }
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let i = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
        return sorted[max(0, i)]
    }
}

/// `connections` keep-alive clients, each sending `request` and reading its answer, then
/// waiting `pause` seconds, until `stop()` (or `maxSeconds`). Every non-200 answer or socket
/// error is recorded as a failure.
final class KeepAliveLoad: @unchecked Sendable {
    let recorder = LatencyRecorder()
    private let lock = NSLock()
    private var stopped = false
    private let group = DispatchGroup()

    init(port: Int, connections: Int, pause: Double, maxSeconds: Double, request: String) {
        let deadline = monotonicSeconds() + maxSeconds
        for _ in 0..<connections {
            group.enter()
            Thread.detachNewThread { [self] in
                defer { group.leave() }
                do {
                    let c = try RawConnection(port: port, timeout: 10)
                    var reader = ResponseReader(conn: c)
                    while !isStopped && monotonicSeconds() < deadline {
                        let t0 = monotonicSeconds()
                        try c.send(request)
                        let r = try reader.read()
                        let t1 = monotonicSeconds()
                        if r.status != 200 { recorder.fail("status \(r.status)") }
                        recorder.add(at: t0, latency: t1 - t0)
                        if pause > 0 { usleep(UInt32(pause * 1e6)) }
                    }
                } catch {
                    recorder.fail("\(error)")
                }
            }
        }
    }

    private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    /// Stops the clients and waits for them (each finishes its request in progress).
    func stop() {
        lock.lock(); stopped = true; lock.unlock()
        _ = group.wait(timeout: .now() + 15)
    }
}

/// A small chat request on a keep-alive connection.
func keepAliveChatRequest(model: String = "gpt-4o-mini", maxTokens: Int = 2, stream: Bool = false, extraHeaders: String = "") -> String {
    let body = #"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}],"max_tokens":\#(maxTokens)"#
        + (stream ? #","stream":true"# : "") + "}"
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\(extraHeaders)"
        + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = monotonicSeconds() + timeout
    while monotonicSeconds() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}
