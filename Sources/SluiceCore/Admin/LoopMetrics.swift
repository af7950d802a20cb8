/// A metric series: family name plus its rendered label set (`route="a",code="200"`).
struct MetricKey: Hashable, Sendable {
    var name: String
    var labels: String
}

/// A cumulative histogram with fixed bucket bounds (seconds).
struct Histogram: Sendable {
    /// Sub-millisecond to minutes.
    static let secondsBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                          1, 2.5, 5, 10, 30, 60, 120, 300]
    var counts: [Int] = Array(repeating: 0, count: Histogram.secondsBounds.count)
    var count = 0
    var sum = 0.0

    mutating func observe(_ v: Double) {
        count += 1
        sum += v
        // Per-bucket (not cumulative) counts; rendering accumulates.
        for (i, b) in Self.secondsBounds.enumerated() where v <= b {
            counts[i] += 1
            return
        }
    }

    mutating func merge(_ o: Histogram) {
        count += o.count
        sum += o.sum
        for i in counts.indices { counts[i] += o.counts[i] }
    }
}

/// Escaped label text of one series family, computed once per config generation (or per endpoint)
/// and hashed by identity, so recording a request costs no string work.
final class MetricLabelSet: Hashable, @unchecked Sendable {
    /// `route="a",backend="b"` (no braces).
    let text: String

    init(_ pairs: KeyValuePairs<String, String>) { text = MetricLabels.render(pairs) }

    static func == (a: MetricLabelSet, b: MetricLabelSet) -> Bool { a === b }
    func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }

    /// Series of requests answered before any route was known.
    static let unrouted = MetricLabelSet(["route": "other", "backend": "other", "model": "other"])
}

/// The families recorded per request. `detail` carries a small integer label (status code,
/// outcome index, token type) rendered at scrape time.
enum MetricFamily: UInt8, Sendable, CaseIterable {
    case requests, requestDuration, upstreamFirstByte, tokens, upstreamRequests, processorDuration, rateLimitDecisions

    var name: String {
        switch self {
        case .requests: "requests_total"
        case .requestDuration: "request_duration_seconds"
        case .upstreamFirstByte: "upstream_first_byte_seconds"
        case .tokens: "tokens_total"
        case .upstreamRequests: "upstream_requests_total"
        case .processorDuration: "processor_duration_seconds"
        case .rateLimitDecisions: "ratelimit_decisions_total"
        }
    }
}

/// A hot series: family, precomputed labels and a small integer detail.
struct SeriesKey: Hashable {
    var family: MetricFamily
    var labels: MetricLabelSet
    var detail: Int
}

/// Metrics recorded by one event loop, without locks: only its loop writes them, and a scrape
/// asks each loop for a copy on the loop's own thread (`MetricsCollector`).
final class LoopMetrics {
    /// A hot series' value, held by reference so recording is a lookup and a store (a dictionary's
    /// in-place update goes through a coroutine accessor that costs more than the rest of the update).
    private final class CounterCell {
        var value: Double
        init(_ value: Double) { self.value = value }
    }

    final class HistogramCell {
        var histogram = Histogram()
    }

    private var series: [SeriesKey: CounterCell] = [:]
    private var seriesHistograms: [SeriesKey: HistogramCell] = [:]
    private(set) var counters: [MetricKey: Double] = [:]
    private(set) var histograms: [MetricKey: Histogram] = [:]

    /// The series each family recorded last, and its cell: requests to the same target hit it without
    /// hashing (a request records half a dozen series; the dictionary lookups showed in its profile).
    private var lastCounter: [(key: SeriesKey, cell: CounterCell)?] = Array(repeating: nil, count: MetricFamily.allCases.count)
    private var lastHistogram: [(key: SeriesKey, cell: HistogramCell)?] = Array(repeating: nil, count: MetricFamily.allCases.count)

    /// Hot path: identity-hashed labels, no string building.
    @inline(__always)
    func add(_ family: MetricFamily, _ labels: MetricLabelSet, detail: Int = 0, _ v: Double = 1) {
        let slot = Int(family.rawValue)
        if let last = lastCounter[slot], last.key.labels === labels, last.key.detail == detail {
            last.cell.value += v
            return
        }
        let key = SeriesKey(family: family, labels: labels, detail: detail)
        let cell: CounterCell
        if let c = series[key] {
            c.value += v
            cell = c
        } else {
            cell = CounterCell(v)
            series[key] = cell
        }
        lastCounter[slot] = (key, cell)
    }

    @inline(__always)
    func observe(_ family: MetricFamily, _ labels: MetricLabelSet, _ seconds: Double) {
        histogramCell(family, labels).histogram.observe(seconds)
    }

    /// The cell of a hot histogram series, made on first use; a caller may keep it and record without the
    /// lookup.
    func histogramCell(_ family: MetricFamily, _ labels: MetricLabelSet) -> HistogramCell {
        let slot = Int(family.rawValue)
        if let last = lastHistogram[slot], last.key.labels === labels { return last.cell }
        let key = SeriesKey(family: family, labels: labels, detail: 0)
        let cell: HistogramCell
        if let c = seriesHistograms[key] {
            cell = c
        } else {
            cell = HistogramCell()
            seriesHistograms[key] = cell
        }
        lastHistogram[slot] = (key, cell)
        return cell
    }

    /// `ratelimit_decisions_total` label sets by limit name, then by decision, made once per pair on this loop
    /// (limit names come from the config, so the memo is bounded by it).
    private var decisionLabels: [String: [String: MetricLabelSet]] = [:]

    /// Counts one rate-limit decision (`allowed`, `limited`, `shadow_limited`) of the limit named `limit`.
    func addRateLimitDecision(limit: String, decision: String) {
        let labels: MetricLabelSet
        if let known = decisionLabels[limit]?[decision] {
            labels = known
        } else {
            labels = MetricLabelSet(["limit": limit, "decision": decision])
            var byDecision = decisionLabels[limit] ?? [:]
            byDecision[decision] = labels
            decisionLabels[limit] = byDecision
        }
        add(.rateLimitDecisions, labels)
    }

    /// Rare series (processors, guardrails …) keyed by rendered labels.
    func add(_ name: String, _ labels: String, _ v: Double = 1) {
        counters[MetricKey(name: name, labels: labels), default: 0] += v
    }

    func observe(_ name: String, _ labels: String, _ seconds: Double) {
        histograms[MetricKey(name: name, labels: labels), default: Histogram()].observe(seconds)
    }

    /// A copy for the scraper (called on the loop thread): hot series rendered here.
    func snapshot() -> MetricsSnapshot {
        var snap = MetricsSnapshot(counters: counters, histograms: histograms)
        for (k, cell) in series {
            snap.counters[MetricKey(name: k.family.name, labels: Self.render(k)), default: 0] += cell.value
        }
        for (k, cell) in seriesHistograms {
            snap.histograms[MetricKey(name: k.family.name, labels: Self.render(k)), default: Histogram()].merge(cell.histogram)
        }
        return snap
    }

    private static func render(_ k: SeriesKey) -> String {
        switch k.family {
        case .requests: return k.labels.text + ",code=\"" + String(k.detail) + "\""
        case .tokens: return k.labels.text + TokenSeries.render(k.detail)
        case .upstreamRequests: return k.labels.text + ",outcome=\"" + UpstreamOutcome.name(k.detail) + "\""
        case .requestDuration, .upstreamFirstByte, .processorDuration, .rateLimitDecisions: return k.labels.text
        }
    }
}

/// The `type` and `source` labels of `tokens_total`, packed into a series detail.
enum TokenSeries {
    static func detail(output: Bool, estimated: Bool) -> Int { (output ? 1 : 0) | (estimated ? 2 : 0) }

    static func render(_ d: Int) -> String {
        (d & 1 == 0 ? ",type=\"input\"" : ",type=\"output\"") + (d & 2 == 0 ? ",source=\"upstream\"" : ",source=\"estimated\"")
    }
}

/// The `outcome` label of `upstream_requests_total`.
enum UpstreamOutcome {
    static let names = ["success", "connect_error", "reset", "first_byte_timeout", "idle_timeout", "total_timeout",
                        "protocol_error", "too_large"]
    /// Details ≥ 100 are HTTP statuses (`http_503`).
    static func name(_ d: Int) -> String {
        d >= 100 ? "http_" + String(d) : (d < names.count ? names[d] : "other")
    }
}

/// Metric values gathered from the loops, merged.
struct MetricsSnapshot: Sendable {
    var counters: [MetricKey: Double] = [:]
    var histograms: [MetricKey: Histogram] = [:]

    mutating func merge(_ o: MetricsSnapshot) {
        for (k, v) in o.counters { counters[k, default: 0] += v }
        for (k, h) in o.histograms { histograms[k, default: Histogram()].merge(h) }
    }
}

/// Builds label sets with escaped values (values come from config names or codes).
enum MetricLabels {
    static func render(_ pairs: KeyValuePairs<String, String>) -> String {
        var s = ""
        for (k, v) in pairs {
            if !s.isEmpty { s += "," }
            s += k + "=\"" + MetricsWriter.escape(v) + "\""
        }
        return s
    }
}
