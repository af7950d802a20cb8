/// One access-log record (SPEC §7). Holds no prompt, key or secret: names come from config,
/// the model from the request (bounded and escaped), counts and timings.
struct AccessLogEntry {
    var timestampNanos: UInt64 = 0
    var requestID = ""
    var method = ""
    var path = ""
    var status = 0
    var route: String?
    var backend: String?
    var endpoint: String?
    var model: String?
    var upstreamModel: String?
    var tenant: String?
    var stream = false
    var inputTokens: Int?
    var outputTokens: Int?
    var usageSource: String?
    var cache: String?
    var guardrail: String?
    var limitedBy: String?
    var attempts = 0
    var durationMs = 0.0
    var upstreamFirstByteMs: Double?
    var bytesIn = 0
    var bytesOut = 0
    var error: String?

    /// Appends the record as one JSON line.
    func write(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"ts":"#.utf8)
        JSONWriter.appendString(Self.iso8601(timestampNanos), to: &out)
        field("request_id", requestID, &out)
        field("method", method, &out)
        field("path", path, &out)
        number("status", status, &out)
        field("route", route, &out)
        field("backend", backend, &out)
        field("endpoint", endpoint, &out)
        field("model", model.map { String($0.prefix(256)) }, &out)
        field("upstream_model", upstreamModel, &out)
        field("tenant", tenant, &out)
        out.append(literal: stream ? #","stream":true"# : #","stream":false"#)
        number("input_tokens", inputTokens, &out)
        number("output_tokens", outputTokens, &out)
        field("usage_source", usageSource, &out)
        field("cache", cache, &out)
        field("guardrail", guardrail, &out)
        field("limited_by", limitedBy, &out)
        number("attempts", attempts, &out)
        decimal("duration_ms", durationMs, &out)
        if let fb = upstreamFirstByteMs { decimal("upstream_first_byte_ms", fb, &out) } else { out.append(contentsOf: #","upstream_first_byte_ms":null"#.utf8) }
        number("bytes_in", bytesIn, &out)
        number("bytes_out", bytesOut, &out)
        field("error", error, &out)
        out.append(literal: "}\n")
    }

    /// `,"name":` — the names are plain ASCII literals, written as they are.
    private func key(_ name: StaticString, _ out: inout [UInt8]) {
        out.append(literal: ",\"")
        out.append(literal: name)
        out.append(literal: "\":")
    }

    private func field(_ name: StaticString, _ value: String?, _ out: inout [UInt8]) {
        key(name, &out)
        if let v = value { JSONWriter.appendString(v, to: &out) } else { out.append(literal: "null") }
    }

    private func number(_ name: StaticString, _ value: Int?, _ out: inout [UInt8]) {
        key(name, &out)
        guard let v = value else { return out.append(literal: "null") }
        if v >= 0 { HTTPSerializer.writeDecimal(v, into: &out) } else { out.append(utf8: String(v)) }
    }

    private func decimal(_ name: StaticString, _ value: Double, _ out: inout [UInt8]) {
        key(name, &out)
        out.append(utf8: Self.millis(value))
    }

    /// Milliseconds with three decimals ("12.345").
    static func millis(_ ms: Double) -> String {
        let micros = Int((max(ms, 0) * 1000).rounded())
        let frac = micros % 1000
        return "\(micros / 1000)." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + String(frac)
    }

    /// RFC 3339 UTC timestamp with milliseconds.
    static func iso8601(_ nanos: UInt64) -> String {
        let secs = Int(nanos / 1_000_000_000)
        let ms = Int(nanos / 1_000_000 % 1000)
        var days = secs / 86400
        let rem = secs % 86400
        // Civil-from-days (Howard Hinnant's algorithm).
        days += 719468
        let era = days / 146097
        let doe = days - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : String(ms)
        return "\(y)-\(two(m))-\(two(d))T\(two(rem / 3600)):\(two(rem % 3600 / 60)):\(two(rem % 60)).\(msText)Z"
    }
}
