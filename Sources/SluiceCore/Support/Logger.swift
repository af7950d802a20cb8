import Glibc
import Synchronization

/// Diagnostic log levels of `logging.level`.
enum LogLevel: Int, Sendable, Comparable {
    case error = 0, warn, info, debug

    init?(name: String) {
        switch name {
        case "error": self = .error
        case "warn": self = .warn
        case "info": self = .info
        case "debug": self = .debug
        default: return nil
        }
    }

    static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    var name: String {
        switch self {
        case .error: "error"
        case .warn: "warn"
        case .info: "info"
        case .debug: "debug"
        }
    }
}

/// Process-wide diagnostic logger writing one line per message to stderr.
///
/// Thread-safe; messages must never contain prompts, keys or secrets (callers pass only
/// config names, status codes and error reasons).
enum Logger {
    private static let level = Atomic<Int>(LogLevel.info.rawValue)

    static func setLevel(_ newLevel: LogLevel) { level.store(newLevel.rawValue, ordering: .relaxed) }

    static func enabled(_ l: LogLevel) -> Bool { l.rawValue <= level.load(ordering: .relaxed) }

    static func log(_ l: LogLevel, _ message: @autoclosure () -> String) {
        guard enabled(l) else { return }
        let line = "sluice \(l.name): \(message())\n"
        writeAll(Array(line.utf8))
    }

    static func error(_ m: @autoclosure () -> String) { log(.error, m()) }
    static func warn(_ m: @autoclosure () -> String) { log(.warn, m()) }
    static func info(_ m: @autoclosure () -> String) { log(.info, m()) }
    static func debug(_ m: @autoclosure () -> String) { log(.debug, m()) }

    /// Writes a line to stderr unconditionally (startup lines such as "listening on …").
    static func announce(_ line: String) {
        writeAll(Array((line + "\n").utf8))
    }

    private static func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let n = write(2, base + offset, raw.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }
}
