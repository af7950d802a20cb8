/// A fast count of generated text in the common OpenAI chat chunk
/// (`{"choices":[{"delta":{"content":"…"}}]}`) without a JSON parse: streams carry one such
/// event per token, so the general extractor would parse every one.
enum SSETextFastPath {
    /// UTF-8 bytes of the `"content"` strings of a chat delta chunk, or nil when the event has another
    /// shape (tool calls, Anthropic, Responses …) and needs the general extractor.
    static func chatDeltaContentBytes(_ data: UnsafeRawBufferPointer) -> Int? {
        guard ByteSearch.contains(data, "\"delta\""), !ByteSearch.contains(data, ChunkKey.toolCalls),
              !ByteSearch.contains(data, ChunkKey.reasoning) else { return nil }
        let keyLength = 9 // "content" with its quotes
        var total = 0
        var found = false
        var from = 0
        let n = data.count
        while let i = ByteSearch.index(of: "\"content\"", in: data, from: from), i + keyLength < n {
            var j = i + keyLength
            while j < n && (data[j] == 32 || data[j] == 9) { j += 1 }
            guard j < n, data[j] == UInt8(ascii: ":") else { return nil }
            j += 1
            while j < n && (data[j] == 32 || data[j] == 9) { j += 1 }
            guard j < n else { return nil }
            if data[j] == UInt8(ascii: "\"") {
                guard let (bytes, end) = stringBytes(data, from: j + 1) else { return nil }
                total += bytes
                found = true
                from = end
                continue
            }
            // `"content": null` (role chunk) counts nothing; other values are not a delta string.
            if data[j] != UInt8(ascii: "n") { return nil }
            from = i + 1
        }
        return found || ByteSearch.contains(data, ChunkKey.choices) ? total : nil
    }

    /// Decoded byte count of a JSON string starting after its opening quote, and the index after
    /// the closing quote. `\uXXXX` counts as its UTF-8 length (surrogate pairs as 4).
    private static func stringBytes(_ d: UnsafeRawBufferPointer, from start: Int) -> (Int, Int)? {
        var i = start
        var count = 0
        while true {
            guard let quote = ByteSearch.index(of: UInt8(ascii: "\""), in: d, from: i) else { return nil }
            guard let esc = ByteSearch.index(of: UInt8(ascii: "\\"), in: d, from: i, to: quote) else {
                return (count + quote - i, quote + 1)
            }
            count += esc - i
            i = esc
            guard i + 1 < d.count else { return nil }
            if d[i + 1] == UInt8(ascii: "u") {
                guard i + 5 < d.count, let v = UInt16(String(decoding: [d[i + 2], d[i + 3], d[i + 4], d[i + 5]], as: UTF8.self), radix: 16) else { return nil }
                count += v < 0x80 ? 1 : v < 0x800 ? 2 : (v >= 0xD800 && v < 0xDC00) ? 4 : (v >= 0xDC00 && v < 0xE000) ? 0 : 3
                i += 6
            } else {
                count += 1
                i += 2
            }
        }
    }
}

/// Keys looked for in stream chunks, each anchored on its rarest byte in a chat chunk: the second
/// byte (the default) is a common letter there ('t' of "tool_calls" 8-12 times an event, 'c' 10-12),
/// and memchr stops at every one. Computed, not stored: a stored static would cost a lazy-init check
/// on every access, in every event.
enum ChunkKey {
    /// Anchored on 'g'.
    static var usage: ByteSearch.Needle { .init("\"usage\"", anchor: 4) }
    /// Anchored on 'h'.
    static var choices: ByteSearch.Needle { .init("\"choices\"", anchor: 2) }
    /// Anchored on '_'.
    static var toolCalls: ByteSearch.Needle { .init("\"tool_calls\"", anchor: 5) }
    /// Anchored on 'g'.
    static var reasoning: ByteSearch.Needle { .init("\"reasoning", anchor: 9) }
}
