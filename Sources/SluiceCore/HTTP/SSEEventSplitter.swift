/// Splits a `text/event-stream` byte stream into whole raw events, one per upstream stream.
///
/// An event ends at a blank line; lines may end in LF, CRLF or CR (WHATWG HTML §9.2.5), and events may
/// be split anywhere across feeds. Each event is handed over as the raw bytes up to and including its
/// blank line, so the relay forwards exactly what the upstream sent, event by event.
///
/// A blank line made of a single CR is ambiguous until the next byte (CR or CRLF?). The splitter waits
/// for that byte, except in a stream whose previous line also ended in a bare CR: there it emits at
/// once (no latency for CR-only streams) and drops an LF that might follow, which cannot change the
/// event's meaning. Memory is bounded by `maxEventBytes` plus one feed.
struct SSEEventSplitter: Sendable {
    /// Maximum raw size of one event.
    let maxEventBytes: Int
    private var pending: [UInt8] = []
    private var scanIndex = 0
    private var atLineStart = true
    private var afterCR = false
    private var blankCR = false
    private var prevBareCR = false
    private var dropLF = false

    /// A splitter at the start of a stream.
    init(maxEventBytes: Int = 1 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Bytes held that do not form a complete event yet.
    var pendingBytes: Int { pending.count }

    /// Feeds bytes, calling `onEvent` for each completed event in order. Returns false when an event
    /// exceeds `maxEventBytes` (the caller treats it as an upstream error and stops feeding).
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ onEvent: (ArraySlice<UInt8>) -> Void) -> Bool {
        pending.append(contentsOf: bytes)
        let n = pending.count
        var i = scanIndex
        var start = 0
        var atLineStart = self.atLineStart, afterCR = self.afterCR, blankCR = self.blankCR
        var prevBareCR = self.prevBareCR, dropLF = self.dropLF
        var ok = true
        let cr = HTTPByteClass.cr, lf = HTTPByteClass.lf
        // The scan reads through a buffer pointer (no bounds checks) and skips ordinary bytes with
        // memchr: the state machine only runs at line endings.
        pending.withUnsafeBufferPointer { p in
        let raw = UnsafeRawBufferPointer(p)
        // Most streams end lines with LF alone: when the unscanned bytes hold no CR (one memchr for the
        // whole read), each line's end is one LF search instead of an LF and a CR search.
        let crFree = ByteSearch.index(of: cr, in: raw, from: i, to: n) == nil
        while i < n {
            if !afterCR && !dropLF && p[i] != cr && p[i] != lf {
                atLineStart = false
                let end = crFree ? ByteSearch.index(of: lf, in: raw, from: i + 1, to: n)
                                 : ByteSearch.lineBreak(in: raw, from: i + 1, to: n)
                i = end ?? n
                continue
            }
            let b = p[i]
            if dropLF {
                dropLF = false
                if b == lf { start = i + 1; i += 1; continue }
            }
            if afterCR {
                afterCR = false
                if b == lf {
                    prevBareCR = false
                    if blankCR {
                        blankCR = false
                        if i + 1 - start > maxEventBytes { ok = false; break }
                        onEvent(pending[start...i])
                        start = i + 1
                    }
                    i += 1
                    continue
                }
                if blankCR {
                    blankCR = false
                    prevBareCR = false
                    if i - start > maxEventBytes { ok = false; break }
                    onEvent(pending[start..<i])
                    start = i
                } else {
                    prevBareCR = true
                }
            }
            if b == cr {
                afterCR = true
                if atLineStart { blankCR = true } else { atLineStart = true }
            } else if b == lf {
                prevBareCR = false
                if atLineStart {
                    if i + 1 - start > maxEventBytes { ok = false; break }
                    onEvent(pending[start...i])
                    start = i + 1
                } else {
                    atLineStart = true
                }
            } else {
                atLineStart = false
            }
            i += 1
        }
        }
        if ok, afterCR, blankCR, prevBareCR {
            if n - start > maxEventBytes {
                ok = false
            } else {
                onEvent(pending[start..<n])
                start = n
                afterCR = false
                blankCR = false
                prevBareCR = false
                dropLF = true
            }
        }
        if ok, n - start > maxEventBytes { ok = false }
        if start == n {
            pending.removeAll(keepingCapacity: true)
        } else if start > 0 {
            pending.removeSubrange(0..<start)
        }
        scanIndex = ok ? n - start : pending.count
        self.atLineStart = atLineStart
        self.afterCR = afterCR
        self.blankCR = blankCR
        self.prevBareCR = prevBareCR
        self.dropLF = dropLF
        return ok
    }

    /// Returns and clears the bytes of an unfinished event (e.g. at end of stream); the splitter starts over.
    mutating func takePending() -> [UInt8] {
        let out = pending
        self = SSEEventSplitter(maxEventBytes: maxEventBytes)
        return out
    }
}
