/// A user `regex` detector: a Swift `Regex` compiled once per config generation.
struct GuardrailRegexDetector: @unchecked Sendable {
    // @unchecked: `Regex` is an immutable value whose lazily built program is published atomically by
    // _StringProcessing; we also force that compilation in `init`, before the engine is shared.
    private let regex: Regex<AnyRegexOutput>
    /// Finding kind: the category upper-cased, or "REGEX".
    let kind: String
    /// The detector's action.
    let action: DetectorConfig.Action

    /// Compiles `pattern`; throws with the detector index on a syntax error.
    init(pattern: String, category: String?, action: DetectorConfig.Action, index: Int) throws(GuardrailCompileError) {
        do {
            regex = try Regex(pattern)
        } catch {
            throw GuardrailCompileError(detectorIndex: index, reason: "\(error)")
        }
        kind = category.map { $0.uppercased() } ?? "REGEX"
        self.action = action
        _ = "".firstMatch(of: regex)
    }

    /// Appends the non-empty matches in `p` (valid UTF-8 only; ranges are byte offsets) to `out`.
    func scan(_ p: UnsafeRawBufferPointer, into out: inout [GuardrailFinding]) {
        guard let text = String(validating: p, as: UTF8.self) else { return }
        let utf8 = text.utf8
        for m in text.matches(of: regex) where !m.range.isEmpty {
            let lo = utf8.distance(from: text.startIndex, to: m.range.lowerBound)
            let hi = utf8.distance(from: text.startIndex, to: m.range.upperBound)
            out.append(GuardrailFinding(detector: "regex", kind: kind, action: action, range: lo..<hi))
        }
    }
}
