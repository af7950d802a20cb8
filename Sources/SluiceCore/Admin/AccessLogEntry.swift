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
        out.append(literal: #"{"ts":""#)
        Self.writeISO8601(timestampNanos, into: &out)
        out.append(UInt8(ascii: "\""))
        field(#","request_id":"#, requestID, &out)
        field(#","method":"#, method, &out)
        field(#","path":"#, path, &out)
        number(#","status":"#, status, &out)
        field(#","route":"#, route, &out)
        field(#","backend":"#, backend, &out)
        field(#","endpoint":"#, endpoint, &out)
        // At most 256 characters; a name of at most 256 UTF-8 bytes has no more, and is written as it is.
        field(#","model":"#, model.map { $0.utf8.count <= 256 ? $0 : String($0.prefix(256)) }, &out)
        field(#","upstream_model":"#, upstreamModel, &out)
        field(#","tenant":"#, tenant, &out)
        out.append(literal: stream ? #","stream":true"# : #","stream":false"#)
        number(#","input_tokens":"#, inputTokens, &out)
        number(#","output_tokens":"#, outputTokens, &out)
        field(#","usage_source":"#, usageSource, &out)
        field(#","cache":"#, cache, &out)
        field(#","guardrail":"#, guardrail, &out)
        field(#","limited_by":"#, limitedBy, &out)
        number(#","attempts":"#, attempts, &out)
        decimal(#","duration_ms":"#, durationMs, &out)
        if let fb = upstreamFirstByteMs { decimal(#","upstream_first_byte_ms":"#, fb, &out) } else { out.append(literal: #","upstream_first_byte_ms":null"#) }
        number(#","bytes_in":"#, bytesIn, &out)
        number(#","bytes_out":"#, bytesOut, &out)
        field(#","error":"#, error, &out)
        out.append(literal: "}\n")
    }

    /// `key` is the whole `,"name":` literal (one append per field: the line is written on the request path).
    private func field(_ key: StaticString, _ value: String?, _ out: inout [UInt8]) {
        out.append(literal: key)
        if let v = value { JSONWriter.appendString(v, to: &out) } else { out.append(literal: "null") }
    }

    private func number(_ key: StaticString, _ value: Int?, _ out: inout [UInt8]) {
        out.append(literal: key)
        guard let v = value else { return out.append(literal: "null") }
        if v >= 0 { HTTPSerializer.writeDecimal(v, into: &out) } else { out.append(utf8: String(v)) }
    }

    private func decimal(_ key: StaticString, _ value: Double, _ out: inout [UInt8]) {
        out.append(literal: key)
        Self.writeMillis(value, into: &out)
    }

    /// Milliseconds with three decimals ("12.345"); negative values as 0.
    static func writeMillis(_ ms: Double, into out: inout [UInt8]) {
        HTTPSerializer.writeMillis(micros: Int((max(ms, 0) * 1000).rounded()), into: &out)
    }

    /// RFC 3339 UTC timestamp with milliseconds ("2026-11-23T05:03:15.042Z"), written digit by digit:
    /// the line is built on the request path, where string interpolation cost a microsecond.
    static func writeISO8601(_ nanos: UInt64, into out: inout [UInt8]) {
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
        if y >= 1000 { HTTPSerializer.writeDecimal(y, into: &out) } else {
            twoDigits(y / 100, &out)
            twoDigits(y % 100, &out)
        }
        out.append(UInt8(ascii: "-"))
        twoDigits(m, &out)
        out.append(UInt8(ascii: "-"))
        twoDigits(d, &out)
        out.append(UInt8(ascii: "T"))
        twoDigits(rem / 3600, &out)
        out.append(UInt8(ascii: ":"))
        twoDigits(rem % 3600 / 60, &out)
        out.append(UInt8(ascii: ":"))
        twoDigits(rem % 60, &out)
        out.append(UInt8(ascii: "."))
        out.append(UInt8(truncatingIfNeeded: 48 + ms / 100))
        twoDigits(ms % 100, &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// Appends `v` (0...99) as two digits.
    @inline(__always)
    private static func twoDigits(_ v: Int, _ out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: 48 + v / 10))
        out.append(UInt8(truncatingIfNeeded: 48 + v % 10))
    }
}
