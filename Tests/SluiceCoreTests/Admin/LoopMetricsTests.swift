import Testing
@testable import SluiceCore

/// Hot series: values kept by reference per series, rendered with their labels at snapshot time, and series
/// of equal text from different label-set objects (other loops, other config generations) merged.
@Suite struct LoopMetricsTests {
    @Test func counterAndHistogramCells_accumulate() {
        let m = LoopMetrics()
        let labels = MetricLabelSet(["processor": "guard"])
        m.observe(.processorDuration, labels, 0.0002)
        m.observe(.processorDuration, labels, 0.003)
        m.add(.requests, labels, detail: 200)
        m.add(.requests, labels, detail: 200, 2)
        let snap = m.snapshot()
        let h = snap.histograms[MetricKey(name: "processor_duration_seconds", labels: #"processor="guard""#)]
        #expect(h?.count == 2)
        #expect(h?.counts.first == 1)
        #expect(snap.counters[MetricKey(name: "requests_total", labels: #"processor="guard",code="200""#)] == 3)
    }

    @Test func rateLimitDecisions_onePerLimitAndDecision() {
        let m = LoopMetrics()
        m.addRateLimitDecision(limit: "tpm", decision: "allowed")
        m.addRateLimitDecision(limit: "tpm", decision: "allowed")
        m.addRateLimitDecision(limit: "tpm", decision: "limited")
        m.addRateLimitDecision(limit: "rpm \"x\"", decision: "shadow_limited")
        let c = m.snapshot().counters
        #expect(c[MetricKey(name: "ratelimit_decisions_total", labels: #"limit="tpm",decision="allowed""#)] == 2)
        #expect(c[MetricKey(name: "ratelimit_decisions_total", labels: #"limit="tpm",decision="limited""#)] == 1)
        #expect(c[MetricKey(name: "ratelimit_decisions_total", labels: #"limit="rpm \"x\"",decision="shadow_limited""#)] == 1)
    }

    @Test func equalLabelTextFromTwoLabelSets_mergesInSnapshot() {
        let m = LoopMetrics()
        m.add(.requests, MetricLabelSet(["route": "a"]), detail: 200)
        m.add(.requests, MetricLabelSet(["route": "a"]), detail: 200)
        #expect(m.snapshot().counters[MetricKey(name: "requests_total", labels: #"route="a",code="200""#)] == 2)
    }

    @Test func histogramCell_isTheSeriesOwnCell() {
        let m = LoopMetrics()
        let labels = MetricLabelSet(["processor": "cache"])
        let cell = m.histogramCell(.processorDuration, labels)
        #expect(m.histogramCell(.processorDuration, labels) === cell)
        cell.histogram.observe(0.002)
        m.observe(.processorDuration, labels, 0.004)
        #expect(m.snapshot().histograms[MetricKey(name: "processor_duration_seconds", labels: #"processor="cache""#)]?.count == 2)
    }

    /// The last series of each family is remembered; switching labels or details in between must still
    /// count each series apart.
    @Test func alternatingSeries_eachKeepsItsOwnCount() throws {
        let m = LoopMetrics()
        let a = MetricLabelSet(["route": "a"]), b = MetricLabelSet(["route": "b"])
        for _ in 0..<3 {
            m.add(.requests, a, detail: 200)
            m.add(.requests, a, detail: 500)
            m.add(.requests, b, detail: 200)
            m.add(.tokens, a, detail: 1, 10)
            m.observe(.requestDuration, a, 0.001)
            m.observe(.requestDuration, b, 0.2)
        }
        let snap = m.snapshot()
        #expect(snap.counters[MetricKey(name: "requests_total", labels: #"route="a",code="200""#)] == 3)
        #expect(snap.counters[MetricKey(name: "requests_total", labels: #"route="a",code="500""#)] == 3)
        #expect(snap.counters[MetricKey(name: "requests_total", labels: #"route="b",code="200""#)] == 3)
        #expect(snap.histograms[MetricKey(name: "request_duration_seconds", labels: #"route="a""#)]?.count == 3)
        let b2 = try #require(snap.histograms[MetricKey(name: "request_duration_seconds", labels: #"route="b""#)])
        #expect(b2.count == 3 && abs(b2.sum - 0.6) < 1e-9)
    }
}
