/// Streaming guardrail for SSE responses (SPEC §4 `stream_holdback`). Whole events are held while fewer
/// than `holdback` characters of text follow them, so a match split across events is still seen whole;
/// redactions rewrite the held events' text (a match spanning events: the replacement goes into the first,
/// the rest is removed from the others), a block ends the stream. Text-less events (role, usage, [DONE])
/// keep their place in the order. Owned by one stream on one loop.
struct SSEGuardrailFilter {
    /// What the caller may send now.
    enum Output {
        /// Events to write, in order (possibly none).
        case release([[UInt8]])
        /// A block match: write `release`, then the error event, then close.
        case blocked(GuardrailFinding, release: [[UInt8]])
    }

    private struct Held {
        var raw: [UInt8]
        /// The text string token in `raw` (quotes included), nil for a text-less event.
        var token: Range<Int>?
        /// This event's decoded text in `window`.
        var text: Range<Int>
        /// Text rewritten: re-encode on release.
        var dirty = false
    }

    private let engine: GuardrailEngine
    private let holdback: Int
    /// Upper bound of held text: past it, matches still growing at the end are acted on anyway.
    private let maxHeldBytes: Int
    /// Bytes of already released text kept in front of the window as left context for boundaries.
    private let contextBytes: Int
    private var held: [Held] = []
    /// Released context, then the decoded text of every held event.
    private var window: [UInt8] = []
    private var prefixCount = 0
    /// Replacement texts in `window`: never matched again.
    private var replaced: [Range<Int>] = []
    private var ended = false
    /// Stream offset of `window[0]` (in the text as released) and the offset up to which log findings were counted.
    private var windowBase = 0
    private var loggedUpTo = 0
    /// Redactions applied and log matches seen since the last `takeActions()` (for metrics; each once).
    private var actions: [GuardrailFinding] = []

    /// A filter over `engine` holding back `holdback` characters.
    init(engine: GuardrailEngine, holdback: Int = 64, maxHeldBytes: Int = 65_536, contextBytes: Int = 32) {
        self.engine = engine
        self.holdback = Swift.max(0, holdback)
        self.maxHeldBytes = Swift.max(1, maxHeldBytes)
        self.contextBytes = Swift.max(0, contextBytes)
    }

    /// Feeds one whole SSE event (raw bytes including its blank line).
    mutating func feed(event: ArraySlice<UInt8>) -> Output {
        guard !ended else { return .release([]) }
        let raw = Array(event)
        let token = raw.withUnsafeBytes { SSEGuardrailEventText.locate($0) }
        let start = window.count
        if let token {
            raw.withUnsafeBytes { JSONScanner.appendDecoded((token.lowerBound + 1)..<(token.upperBound - 1), in: $0, to: &window) }
        }
        held.append(Held(raw: raw, token: token, text: start..<window.count))
        return process(final: false)
    }

    /// The redactions applied and log-only matches seen since the last call (block findings are returned
    /// by `feed`/`finish` instead). Ranges are in the filter's text window.
    mutating func takeActions() -> [GuardrailFinding] {
        defer { actions.removeAll() }
        return actions
    }

    /// End of stream: scans and releases everything still held.
    mutating func finish() -> Output {
        guard !ended else { return .release([]) }
        let out = process(final: true)
        ended = true
        return out
    }

    private mutating func process(final: Bool) -> Output {
        let force = final || holdback == 0 || window.count - prefixCount > maxHeldBytes
        var found = window.withUnsafeBytes { engine.scan($0) }
        found.removeAll { f in
            f.range.lowerBound < prefixCount || replaced.contains { $0.overlaps(f.range) }
        }
        if let block = found.first(where: { $0.action == .block }) {
            // Release the clean events before the match (their redactions applied), drop the rest.
            let before = found.filter { $0.action == .redact && $0.range.upperBound <= block.range.lowerBound }
            var shift = 0
            for f in before { shift += GuardrailSeverity.replacement(for: f.kind).count - f.range.count }
            rewrite(before)
            actions += before
            let cut = block.range.lowerBound + shift
            var out: [[UInt8]] = []
            for h in held {
                guard h.text.upperBound <= cut else { break }
                out.append(encoded(h))
            }
            held.removeAll()
            ended = true
            return .blocked(block, release: out)
        }
        let actionable = found.filter { $0.action == .redact && (force || $0.range.upperBound < window.count) }
        actions += actionable
        // Log matches are counted once: by their start in the text as it will be after this rewrite.
        for f in found where f.action == .log && (force || f.range.upperBound < window.count) {
            var at = windowBase + f.range.lowerBound
            for r in actionable where r.range.upperBound <= f.range.lowerBound {
                at += GuardrailSeverity.replacement(for: r.kind).count - r.range.count
            }
            guard at >= loggedUpTo else { continue }
            actions.append(f)
            loggedUpTo = at + 1
        }
        let deferredStart = found.first { $0.action == .redact && !(force || $0.range.upperBound < window.count) }?
            .range.lowerBound
        rewrite(actionable)
        return .release(release(all: force && (final || holdback == 0), deferredStart: deferredStart, force: force))
    }

    /// Applies `redactions` (sorted, disjoint, window coordinates) to the window and the held events.
    private mutating func rewrite(_ redactions: [GuardrailFinding]) {
        guard !redactions.isEmpty else { return }
        var w: [UInt8] = Array(window[0..<prefixCount])
        w.reserveCapacity(window.count + redactions.count * 16)
        var spans = replaced.filter { $0.upperBound <= prefixCount }
        // Copies window[a..<b], moving the earlier replacement spans that lie inside it.
        func copy(_ a: Int, _ b: Int) {
            guard a < b else { return }
            let shift = w.count - a
            for span in replaced where span.lowerBound >= a && span.upperBound <= b && span.lowerBound >= prefixCount {
                spans.append((span.lowerBound + shift)..<(span.upperBound + shift))
            }
            w.append(contentsOf: window[a..<b])
        }
        var r = 0
        for h in held.indices {
            let old = held[h].text
            let start = w.count
            var at = old.lowerBound
            var changed = false
            while r < redactions.count && redactions[r].range.lowerBound < old.upperBound {
                let f = redactions[r].range
                if f.upperBound <= at {
                    r += 1
                    continue
                }
                copy(at, Swift.max(f.lowerBound, at))
                if f.lowerBound >= old.lowerBound {
                    let rep = GuardrailSeverity.replacement(for: redactions[r].kind)
                    spans.append(w.count..<(w.count + rep.count))
                    w.append(contentsOf: rep)
                }
                changed = true
                at = Swift.min(f.upperBound, old.upperBound)
                if f.upperBound <= old.upperBound { r += 1 } else { break }
            }
            copy(at, old.upperBound)
            held[h].text = start..<w.count
            if changed { held[h].dirty = true }
        }
        window = w
        replaced = spans
    }

    /// Releases events from the front: text-less ones at once, text ones once `holdback` characters follow
    /// them and no pending match starts in them (or all of them when `all`).
    private mutating func release(all: Bool, deferredStart: Int?, force: Bool) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var count = 0
        var releasedEnd = prefixCount
        while count < held.count {
            let h = held[count]
            if !all && h.token != nil {
                if let d = deferredStart, !force, h.text.upperBound > d { break }
                if Self.characters(window, from: h.text.upperBound) < holdback { break }
            }
            out.append(encoded(h))
            releasedEnd = h.text.upperBound
            count += 1
        }
        guard count > 0 else { return out }
        held.removeFirst(count)
        // Keep a little released text as left context; cut on a scalar boundary.
        var keep = Swift.max(releasedEnd - contextBytes, 0)
        while keep < releasedEnd && window[keep] & 0xC0 == 0x80 { keep += 1 }
        window.removeFirst(keep)
        windowBase += keep
        prefixCount = releasedEnd - keep
        for i in held.indices { held[i].text = (held[i].text.lowerBound - keep)..<(held[i].text.upperBound - keep) }
        replaced = replaced.compactMap { $0.upperBound > keep ? (Swift.max($0.lowerBound - keep, 0))..<($0.upperBound - keep) : nil }
        return out
    }

    /// Unicode scalars in `w[from...]`.
    private static func characters(_ w: [UInt8], from: Int) -> Int {
        var n = 0
        for i in from..<w.count where w[i] & 0xC0 != 0x80 { n += 1 }
        return n
    }

    /// The event's bytes, with its text re-encoded when it was rewritten.
    private func encoded(_ h: Held) -> [UInt8] {
        guard h.dirty, let token = h.token else { return h.raw }
        var out: [UInt8] = []
        out.reserveCapacity(h.raw.count + 16)
        out.append(contentsOf: h.raw[0..<token.lowerBound])
        JSONWriter.appendString(bytes: window[h.text], to: &out)
        out.append(contentsOf: h.raw[token.upperBound...])
        return out
    }
}
