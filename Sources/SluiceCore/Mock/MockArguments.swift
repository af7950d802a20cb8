/// The `sluice-mock` command line (SPEC §1/§9):
/// `sluice-mock --port N [--host ADDR] [--latency-ms N] [--tokens-per-second N] [--workers N]`.
struct MockArguments: Sendable, Equatable {
    /// Listening port; 0 lets the kernel choose (the "listening on" line carries the real port).
    var port = 0
    /// Numeric listening address.
    var host = "127.0.0.1"
    /// Delay before every response head, in milliseconds.
    var latencyMs = 0
    /// Stream pacing; 0 sends every event at once.
    var tokensPerSecond = 0
    /// Event loops (one SO_REUSEPORT listener each); 0 means one per core.
    var workers = 1

    /// The usage line printed for `--help` and argument errors.
    static let usage = "usage: sluice-mock --port N [--host ADDR] [--latency-ms N] [--tokens-per-second N] [--workers N]"

    /// What the command line asks for.
    enum Outcome: Equatable {
        case run(MockArguments)
        case help
        case invalid(String)
    }

    /// Parses `arguments` (including the program name at index 0). `--port` is required.
    static func parse(_ arguments: [String]) -> Outcome {
        var result = MockArguments()
        var sawPort = false
        var i = 1
        while i < arguments.count {
            let flag = arguments[i]
            if flag == "--help" || flag == "-h" { return .help }
            guard i + 1 < arguments.count else { return .invalid("\(flag) needs a value") }
            let value = arguments[i + 1]
            switch flag {
            case "--port":
                guard let n = Int(value), (0...65535).contains(n) else { return .invalid("--port must be 0...65535") }
                result.port = n
                sawPort = true
            case "--host":
                result.host = value
            case "--latency-ms":
                guard let n = Int(value), (0...3_600_000).contains(n) else { return .invalid("--latency-ms must be 0...3600000") }
                result.latencyMs = n
            case "--tokens-per-second":
                guard let n = Int(value), (0...1_000_000).contains(n) else { return .invalid("--tokens-per-second must be 0...1000000") }
                result.tokensPerSecond = n
            case "--workers":
                guard let n = Int(value), (0...256).contains(n) else { return .invalid("--workers must be 0...256") }
                result.workers = n
            default:
                return .invalid("unknown argument '\(flag)'")
            }
            i += 2
        }
        guard sawPort else { return .invalid("--port is required") }
        return .run(result)
    }
}
