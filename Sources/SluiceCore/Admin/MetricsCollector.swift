/// Gathers `LoopMetrics` snapshots from every loop on their own threads and hands the merged
/// result back on the requesting loop. No lock on the request path.
enum MetricsCollector {
    /// State of one collection; touched only on the home loop.
    private final class Gather: @unchecked Sendable {
        var merged = MetricsSnapshot()
        var remaining: Int
        let done: (MetricsSnapshot) -> Void
        init(remaining: Int, done: @escaping (MetricsSnapshot) -> Void) {
            self.remaining = remaining
            self.done = done
        }
    }

    private final class Ref: @unchecked Sendable {
        let metrics: LoopMetrics
        init(_ m: LoopMetrics) { metrics = m }
    }

    static func collect(contexts: [LoopContext], on home: EventLoop,
                        _ done: @escaping (MetricsSnapshot) -> Void) {
        guard !contexts.isEmpty else { return done(MetricsSnapshot()) }
        let g = Gather(remaining: contexts.count, done: done)
        for ctx in contexts {
            let ref = Ref(ctx.metrics)
            ctx.loop.execute {
                let snap = ref.metrics.snapshot()
                home.execute {
                    g.merged.merge(snap)
                    g.remaining -= 1
                    if g.remaining == 0 { g.done(g.merged) }
                }
            }
        }
    }
}
