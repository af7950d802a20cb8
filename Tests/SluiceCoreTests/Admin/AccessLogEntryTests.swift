import Foundation
import Testing
@testable import SluiceCore

/// The access-log line (SPEC §7): one JSON object per request, its timestamp and timings written
/// digit by digit.
@Suite struct AccessLogEntryTests {
    static func iso(_ nanos: UInt64) -> String {
        var out: [UInt8] = []
        AccessLogEntry.writeISO8601(nanos, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func millis(_ ms: Double) -> String {
        var out: [UInt8] = []
        AccessLogEntry.writeMillis(ms, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func timestamps_areRFC3339UTCWithMilliseconds() {
        #expect(Self.iso(1_795_410_195_042_000_123) == "2026-11-23T05:03:15.042Z")
        #expect(Self.iso(951_868_799_999_000_123) == "2000-02-29T23:59:59.999Z")
        #expect(Self.iso(123) == "1970-01-01T00:00:00.000Z")
    }

    @Test func timestamps_agreeWithFoundationOverManyDates() {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        var nanos: UInt64 = 0
        for _ in 0..<500 {
            nanos = nanos &+ 7_919_876_543_210_987   // about 92 days and a fraction
            let expected = f.string(from: Date(timeIntervalSince1970: Double(nanos / 1_000_000) / 1000))
            #expect(Self.iso(nanos) == expected)
        }
    }

    @Test func millis_haveThreeDecimals() {
        #expect(Self.millis(12.3456) == "12.346")
        #expect(Self.millis(0.0004) == "0.000")
        #expect(Self.millis(7.05) == "7.050")
        #expect(Self.millis(1234.001) == "1234.001")
        #expect(Self.millis(-3) == "0.000")
    }

    @Test func line_isOneJSONObject_withEveryField() throws {
        var e = AccessLogEntry()
        e.timestampNanos = 1_795_410_195_042_000_123
        e.requestID = "r-1"
        e.method = "POST"
        e.path = "/v1/chat/completions"
        e.status = 200
        e.model = "gpt-\"4o\""
        e.inputTokens = 12
        e.durationMs = 3.25
        e.upstreamFirstByteMs = 1.5
        e.bytesIn = 1024
        var out: [UInt8] = []
        e.write(into: &out)
        #expect(out.last == UInt8(ascii: "\n"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(out.dropLast())) as? [String: Any])
        #expect(obj["ts"] as? String == "2026-11-23T05:03:15.042Z")
        #expect(obj["model"] as? String == "gpt-\"4o\"")
        #expect(obj["input_tokens"] as? Int == 12)
        #expect(obj["output_tokens"] is NSNull)
        #expect((obj["duration_ms"] as? Double) == 3.25)
        #expect((obj["upstream_first_byte_ms"] as? Double) == 1.5)
        #expect(obj["bytes_in"] as? Int == 1024)
        #expect(obj["stream"] as? Bool == false)
    }

    @Test func longModelNames_areCutAt256Characters() throws {
        var e = AccessLogEntry()
        e.model = String(repeating: "é", count: 300)
        var out: [UInt8] = []
        e.write(into: &out)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(out.dropLast())) as? [String: Any])
        #expect((obj["model"] as? String)?.count == 256)
    }
}
