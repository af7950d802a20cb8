import Synchronization

/// Counters of one event loop. Written only by its loop (relaxed atomics, no contention),
/// read and summed by the admin endpoint at scrape time.
final class LoopStats: Sendable {
    let requests = Atomic<Int>(0)
    let status2xx = Atomic<Int>(0)
    let status3xx = Atomic<Int>(0)
    let status4xx = Atomic<Int>(0)
    let status5xx = Atomic<Int>(0)
    let clientCancelled = Atomic<Int>(0)
    let inputTokens = Atomic<Int>(0)
    let outputTokens = Atomic<Int>(0)
    let upstreamAttempts = Atomic<Int>(0)
    let upstreamFailures = Atomic<Int>(0)
    let streams = Atomic<Int>(0)

    func record(status: Int) {
        requests.wrappingAdd(1, ordering: .relaxed)
        switch status {
        case 200..<300: status2xx.wrappingAdd(1, ordering: .relaxed)
        case 300..<400: status3xx.wrappingAdd(1, ordering: .relaxed)
        case 400..<500: status4xx.wrappingAdd(1, ordering: .relaxed)
        default: status5xx.wrappingAdd(1, ordering: .relaxed)
        }
    }
}

/// The loops' counters together (admin thread reads; loops write their own).
final class GatewayStats: Sendable {
    let loops: [LoopStats]
    let configReloadsOK = Atomic<Int>(0)
    let configReloadsFailed = Atomic<Int>(0)

    init(loopCount: Int) { loops = (0..<loopCount).map { _ in LoopStats() } }

    /// Sums one counter over the loops: `sum { $0.requests }`-style readers return the loaded value.
    func sum(_ read: (LoopStats) -> Int) -> Int {
        loops.reduce(0) { $0 + read($1) }
    }
}
