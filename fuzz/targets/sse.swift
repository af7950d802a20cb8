/// Fuzz target: `SSEEventSplitter` and `SSEEvent`.
///
/// Invariants besides "no crash":
/// - fed whole, events plus pending bytes are exactly the input;
/// - fed in pieces, the events are the same in number and `data`, and together with the pending bytes
///   they are the input with at most one LF per event left out (the LF the splitter may drop after a
///   CR-only blank line when it cannot wait for the next byte);
/// - every event ends with a line break;
/// - `SSEEvent.encode(data:)` of the input is one event whose `data` is the input, line breaks as LF;
/// - with a small `maxEventBytes`, no event larger than it is ever emitted.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    FuzzSSE.run(&input)
    return 0
}

private enum FuzzSSE {
    static func split(_ bytes: [UInt8], _ pieces: [Int], max: Int) -> (events: [[UInt8]], pending: [UInt8], ok: Bool) {
        var s = SSEEventSplitter(maxEventBytes: max)
        var events: [[UInt8]] = []
        var start = 0
        for n in pieces {
            let ok = bytes[start..<(start + n)].withUnsafeBytes { s.feed($0) { events.append(Array($0)) } }
            start += n
            if !ok { return (events, [], false) }
        }
        return (events, s.takePending(), true)
    }

    static func run(_ input: inout FuzzInput) {
        let bytes = input.bytes
        let whole = split(bytes, bytes.isEmpty ? [] : [bytes.count], max: 1 << 20)
        FuzzCheck.require(whole.ok, "event over 1 MiB in a small input")
        FuzzCheck.require(whole.events.joined() + whole.pending == bytes, "whole feed lost or added bytes: \(FuzzCheck.show(bytes))")
        for e in whole.events {
            FuzzCheck.require(e.last == 10 || e.last == 13, "event without a final line break: \(FuzzCheck.show(e))")
        }

        let parts = split(bytes, input.pieces(bytes.count), max: 1 << 20)
        FuzzCheck.require(parts.events.count == whole.events.count,
                          "event count differs whole/pieces (\(whole.events.count) vs \(parts.events.count)): \(FuzzCheck.show(bytes))")
        for (a, b) in zip(whole.events, parts.events) {
            FuzzCheck.require(SSEEvent.data(of: a[...]) == SSEEvent.data(of: b[...]), "event data differs whole/pieces: \(FuzzCheck.show(bytes))")
        }
        let rebuilt = parts.events.joined() + parts.pending
        FuzzCheck.require(isInputMinusLFs(rebuilt, bytes, atMost: parts.events.count),
                          "pieces lost or added bytes: \(FuzzCheck.show(bytes))")

        // Encoding: one event, data equal to the input with CR, CRLF and LF all read as LF.
        var encoded: [UInt8] = []
        SSEEvent.encode(data: bytes, into: &encoded)
        let enc = split(encoded, input.pieces(encoded.count), max: 1 << 22)
        FuzzCheck.require(enc.events.count == 1 && enc.pending.isEmpty, "encode did not give one event: \(FuzzCheck.show(encoded))")
        var expected: [UInt8] = []
        var lastCR = false
        for b in bytes {
            if b == 10 && lastCR { lastCR = false; continue }
            lastCR = b == 13
            expected.append(b == 13 ? 10 : b)
        }
        FuzzCheck.require(enc.events.first.flatMap { SSEEvent.data(of: $0[...]) } == expected,
                          "encode/data round trip failed for \(FuzzCheck.show(bytes))")

        // Tight limit: never an event over it, whatever the split.
        let max = 1 + input.below(64)
        let tight = split(bytes, input.pieces(bytes.count), max: max)
        for e in tight.events { FuzzCheck.require(e.count <= max, "event of \(e.count) bytes over maxEventBytes \(max)") }
    }

    /// True when `got` is `want` with at most `n` LF bytes removed.
    static func isInputMinusLFs(_ got: [UInt8], _ want: [UInt8], atMost n: Int) -> Bool {
        var i = 0
        var skipped = 0
        for b in want {
            if i < got.count, got[i] == b { i += 1; continue }
            guard b == 10, skipped < n else { return false }
            skipped += 1
        }
        return i == got.count
    }
}
