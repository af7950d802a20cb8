import Testing
@testable import SluiceCore

@Test func limitBucketTable_cost_perUnitAndCount() {
    let total = LimitBucketTable(config: LimitTestConfig.make("t", limit: 10))
    let input = LimitBucketTable(config: LimitTestConfig.make("i", count: .input, limit: 10))
    let output = LimitBucketTable(config: LimitTestConfig.make("o", count: .output, limit: 10))
    let requests = LimitBucketTable(config: LimitTestConfig.make("r", unit: .requests, limit: 10))
    #expect(total.cost(inputTokens: 30, outputTokens: 12, isEmbeddings: false) == 42)
    #expect(input.cost(inputTokens: 30, outputTokens: 12, isEmbeddings: false) == 30)
    #expect(output.cost(inputTokens: 30, outputTokens: 12, isEmbeddings: false) == 12)
    #expect(requests.cost(inputTokens: 30, outputTokens: 12, isEmbeddings: false) == 1)
}

@Test func limitBucketTable_cost_embeddingsCountNoOutput_negativesAreZero() {
    let total = LimitBucketTable(config: LimitTestConfig.make("t", limit: 10))
    let output = LimitBucketTable(config: LimitTestConfig.make("o", count: .output, limit: 10))
    #expect(total.cost(inputTokens: 30, outputTokens: 12, isEmbeddings: true) == 30)
    #expect(output.cost(inputTokens: 30, outputTokens: 12, isEmbeddings: true) == 0)
    #expect(total.cost(inputTokens: -5, outputTokens: -5, isEmbeddings: false) == 0)
    #expect(total.cost(inputTokens: Int.max, outputTokens: 5, isEmbeddings: false) == Int.max)
}

@Test func limitBucketTable_shards_splitMaxKeysExactly() {
    let t = LimitBucketTable(config: LimitTestConfig.make("t", key: [.tenant], limit: 1, maxKeys: 100), shardCount: 16)
    #expect(t.shards.count == 16)
    #expect(t.shards.reduce(0) { $0 + $1.withLock { $0.capacity } } == 100)
    let small = LimitBucketTable(config: LimitTestConfig.make("s", key: [.tenant], limit: 1, maxKeys: 3), shardCount: 16)
    #expect(small.shards.count == 3)
    let shared = LimitBucketTable(config: LimitTestConfig.make("g", limit: 1), shardCount: 16)
    #expect(shared.shards.count == 1)
}

@Test func limitBucketTable_shardForKey_isStable() {
    let t = LimitBucketTable(config: LimitTestConfig.make("t", key: [.tenant], limit: 1))
    #expect(t.shard(for: "team-a") === t.shard(for: "team-a"))
    #expect(LimitBucketTable.hash("") == 0xcbf2_9ce4_8422_2325)
    #expect(LimitBucketTable.hash("a") == 0xaf63_dc4c_8601_ec8c)
}

@Test func limitBucketTable_chargeAndCredit() {
    let t = LimitBucketTable(config: LimitTestConfig.make("t", key: [.tenant], limit: 100))
    t.credit("a", 10, now: 0)
    #expect(t.bucketCount == 0)
    t.charge("a", 130, now: 0)
    #expect(t.peek("a", now: 0).available == -30)
    t.credit("a", 50, now: 0)
    #expect(t.peek("a", now: 0).available == 20)
    #expect(t.peek("absent", now: 0).isFull)
}

@Test func limitBucketTable_adopt_copiesNonFullBuckets() {
    let old = LimitBucketTable(config: LimitTestConfig.make("t", key: [.tenant], limit: 100, maxKeys: 10))
    old.charge("a", 40, now: 0)
    old.charge("b", 1, now: 0)
    old.credit("b", 1, now: 0)
    let new = LimitBucketTable(config: LimitTestConfig.make("t", key: [.tenant], limit: 100, maxKeys: 20))
    new.adopt(old, now: 0)
    #expect(new.peek("a", now: 0).available == 60)
    #expect(new.bucketCount == 1)
}
