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

/// Metrics recorded by one event loop, without locks: only its loop writes them, and a scrape
/// asks each loop for a copy on the loop's own thread (`MetricsCollector`).
final class LoopMetrics {
    private(set) var counters: [MetricKey: Double] = [:]
    private(set) var histograms: [MetricKey: Histogram] = [:]

    func add(_ name: String, _ labels: String, _ v: Double = 1) {
        counters[MetricKey(name: name, labels: labels), default: 0] += v
    }

    func observe(_ name: String, _ labels: String, _ seconds: Double) {
        histograms[MetricKey(name: name, labels: labels), default: Histogram()].observe(seconds)
    }

    /// A copy for the scraper (called on the loop thread).
    func snapshot() -> MetricsSnapshot {
        MetricsSnapshot(counters: counters, histograms: histograms)
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
