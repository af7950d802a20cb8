import Testing
@testable import SluiceCore

@Test func stats_add_sumsCountersNotBounds() {
    var a = CacheStats(entries: 1, bytes: 10, maxBytes: 99, hits: 2, misses: 3, evictions: 1, abandoned: 1)
    a.add(CacheStats(entries: 2, bytes: 5, maxBytes: 7, hits: 1, misses: 1, coalesced: 4, stores: 2, pendingLeaders: 1))
    #expect(a.entries == 3 && a.bytes == 15 && a.maxBytes == 99)
    #expect(a.hits == 3 && a.misses == 4 && a.coalesced == 4 && a.evictions == 1 && a.stores == 2)
    #expect(a.abandoned == 1 && a.pendingLeaders == 1)
}

@Test func stats_json_allFieldsValidJSON() {
    let s = CacheStats(entries: 2, bytes: 300, maxBytes: 1000, maxEntryBytes: 100, hits: 5, misses: 1, bypasses: 7)
    let bytes = s.json()
    guard case .success(let v) = JSONValue.parse(bytes) else {
        Issue.record("invalid JSON")
        return
    }
    #expect(v["entries"]?.intValue == 2)
    #expect(v["max_bytes"]?.intValue == 1000)
    #expect(v["bypasses"]?.intValue == 7)
    #expect(v["pending_leaders"]?.intValue == 0)
    #expect(v["shared_hits"]?.intValue == 0)
    if case .object(let m) = v { #expect(m.count == 15) }
}
