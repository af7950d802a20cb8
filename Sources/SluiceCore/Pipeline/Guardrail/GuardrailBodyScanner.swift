/// Applies a guardrail to the prompt/completion text of a JSON body. Only the text fields are scanned (the
/// same ones the token estimator counts for requests; message/choice/content text for responses); each
/// string is scanned in its decoded form and, when redacted, re-encoded in place, so the JSON stays valid
/// and every other byte of the body is kept. Stateless; safe from any thread.
enum GuardrailBodyScanner {
    /// Which side of the exchange the body is.
    enum Phase: Sendable { case request, response }

    /// Scans the text fields of `body`. Block beats redact beats log. A body that is not a JSON object is
    /// scanned as plain text (and redacted as such).
    static func apply(_ engine: GuardrailEngine, body: [UInt8], phase: Phase) -> GuardrailVerdict {
        let index = body.withUnsafeBytes { JSONScanner.scanObject($0) }
        guard case .success(let idx) = index else { return applyPlain(engine, body: body) }
        return apply(engine, body: body, index: idx, phase: phase)
    }

    /// As `apply(_:body:phase:)` for a body already scanned by the caller.
    static func apply(_ engine: GuardrailEngine, body: [UInt8], index: JSONObjectIndex, phase: Phase) -> GuardrailVerdict {
        body.withUnsafeBytes { p -> GuardrailVerdict in
            var strings: [Range<Int>] = []
            strings.reserveCapacity(8)
            GuardrailTextFields(bytes: p, phase: phase).collect(index, into: &strings)
            guard !strings.isEmpty else { return .pass }
            var all: [GuardrailFinding] = []
            var edits: [(range: Range<Int>, token: [UInt8])] = []
            var scratch: [UInt8] = []
            for r in strings {
                let inner = (r.lowerBound + 1)..<(r.upperBound - 1)
                let escaped = ByteSearch.index(of: JSONByte.backslash, in: p, from: inner.lowerBound, to: inner.upperBound) != nil
                var found: [GuardrailFinding]
                if escaped {
                    scratch.removeAll(keepingCapacity: true)
                    JSONScanner.appendDecoded(inner, in: p, to: &scratch)
                    found = scratch.withUnsafeBytes { engine.scan($0) }
                } else {
                    found = engine.scan(UnsafeRawBufferPointer(rebasing: p[inner]))
                }
                guard !found.isEmpty else { continue }
                if let block = found.first(where: { $0.action == .block }) { return .blocked(block) }
                if found.contains(where: { $0.action == .redact }) {
                    let text = escaped ? scratch : Array(p[inner])
                    var token: [UInt8] = []
                    JSONWriter.appendString(bytes: redacting(text, found), to: &token)
                    edits.append((r, token))
                }
                all.append(contentsOf: found)
            }
            if all.isEmpty { return .pass }
            if edits.isEmpty { return .logged(all) }
            var out: [UInt8] = []
            out.reserveCapacity(p.count + edits.count * 24)
            var at = 0
            for e in edits {
                out.append(contentsOf: p[at..<e.range.lowerBound])
                out.append(contentsOf: e.token)
                at = e.range.upperBound
            }
            out.append(contentsOf: p[at...])
            return .redacted(body: out, findings: all)
        }
    }

    /// `text` with every `redact` finding replaced by `[REDACTED:<KIND>]` (findings sorted, disjoint).
    static func redacting(_ text: [UInt8], _ findings: [GuardrailFinding]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 16)
        var at = 0
        for f in findings where f.action == .redact && f.range.lowerBound >= at && f.range.upperBound <= text.count {
            out.append(contentsOf: text[at..<f.range.lowerBound])
            out.append(contentsOf: GuardrailSeverity.replacement(for: f.kind))
            at = f.range.upperBound
        }
        out.append(contentsOf: text[at...])
        return out
    }

    private static func applyPlain(_ engine: GuardrailEngine, body: [UInt8]) -> GuardrailVerdict {
        let found = body.withUnsafeBytes { engine.scan($0) }
        if found.isEmpty { return .pass }
        if let block = found.first(where: { $0.action == .block }) { return .blocked(block) }
        if found.contains(where: { $0.action == .redact }) { return .redacted(body: redacting(body, found), findings: found) }
        return .logged(found)
    }
}
