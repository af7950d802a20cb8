// The one Foundation import of the guardrail: Unicode NFKC, which the stdlib does not expose. It is only
// reached for non-ASCII scalars that change under NFKC case folding (see GuardrailTextFold).
import Foundation

/// NFKC normalisation plus lower-casing of a short non-ASCII segment.
enum GuardrailUnicodeNFKC {
    /// `s` in NFKC, lower-cased, as scalar values.
    static func foldedScalars(_ s: String) -> [UInt32] {
        s.precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars.map(\.value)
    }
}
