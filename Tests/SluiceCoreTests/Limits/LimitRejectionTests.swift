import Testing
@testable import SluiceCore

private func rejection(wait: UInt64, never: Bool = false) -> LimitRejection {
    LimitRejection(limitName: "l", key: "k", requested: 5, remaining: 1, retryAfterNanos: wait, neverPasses: never,
                   message: "m")
}

@Test func limitRejection_retryAfter_roundsUpToWholeUnits() {
    let r = rejection(wait: 1_200_000_001)
    #expect(r.retryAfterSeconds == 2)
    #expect(r.retryAfterMillis == 1201)
    let exact = rejection(wait: 3_000_000_000)
    #expect(exact.retryAfterSeconds == 3 && exact.retryAfterMillis == 3000)
    let tiny = rejection(wait: 0)
    #expect(tiny.retryAfterSeconds == 1 && tiny.retryAfterMillis == 1)
}

@Test func limitRejection_writeRetryHeaders_retryable() {
    var h: [(String, String)] = []
    rejection(wait: 250_000_000).writeRetryHeaders(into: &h)
    #expect(h.map(\.0) == ["retry-after", "retry-after-ms"])
    #expect(h.map(\.1) == ["1", "250"])
}

@Test func limitRejection_writeRetryHeaders_neverPasses_saysDoNotRetry() {
    var h: [(String, String)] = []
    rejection(wait: 0, never: true).writeRetryHeaders(into: &h)
    #expect(h.count == 1)
    #expect(h.first?.0 == "x-should-retry" && h.first?.1 == "false")
}
