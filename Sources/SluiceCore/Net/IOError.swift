import CSluiceLinux
import Glibc

/// A failed system call: its name and errno. Environmental errors are values, never crashes.
struct IOError: Error, Sendable, CustomStringConvertible {
    var call: String
    var errno: Int32

    var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// Outcome of a non-blocking I/O call.
enum IOResult<T> {
    case done(T)
    case wouldBlock
}

/// Runs a system call, retrying EINTR, mapping EAGAIN/EWOULDBLOCK/EINPROGRESS to `.wouldBlock`,
/// and throwing `IOError` otherwise (the swift-nio pattern).
@inline(__always)
func sysCall<T: BinaryInteger>(_ name: StaticString, _ body: () -> T) throws(IOError) -> IOResult<T> {
    while true {
        let r = body()
        if r >= 0 { return .done(r) }
        let e = CSluiceLinux_errno()
        if e == EINTR { continue }
        if e == EAGAIN || e == EWOULDBLOCK || e == EINPROGRESS { return .wouldBlock }
        throw IOError(call: "\(name)", errno: e)
    }
}

/// Monotonic and wall clocks read from the kernel (the only place in the daemon that reads time).
enum SystemClock {
    @inline(__always) static func monotonicNanos() -> UInt64 { CSluiceLinux_monotonic_ns() }
    @inline(__always) static func realtimeNanos() -> UInt64 { CSluiceLinux_realtime_ns() }
}
