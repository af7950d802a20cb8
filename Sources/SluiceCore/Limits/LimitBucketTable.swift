/// All buckets of one limit, split into shards by a hash of the bucket key. Reference type so that a
/// reload whose definition of this limit did not change hands the very same table to the new generation:
/// state carries over and in-flight requests of the old generation reconcile into it. Thread-safe.
final class LimitBucketTable: Sendable {
    /// The limit's config name.
    let name: String
    /// tokens | requests.
    let unit: RateLimitUnit
    /// Which tokens a `tokens` limit counts.
    let count: RateLimitCount
    /// Refill per window.
    let limit: Int
    /// Window length.
    let windowNanos: UInt64
    /// Capacity of each bucket.
    let burst: Int
    /// Most buckets kept over all shards (`max_keys`).
    let maxKeys: Int
    /// The shards; `maxKeys` is split between them exactly.
    let shards: [LimitBucketShard]

    /// A table for `config`; a limit without key parts has one bucket, hence one shard.
    init(config: RateLimitConfig, shardCount: Int = 16) {
        name = config.name
        unit = config.unit
        count = config.count
        limit = Swift.max(config.limit, 1)
        windowNanos = LimitRule.windowNanos(config.window)
        burst = Swift.max(config.burst, 1)
        let keys = Swift.max(config.maxKeys, 1)
        maxKeys = keys
        let n = config.key.isEmpty ? 1 : Swift.max(1, Swift.min(shardCount, keys))
        shards = (0..<n).map { i in LimitBucketShard(capacity: keys / n + (i < keys % n ? 1 : 0)) }
    }

    /// The shard that holds `key`.
    func shard(for key: String) -> LimitBucketShard {
        if shards.count == 1 { return shards[0] }
        return shards[Int(Self.hash(key) % UInt64(shards.count))]
    }

    /// A new, full bucket of this limit.
    func newBucket(now: UInt64) -> TokenBucket {
        TokenBucket(limit: limit, windowNanos: windowNanos, burst: burst, now: now)
    }

    /// What a request costs this limit: 1 for `requests`; for `tokens`, input, output or their sum per
    /// `count` (embeddings count no output). Negative inputs count as 0.
    func cost(inputTokens: Int, outputTokens: Int, isEmbeddings: Bool) -> Int {
        guard unit == .tokens else { return 1 }
        let input = Swift.max(inputTokens, 0)
        let output = isEmbeddings ? 0 : Swift.max(outputTokens, 0)
        switch count {
        case .input: return input
        case .output: return output
        case .total:
            let (sum, overflow) = input.addingReportingOverflow(output)
            return overflow ? Int.max : sum
        }
    }

    /// Takes `n` more from `key`'s bucket (creating it, full, if it was evicted); debt allowed.
    func charge(_ key: String, _ n: Int, now: UInt64) {
        guard n > 0 else { return }
        shard(for: key).withLock { store in
            _ = store.modify(key, now: now, create: true, make: { newBucket(now: now) }) { $0.take(n) }
        }
    }

    /// Returns `n` to `key`'s bucket; nothing to do when the bucket is absent (absent means full).
    func credit(_ key: String, _ n: Int, now: UInt64) {
        guard n > 0 else { return }
        shard(for: key).withLock { store in
            _ = store.modify(key, now: now, create: false, make: { newBucket(now: now) }) { $0.give(n) }
        }
    }

    /// `key`'s bucket as of `now` (a new full one when absent), without changing anything.
    func peek(_ key: String, now: UInt64) -> TokenBucket {
        shard(for: key).withLock { $0.peek(key, now: now) } ?? newBucket(now: now)
    }

    /// Every bucket held, refilled to `now`, shard by shard (each shard least recently used first).
    func entries(now: UInt64) -> [(key: String, bucket: TokenBucket)] {
        var out: [(key: String, bucket: TokenBucket)] = []
        for s in shards {
            out += s.withLock { store in
                store.entries().map { e -> (key: String, bucket: TokenBucket) in
                    var b = e.bucket
                    b.refill(now: now)
                    return (e.key, b)
                }
            }
        }
        return out
    }

    /// Copies every bucket of `other` (same definition, different `max_keys` or shard count) into this
    /// table, least recently used first, so recency survives and overflow evicts as usual.
    func adopt(_ other: LimitBucketTable, now: UInt64) {
        for (key, bucket) in other.entries(now: now) where !bucket.isFull {
            shard(for: key).withLock { store in
                _ = store.modify(key, now: now, create: true, make: { bucket }) { _ in () }
            }
        }
    }

    /// Buckets held over all shards.
    var bucketCount: Int {
        shards.reduce(0) { $0 + $1.withLock { $0.count } }
    }

    /// FNV-1a over the UTF-8 bytes: stable across runs, so shard placement is reproducible.
    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in s.utf8 {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01b3
        }
        return h
    }
}
