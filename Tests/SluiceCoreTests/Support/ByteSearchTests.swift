import Testing
@testable import SluiceCore

@Suite struct ByteSearchTests {
    private func with<R>(_ s: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        Array(s.utf8).withUnsafeBytes(body)
    }

    @Test func indexOfByte_respectsFromAndTo() {
        with("a\\b\\c") { p in
            #expect(ByteSearch.index(of: 0x5C, in: p) == 1)
            #expect(ByteSearch.index(of: 0x5C, in: p, from: 2) == 3)
            #expect(ByteSearch.index(of: 0x5C, in: p, from: 2, to: 3) == nil)
            #expect(ByteSearch.index(of: 0x5C, in: p, from: 4) == nil)
            #expect(ByteSearch.index(of: 0x5C, in: p, from: 9) == nil)
        }
        [UInt8]().withUnsafeBytes { #expect(ByteSearch.index(of: 0x41, in: $0) == nil) }
    }

    @Test func lineBreak_firstOfCROrLF() {
        with("data: x\r\n\r\n") { #expect(ByteSearch.lineBreak(in: $0) == 7) }
        with("data: x\n\r") { #expect(ByteSearch.lineBreak(in: $0) == 7) }
        with("data: x\ny\r") { #expect(ByteSearch.lineBreak(in: $0, from: 8) == 9) }
        with("data: x") { #expect(ByteSearch.lineBreak(in: $0) == nil) }
        with("ab\ncd") { #expect(ByteSearch.lineBreak(in: $0, from: 0, to: 2) == nil) }
    }

    @Test func indexOfNeedle_findsEveryPosition() {
        let hay = String(repeating: "x", count: 100)
        for at in [0, 1, 31, 32, 33, 64, 90] {
            var s = Array(hay.utf8)
            s.replaceSubrange(at..<(at + 7), with: Array("\"usage\"".utf8))
            s.withUnsafeBytes { p in
                #expect(ByteSearch.index(of: "\"usage\"", in: p) == at)
                #expect(ByteSearch.index(of: "\"usage\"", in: p, from: at + 1) == nil)
            }
        }
        with("\"usag") { #expect(!ByteSearch.contains($0, "\"usage\"")) }
        with("") { #expect(!ByteSearch.contains($0, "x")) }
    }
}

/// The stream-chunk keys, each anchored on its own byte, find what the default-anchored search finds.
@Test func chunkKeys_findWhatThePlainSearchFinds() {
    let chunks = [
        #"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":" fox"},"finish_reason":null}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}]}"#,
        #"{"choices":[{"delta":{"reasoning_content":"hm"}}],"usage":null}"#,
        #"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5}}"#,
        #"{"type":"message_delta","usage":{"output_tokens":7}}"#,
    ]
    let keys: [(ByteSearch.Needle, StaticString)] = [(ChunkKey.usage, "\"usage\""), (ChunkKey.choices, "\"choices\""),
                                                    (ChunkKey.toolCalls, "\"tool_calls\""), (ChunkKey.reasoning, "\"reasoning")]
    for chunk in chunks {
        Array(chunk.utf8).withUnsafeBytes { p in
            for (needle, text) in keys {
                #expect(ByteSearch.index(of: needle, in: p) == ByteSearch.index(of: text, in: p), "\(text) in \(chunk)")
                #expect(ByteSearch.contains(p, needle) == ByteSearch.contains(p, text))
            }
        }
    }
    #expect(ChunkKey.usage.anchorByte == UInt8(ascii: "g") && ChunkKey.choices.anchorByte == UInt8(ascii: "h"))
    #expect(ChunkKey.toolCalls.anchorByte == UInt8(ascii: "_") && ChunkKey.reasoning.anchorByte == UInt8(ascii: "g"))
}

/// The needle search against a naive one over random haystacks of few distinct bytes (dense partial
/// matches, needles at every offset of the eight-byte steps, at the very end, overlapping themselves).
@Test func indexOfNeedle_agreesWithNaiveSearch() {
    var rng = FastRandom(seed: 5)
    let alphabet = Array("\"usage:{ab".utf8)
    func naive(_ hay: [UInt8], _ needle: [UInt8], from: Int) -> Int? {
        guard needle.count <= hay.count else { return nil }
        var i = max(from, 0)
        while i + needle.count <= hay.count {
            if Array(hay[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
    for _ in 0..<3000 {
        let hay = (0..<Int(rng.next() % 40)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
        let from = Int(rng.next() % 6)
        hay.withUnsafeBytes { p in
            #expect(ByteSearch.index(of: "\"usage\"", in: p, from: from) == naive(hay, Array("\"usage\"".utf8), from: from))
            #expect(ByteSearch.index(of: "us", in: p, from: from) == naive(hay, Array("us".utf8), from: from))
            #expect(ByteSearch.index(of: "aa", in: p, from: from) == naive(hay, Array("aa".utf8), from: from))
            #expect(ByteSearch.index(of: "{", in: p, from: from) == naive(hay, Array("{".utf8), from: from))
            // Any anchor gives the same answer (past the needle's end it falls back to the first byte).
            let usage = naive(hay, Array("\"usage\"".utf8), from: from)
            for anchor in 0...7 {
                #expect(ByteSearch.index(of: "\"usage\"", in: p, from: from, anchor: anchor) == usage, "anchor \(anchor)")
            }
            #expect(ByteSearch.contains(p, "\"usage\"", anchor: 4) == (naive(hay, Array("\"usage\"".utf8), from: 0) != nil))
        }
    }
}
