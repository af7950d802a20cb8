/// The compiled guardrail of one config generation: hand-written matchers for PII and secrets, one
/// Aho-Corasick automaton for keywords and injection phrases, user regexes. Immutable; shared by all loops.
final class GuardrailEngine: Sendable {
    /// The config it was compiled from (phases, status, holdback).
    let config: GuardrailConfig
    private let builtins: GuardrailPatternScanner
    private let phrases: GuardrailPhraseAutomaton?
    private let payloads: [GuardrailPhrasePayload]
    private let regexes: [GuardrailRegexDetector]

    /// Compiles `config`; a bad user regex throws with its detector index.
    init(_ config: GuardrailConfig) throws(GuardrailCompileError) {
        self.config = config
        var kinds: [GuardrailBuiltinKind: DetectorConfig.Action] = [:]
        var regexes: [GuardrailRegexDetector] = []
        var payloads: [GuardrailPhrasePayload] = []
        // Folded pattern bytes → (pattern, payload); a duplicate keeps the most severe action.
        var phraseIndex: [[UInt8]: Int] = [:]
        var phraseList: [(bytes: [UInt8], pattern: GuardrailPhraseAutomaton.Pattern)] = []

        func addPhrase(_ text: String, payload: Int, endBounded: Bool) {
            let f = GuardrailSymbolWalker.foldPattern(text)
            guard !f.bytes.isEmpty else { return }
            let pattern = GuardrailPhraseAutomaton.Pattern(length: f.bytes.count, needStart: f.firstWord,
                                                          needEnd: endBounded && f.lastWord, payload: payload,
                                                          extendToWordEnd: !endBounded && f.lastWord)
            if let at = phraseIndex[f.bytes] {
                let old = payloads[phraseList[at].pattern.payload].action
                if GuardrailSeverity.rank(payloads[payload].action) > GuardrailSeverity.rank(old) {
                    phraseList[at].pattern = pattern
                }
                return
            }
            phraseIndex[f.bytes] = phraseList.count
            phraseList.append((f.bytes, pattern))
        }

        for (index, det) in config.detectors.enumerated() {
            switch det.kind {
            case .pii(let list):
                for k in list { kinds[GuardrailBuiltinKind(k)] = GuardrailSeverity.stronger(kinds[GuardrailBuiltinKind(k)], det.action) }
            case .secrets:
                for k in [GuardrailBuiltinKind.apiKey, .privateKey, .jwt] {
                    kinds[k] = GuardrailSeverity.stronger(kinds[k], det.action)
                }
            case .regex(let pattern, let category):
                regexes.append(try GuardrailRegexDetector(pattern: pattern, category: category, action: det.action,
                                                          index: index))
            case .keywords(let words):
                payloads.append(GuardrailPhrasePayload(detector: "keywords", kind: "KEYWORD", action: det.action))
                for w in words { addPhrase(w, payload: payloads.count - 1, endBounded: true) }
            case .promptInjection:
                payloads.append(GuardrailPhrasePayload(detector: "prompt_injection", kind: "PROMPT_INJECTION",
                                                       action: det.action))
                for phrase in GuardrailInjectionPhrases.all {
                    addPhrase(phrase, payload: payloads.count - 1, endBounded: false)
                }
            }
        }
        builtins = GuardrailPatternScanner(actions: kinds)
        phrases = phraseList.isEmpty ? nil : GuardrailPhraseAutomaton(phraseList)
        self.payloads = payloads
        self.regexes = regexes
    }

    /// Number of automaton states (for diagnostics and tests).
    var phraseStateCount: Int { phrases?.stateCount ?? 0 }

    /// Number of byte classes of the automaton (for diagnostics and tests).
    var phraseClassCount: Int { phrases?.classCount ?? 0 }

    /// All findings in `text`, sorted by start, overlaps resolved: the more severe action wins, then the
    /// longer match, then the earlier one.
    func scan(_ text: UnsafeRawBufferPointer) -> [GuardrailFinding] {
        var out: [GuardrailFinding] = []
        if !builtins.isEmpty { builtins.scan(text, into: &out) }
        phrases?.scan(text, payloads: payloads, into: &out)
        for r in regexes { r.scan(text, into: &out) }
        return Self.resolve(out)
    }

    /// Sorts findings and drops the ones overlapping a stronger one.
    static func resolve(_ found: [GuardrailFinding]) -> [GuardrailFinding] {
        guard found.count > 1 else { return found }
        let sorted = found.sorted {
            $0.range.lowerBound != $1.range.lowerBound ? $0.range.lowerBound < $1.range.lowerBound
                                                       : $0.range.count > $1.range.count
        }
        var kept: [GuardrailFinding] = []
        kept.reserveCapacity(sorted.count)
        for f in sorted {
            // A finding may overlap several kept ones: it replaces them only if it beats each.
            var firstOverlap = kept.count
            while firstOverlap > 0 && kept[firstOverlap - 1].range.upperBound > f.range.lowerBound { firstOverlap -= 1 }
            if firstOverlap == kept.count {
                kept.append(f)
                continue
            }
            if kept[firstOverlap...].allSatisfy({ beats(f, $0) }) {
                kept.removeSubrange(firstOverlap...)
                kept.append(f)
            }
        }
        return kept
    }

    private static func beats(_ a: GuardrailFinding, _ b: GuardrailFinding) -> Bool {
        let ra = GuardrailSeverity.rank(a.action), rb = GuardrailSeverity.rank(b.action)
        if ra != rb { return ra > rb }
        return a.range.count > b.range.count
    }
}
