import CSluiceLinux
import Glibc

/// The mock backend process: one event loop per worker, each with its own SO_REUSEPORT listener
/// and `MockHandler`, sharing one request log. The main thread only waits for signals.
enum MockServer {
    /// Binds, announces `listening on HOST:PORT (mock)`, serves until SIGTERM/SIGINT; returns the exit status.
    static func run(_ arguments: MockArguments, signalFD: Int32) -> Int32 {
        guard let requested = SocketAddress(host: arguments.host, port: arguments.port) else {
            Logger.announce("sluice-mock: --host must be a numeric address")
            return 2
        }
        let workers = arguments.workers > 0 ? arguments.workers : max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        var options = MockOptions()
        options.latencyNanos = UInt64(arguments.latencyMs) * 1_000_000
        options.tokenIntervalNanos = arguments.tokensPerSecond > 0 ? 1_000_000_000 / UInt64(arguments.tokensPerSecond) : 0
        let log = MockRequestLog(capacity: options.logCapacity, maxBodyBytes: options.maxLoggedBodyBytes)
        let state = ServerState(maxConnections: Int.max)
        var limits = HTTPServerLimits()
        limits.maxBodyBytes = options.maxBodyBytes
        var loops: [EventLoop] = []
        var listeners: [Listener] = []
        do {
            // Refuse an address in use before SO_REUSEPORT could silently share it.
            let group = try Socket.makeListenerGroup(requested, count: workers)
            var address = requested
            address.port = group.port
            for i in 0..<workers {
                let loop = try EventLoop(index: i)
                let handler = MockHandler(loop: loop, options: options, log: log)
                let fd = group.fds[i]
                let listener = Listener(fd: fd, loop: loop, counter: nil) { cfd, peer in
                    let conn = HTTPServerConnection(fd: cfd, loop: loop, handler: handler, limits: limits, state: state,
                                                    peer: peer, counter: nil, countsInFlight: false)
                    conn.start()
                }
                try listener.start()
                loops.append(loop)
                listeners.append(listener)
            }
            Logger.announce("listening on \(address) (mock)")
        } catch {
            Logger.announce("sluice-mock: \(error)")
            return 1
        }
        for loop in loops {
            Thread.spawn(name: "mock-loop-\(loop.index)") { loop.run() }
        }
        return waitForSignals(signalFD)
    }

    /// Blocks on the signalfd until SIGTERM or SIGINT. The mock has nothing to drain: exit at once.
    private static func waitForSignals(_ signalFD: Int32) -> Int32 {
        guard signalFD >= 0 else {
            // No signalfd: serve until killed.
            while true { pause() }
        }
        while true {
            switch CSluiceLinux_signalfd_read(signalFD) {
            case SIGTERM, SIGINT:
                return 0
            case -1:
                if errno == EINTR { continue }
                return 1
            default:
                continue
            }
        }
    }
}
