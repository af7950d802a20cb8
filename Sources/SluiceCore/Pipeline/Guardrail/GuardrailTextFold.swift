/// The normalisation under which keywords and injection phrases are matched, applied identically to the
/// patterns (at compile time) and to the text (while scanning), so any folding stays consistent:
/// - ASCII: letters lower-cased; digits, '_' and the tag punctuation `<>|[]#:` kept; everything else is a
///   separator, and runs of separators collapse into one (leading ones are dropped).
/// - Non-ASCII: zero-width/format characters dropped; Cyrillic/Greek look-alikes folded to Latin (both
///   cases; an upper-case letter whose lower case is not a look-alike folds to that lower case, so a Russian
///   phrase folds the same whatever its case); combining marks dropped; other scalars that change under
///   NFKC case folding go through NFKC + lower-casing (fullwidth `ｉｇｎｏｒｅ` → `ignore`). ASCII never pays
///   for NFKC: it is its own NFKC form.
enum GuardrailTextFold {
    /// Separator symbol.
    static let separator: UInt8 = 0x20

    /// The symbol of an ASCII byte: itself lower-cased, or `separator`.
    @inline(__always)
    static func asciiSymbol(_ b: UInt8) -> UInt8 {
        if b &- 0x41 < 26 { return b | 0x20 }
        if b &- 0x61 < 26 || b &- 0x30 < 10 { return b }
        switch b {
        case 0x5F, 0x3C, 0x3E, 0x7C, 0x5B, 0x5D, 0x23, 0x3A: return b // _ < > | [ ] # :
        default: return separator
        }
    }

    /// True for ASCII symbols that are part of words (letters, digits, '_').
    @inline(__always)
    static func isWordASCII(_ s: UInt8) -> Bool {
        s &- 0x61 < 26 || s &- 0x30 < 10 || s == 0x5F
    }

    /// True for non-ASCII scalars that belong to words of space-separated scripts (Latin, Greek, Cyrillic,
    /// Arabic, …): word boundaries apply around them. CJK, kana and Hangul (≥ U+2E80) have no boundaries.
    @inline(__always)
    static func isWordScalar(_ v: UInt32) -> Bool {
        if v < 0x80 { return isWordASCII(UInt8(v)) }
        if v < 0xC0 || v == 0xD7 || v == 0xF7 { return false }
        if v >= 0x2000 && v <= 0x2BFF { return false } // punctuation, symbols, arrows, shapes
        return v < 0x2E80
    }

    /// Zero-width and invisible format characters that are removed before matching.
    @inline(__always)
    static func isInvisible(_ v: UInt32) -> Bool {
        switch v {
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x180E, 0x200B...0x200F, 0x202A...0x202E,
             0x2060...0x2064, 0x206A...0x206F, 0x3164, 0xFE00...0xFE0F, 0xFEFF, 0xFFA0:
            return true
        default:
            return false
        }
    }

    /// Look-alike folding: Cyrillic/Greek letters that read as Latin ones map to that ASCII letter;
    /// other upper-case letters of those scripts map to their lower case. Nil: not handled here.
    @inline(__always)
    static func lookAlike(_ v: UInt32) -> UInt32? {
        switch v {
        // Cyrillic lower case
        case 0x0430: 0x61 // а
        case 0x0435, 0x0451: 0x65 // е ё
        case 0x043E: 0x6F // о
        case 0x0440: 0x70 // р
        case 0x0441: 0x63 // с
        case 0x0445: 0x78 // х
        case 0x0443: 0x79 // у
        case 0x0456: 0x69 // і
        case 0x0458: 0x6A // ј
        case 0x0455: 0x73 // ѕ
        case 0x043A: 0x6B // к
        case 0x051B: 0x71 // ԛ
        case 0x051D: 0x77 // ԝ
        case 0x0501: 0x64 // ԁ
        case 0x04CF: 0x6C // ӏ
        case 0x0261: 0x67 // ɡ
        // Cyrillic upper case
        case 0x0410: 0x61 // А
        case 0x0415, 0x0401: 0x65 // Е Ё
        case 0x041E: 0x6F // О
        case 0x0420: 0x70 // Р
        case 0x0421: 0x63 // С
        case 0x0425: 0x78 // Х
        case 0x0423: 0x79 // У
        case 0x0406: 0x69 // І
        case 0x0408: 0x6A // Ј
        case 0x0405: 0x73 // Ѕ
        case 0x041A: 0x6B // К
        // Greek lower case
        case 0x03B1: 0x61 // α
        case 0x03B5: 0x65 // ε
        case 0x03B9: 0x69 // ι
        case 0x03BA: 0x6B // κ
        case 0x03BD: 0x76 // ν
        case 0x03BF: 0x6F // ο
        case 0x03C1: 0x70 // ρ
        case 0x03C4: 0x74 // τ
        case 0x03C5: 0x75 // υ
        case 0x03C7: 0x78 // χ
        // Greek upper case (folded like their lower case)
        case 0x0391: 0x61 // Α
        case 0x0395: 0x65 // Ε
        case 0x0399: 0x69 // Ι
        case 0x039A: 0x6B // Κ
        case 0x039D: 0x76 // Ν
        case 0x039F: 0x6F // Ο
        case 0x03A1: 0x70 // Ρ
        case 0x03A4: 0x74 // Τ
        case 0x03A5: 0x75 // Υ
        case 0x03A7: 0x78 // Χ
        default:
            // Remaining Greek/Cyrillic capitals: their lower case (no NFKC needed for these blocks).
            if (v >= 0x0400 && v <= 0x042F) || (v >= 0x0391 && v <= 0x03AB) {
                Unicode.Scalar(v)?.properties.lowercaseMapping.unicodeScalars.first?.value
            } else {
                nil
            }
        }
    }

    /// How one non-ASCII scalar (plus the combining marks after it) is folded.
    enum Folded {
        /// Nothing is fed (invisible character or lone combining mark).
        case skip
        /// One scalar (may be ASCII: it then goes through `asciiSymbol`).
        case one(UInt32)
        /// Several scalars from NFKC (rare path: allocates).
        case many([UInt32])
    }

    /// Folds the non-ASCII scalar `v` that starts at `p[i]`; `next` is the offset after it. Returns the
    /// folding and the offset after the consumed bytes (combining marks after a changed scalar join it).
    static func fold(_ v: UInt32, _ p: UnsafeRawBufferPointer, next: Int) -> (Folded, Int) {
        if isInvisible(v) { return (.skip, next) }
        if let f = lookAlike(v) { return (.one(f), next) }
        guard let u = Unicode.Scalar(v) else { return (.skip, next) }
        let props = u.properties
        if props.canonicalCombiningClass.rawValue != 0 { return (.skip, next) }
        if props.isWhitespace { return (.one(0x20), next) }
        if !props.changesWhenNFKCCaseFolded { return (.one(v), next) }
        let end = marksEnd(p, from: next)
        return (nfkc(p, (next - GuardrailUTF8.length(v))..<end), end)
    }

    /// An ASCII letter at `i` followed by combining marks ("e\u{301}"): the NFKC folding of the letter and
    /// its marks, or nil when no mark follows (the caller checked that a non-ASCII byte follows).
    static func composeMarks(_ p: UnsafeRawBufferPointer, asciiAt i: Int) -> (Folded, Int)? {
        let end = marksEnd(p, from: i + 1)
        guard end > i + 1 else { return nil }
        return (nfkc(p, i..<end), end)
    }

    /// End of the run of combining marks starting at `from`.
    private static func marksEnd(_ p: UnsafeRawBufferPointer, from: Int) -> Int {
        var end = from
        while end < p.count, let (m, n) = GuardrailUTF8.decode(p, at: end), m >= 0x80,
              let mu = Unicode.Scalar(m), mu.properties.canonicalCombiningClass.rawValue != 0 {
            end += n
        }
        return end
    }

    /// NFKC + lower-casing of `p[range]`, then invisible removal, look-alike folding and mark dropping.
    private static func nfkc(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) -> Folded {
        let s = String(decoding: UnsafeRawBufferPointer(rebasing: p[range]), as: UTF8.self)
        var out: [UInt32] = []
        for w in GuardrailUnicodeNFKC.foldedScalars(s) {
            if isInvisible(w) { continue }
            if let f = lookAlike(w) {
                out.append(f)
                continue
            }
            if w >= 0x80, let wu = Unicode.Scalar(w), wu.properties.canonicalCombiningClass.rawValue != 0 { continue }
            out.append(w)
        }
        if out.count == 1 { return .one(out[0]) }
        return out.isEmpty ? .skip : .many(out)
    }
}

/// Minimal lenient UTF-8 decoding for the guardrail's text walkers.
enum GuardrailUTF8 {
    /// The scalar at `i` and its byte length; nil for a malformed or truncated sequence.
    @inline(__always)
    static func decode(_ p: UnsafeRawBufferPointer, at i: Int) -> (UInt32, Int)? {
        guard i < p.count else { return nil }
        let b0 = p[i]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        let n = JSONUTF8.sequenceLength(p, at: i, end: p.count)
        guard n > 0 else { return nil }
        var v = UInt32(b0) & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07)
        for k in 1..<n { v = v << 6 | (UInt32(p[i + k]) & 0x3F) }
        return (v, n)
    }

    /// The first offset at or after `i` holding a non-ASCII byte, or `p.count` (eight bytes per step).
    @inline(__always)
    static func asciiRunEnd(_ p: UnsafeRawBufferPointer, from i: Int) -> Int {
        var j = i
        while j &+ 8 <= p.count && p.loadUnaligned(fromByteOffset: j, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            j &+= 8
        }
        while j < p.count && p[j] < 0x80 { j &+= 1 }
        return j
    }

    /// UTF-8 length of a scalar value.
    @inline(__always)
    static func length(_ v: UInt32) -> Int { JSONUTF8.encodedLength(v) }
}
