/// Parsing and printing of the config's duration and size notations.
///
/// Durations: one or more `<number><unit>` groups, units `ms`, `s`, `m`, `h` (`250ms`, `2s`,
/// `1m30s`, `1.5s`); a bare number is rejected because its unit would be a guess.
/// Sizes: a bare integer is bytes; binary suffixes `KiB`, `MiB`, `GiB` (also Kubernetes' `Ki`,
/// `Mi`, `Gi`) multiply by 1024ⁿ, decimal `KB`/`kB`, `MB`, `GB` by 1000ⁿ, `B` by 1.
enum ConfigUnits {
    /// Parses a duration, or returns nil.
    static func parseDuration(_ text: String) -> Duration? {
        let b = Array(text.utf8)
        guard !b.isEmpty else { return nil }
        var i = 0
        var totalNanos: Int64 = 0
        while i < b.count {
            var whole: Int64 = 0
            var fraction: Int64 = 0
            var fractionScale: Int64 = 1
            let numberStart = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(b[i] - 48))
                if o1 || o2 { return nil }
                whole = a
                i += 1
            }
            let sawWhole = i > numberStart
            var sawFraction = false
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    if fractionScale < 1_000_000_000 {
                        fraction = fraction * 10 + Int64(b[i] - 48)
                        fractionScale *= 10
                    }
                    sawFraction = true
                    i += 1
                }
                if !sawFraction { return nil }
            }
            guard sawWhole || sawFraction else { return nil }
            let unitStart = i
            while i < b.count, (b[i] >= 97 && b[i] <= 122) { i += 1 }
            let unit = String(decoding: b[unitStart..<i], as: UTF8.self)
            let nanosPerUnit: Int64
            switch unit {
            case "ms": nanosPerUnit = 1_000_000
            case "s": nanosPerUnit = 1_000_000_000
            case "m": nanosPerUnit = 60_000_000_000
            case "h": nanosPerUnit = 3_600_000_000_000
            default: return nil
            }
            let (w, o1) = whole.multipliedReportingOverflow(by: nanosPerUnit)
            let (t, o2) = totalNanos.addingReportingOverflow(w)
            if o1 || o2 { return nil }
            totalNanos = t + fraction * nanosPerUnit / fractionScale
        }
        return .nanoseconds(totalNanos)
    }

    /// Parses a size in bytes, or returns nil (also on overflow).
    static func parseSize(_ text: String) -> Int? {
        let b = Array(text.utf8)
        var i = 0
        var value = 0
        while i < b.count, b[i] >= 48, b[i] <= 57 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(b[i] - 48))
            if o1 || o2 { return nil }
            value = a
            i += 1
        }
        guard i > 0 else { return nil }
        let multiplier: Int
        switch String(decoding: b[i...], as: UTF8.self) {
        case "", "B": multiplier = 1
        case "KiB", "Ki": multiplier = 1 << 10
        case "MiB", "Mi": multiplier = 1 << 20
        case "GiB", "Gi": multiplier = 1 << 30
        case "KB", "kB": multiplier = 1000
        case "MB": multiplier = 1_000_000
        case "GB": multiplier = 1_000_000_000
        default: return nil
        }
        let (r, o) = value.multipliedReportingOverflow(by: multiplier)
        return o ? nil : r
    }

    /// Shortest exact rendering of a duration: `250ms`, `2s`, `1m30s`, `1h`, `1s500ms`.
    static func format(_ d: Duration) -> String {
        let (seconds, attos) = d.components
        var nanos = seconds * 1_000_000_000 + attos / 1_000_000_000
        if nanos == 0 { return "0s" }
        var out = ""
        if nanos < 0 {
            out = "-"
            nanos = -nanos
        }
        let units: [(Int64, String)] = [(3_600_000_000_000, "h"), (60_000_000_000, "m"), (1_000_000_000, "s"), (1_000_000, "ms")]
        for (size, name) in units where nanos >= size {
            out += "\(nanos / size)\(name)"
            nanos %= size
        }
        if nanos > 0 { out += "\(nanos)ns" }
        return out
    }

    /// Rendering of a byte count with the largest exact binary unit: `2MiB`, `512`.
    static func formatSize(_ bytes: Int) -> String {
        for (shift, name) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] where bytes > 0 && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift)\(name)"
        }
        return String(bytes)
    }
}
