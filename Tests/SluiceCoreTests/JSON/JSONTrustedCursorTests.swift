import Testing
@testable import SluiceCore

/// The non-validating cursor must find exactly the token ends the validating scanner finds, whatever
/// the position of quotes and escapes relative to its eight-byte steps, and give up inside its region
/// rather than read past it.
@Suite("JSON trusted cursor")
struct JSONTrustedCursorTests {
    /// The string token at the start of `text`: its inner range and escape flag, and where the cursor ends.
    static func string(_ text: String, region: Range<Int>? = nil) -> (inner: Range<Int>, escaped: Bool, end: Int)? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { raw in
            var cur = JSONTrustedCursor(raw, range: region ?? 0..<raw.count)
            guard let (inner, escaped) = cur.string() else { return nil }
            return (inner, escaped, cur.pos)
        }
    }

    /// Kind and end of the value at the start of `text`, by the trusted cursor and by the scanner.
    static func skipBoth(_ text: String) -> (trusted: (JSONKind, Int)?, scanner: (JSONKind, Int)?) {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { raw in
            var t = JSONTrustedCursor(raw, range: 0..<raw.count)
            let tk = t.skipValue().map { ($0, t.pos) }
            var s = JSONCursor(raw)
            let sk = (try? s.skipValue(depth: 0)).map { ($0, s.pos) }
            return (tk, sk)
        }
    }

    @Test func string_plainShortAndLong_endAtTheirQuote() {
        for n in 0..<40 {
            let body = String(repeating: "a", count: n)
            let r = Self.string("\"\(body)\" , 1")
            #expect(r?.inner == 1..<(1 + n), "n=\(n)")
            #expect(r?.escaped == false)
            #expect(r?.end == n + 2)
        }
    }

    @Test func string_escapeAtEveryOffset_isSeenAndSkipped() {
        for escape in [#"\""#, #"\\"#, #"\n"#, #"\u00e9"#, #"\ud83d\ude00"#, #"\/"#] {
            for before in 0..<20 {
                let body = String(repeating: "x", count: before) + escape + "tail-of-the-string"
                let r = Self.string("\"\(body)\"")
                #expect(r?.inner == 1..<(1 + body.utf8.count), "\(body)")
                #expect(r?.escaped == true, "\(body)")
            }
        }
    }

    @Test func string_backslashBeforeClosingQuote_endsAtTheRealQuote() {
        #expect(Self.string(#""abcdefg\\""#)?.inner == 1..<10)
        #expect(Self.string(#""abcdefg\\\"x""#)?.inner == 1..<13)
        #expect(Self.string(#""\\\\\\\\\\\\\\\\""#)?.end == 18)
    }

    @Test func string_nonASCII_isCrossedWhole() {
        let body = "héllo wörld 😀 中文 ｚ and more text after it"
        let r = Self.string("\"\(body)\"")
        #expect(r?.inner == 1..<(1 + body.utf8.count))
        #expect(r?.escaped == false)
    }

    @Test func string_unterminatedOrOutsideTheRegion_givesUp() {
        #expect(Self.string(#""abc"#) == nil)
        #expect(Self.string(#""abcdefghijklmnop"#) == nil)
        #expect(Self.string(#""abcdefghij\"#) == nil)
        #expect(Self.string("x\"a\"") == nil)
        // The closing quote lies past the region's end: not found even though the buffer has it.
        #expect(Self.string(#""abcdefghijklmnop""#, region: 0..<10) == nil)
        #expect(Self.string(#""abcdefghijklmnop""#, region: 0..<17) == nil)
        #expect(Self.string(#""abcdefghijklmnop""#, region: 0..<18)?.end == 18)
    }

    @Test(arguments: [
        #""s""#, #"{"a":"}]","b":[1,{"c":"\"]"}]}"#, #"[[[["x\\"]]],{}]"#, "-12.5e+3", "0", "true", "false",
        "null", #"{"k":"long string with \u00e9 escapes and \" quotes inside","n":[1,2,3]}"#, "[]", "{}",
    ])
    func skipValue_agreesWithTheScanner(_ text: String) {
        let (trusted, scanner) = Self.skipBoth(text + " ,")
        #expect(trusted?.0 == scanner?.0, "\(text)")
        #expect(trusted?.1 == scanner?.1, "\(text)")
    }

    @Test func skipValue_truncatedContainer_givesUp() {
        #expect(Self.skipBoth(#"{"a":[1,2"#).trusted == nil)
        #expect(Self.skipBoth(#"["]""#).trusted == nil)
        #expect(Self.skipBoth(#"["]"]"#).trusted?.1 == 5)
        #expect(Self.skipBoth("").trusted == nil)
        #expect(Self.skipBoth("]").trusted == nil)
    }

    @Test func masks_lowestBitIsTheFirstMatch() {
        var rng = FastRandom()
        let alphabet: [UInt8] = [0x22, 0x5C, 0x00, 0x1F, 0x20, 0x21, 0x41, 0x7F, 0x80, 0xC3, 0xFF, 0x75, 0x01]
        for _ in 0..<20_000 {
            var bytes = [UInt8](repeating: 0, count: 8)
            for k in 0..<8 { bytes[k] = alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let word = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            func first(_ m: UInt64) -> Int? { m == 0 ? nil : m.trailingZeroBitCount >> 3 }
            let special = bytes.firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 || $0 >= 0x80 }
            #expect(first(JSONUTF8.stringSpecialMask(word)) == special, "\(bytes)")
            #expect(first(JSONUTF8.quoteOrBackslashMask(word)) == bytes.firstIndex { $0 == 0x22 || $0 == 0x5C })
            #expect(first(JSONUTF8.matchMask(word, 0x75)) == bytes.firstIndex(of: 0x75))
            #expect(JSONUTF8.hasNoBackslash(word) == !bytes.contains(0x5C))
        }
    }

    @Test func byteSearch_agreesWithANaiveSearch() {
        var rng = FastRandom()
        let alphabet = Array("\"usage: u".utf8)
        for _ in 0..<3_000 {
            let n = Int(rng.next() % 40)
            var hay = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let needle = Array("\"usage\"".utf8)
            if rng.next() % 2 == 0 && n >= needle.count {
                let at = Int(rng.next() % UInt64(n - needle.count + 1))
                hay.replaceSubrange(at..<(at + needle.count), with: needle)
            }
            let naive = n >= needle.count && (0...(n - needle.count)).contains { Array(hay[$0..<($0 + needle.count)]) == needle }
            #expect(hay.withUnsafeBytes { ByteSearch.contains($0, "\"usage\"") } == naive, "\(hay)")
        }
    }
}
