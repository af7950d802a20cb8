/// The token estimator shared by the limiter's admission and by sluice-mock (SPEC §5/§9): UTF-8 bytes of
/// prompt text divided by `bytesPerToken`, rounded up. Pure; safe from any thread.
struct TokenEstimator: Sendable {
    /// Bytes of text per estimated token.
    var bytesPerToken: Int = 4
    /// Output reservation when the request names no maximum.
    var defaultOutputTokens: Int = 256
    /// Upper bound of any output reservation.
    var maxOutputReservation: Int = 4096
    /// How deep nested content (parts, items, tool results) is followed.
    var maxContentDepth: Int = 6

    /// ceil(n / bytesPerToken); 0 for 0 (and for negative n).
    static func tokens(forTextBytes n: Int, bytesPerToken: Int = 4) -> Int {
        guard n > 0 else { return 0 }
        let per = Swift.max(bytesPerToken, 1)
        return n / per + (n % per == 0 ? 0 : 1)
    }

    /// Decoded UTF-8 bytes of all prompt text in a request body of any processed API: `messages[].content`
    /// (string or parts with "text"), `system`, `prompt`, `input` (strings, token-id integers counted as
    /// `bytesPerToken` bytes each, or items whose `content` is text or parts) and `instructions`.
    static func promptTextBytes(body: UnsafeRawBufferPointer, index: JSONObjectIndex,
                                bytesPerToken: Int = 4, maxContentDepth: Int = 6) -> Int {
        let counter = TokenEstimatorContent(bytes: body, bytesPerToken: Swift.max(bytesPerToken, 1))
        var total = 0
        for m in index.members {
            guard let field = TokenEstimatorContent.Field(key: m, in: body) else { continue }
            switch field {
            case .instructions:
                if m.kind == .string { total += JSONScanner.decodedByteCount(m.valueRange, in: body) }
            case .messages, .system, .prompt, .input:
                total += counter.bytes(m.kind, m.valueRange, depth: maxContentDepth)
            }
        }
        return total
    }

    /// Estimated input tokens of a request body.
    func inputTokens(body: UnsafeRawBufferPointer, index: JSONObjectIndex) -> Int {
        let n = Self.promptTextBytes(body: body, index: index, bytesPerToken: bytesPerToken,
                                     maxContentDepth: maxContentDepth)
        return Self.tokens(forTextBytes: n, bytesPerToken: bytesPerToken)
    }

    /// Output tokens to reserve: the largest of max_tokens / max_completion_tokens / max_output_tokens
    /// (non-negative integers), else `defaultOutputTokens`, capped by `maxOutputReservation`; 0 for embeddings.
    func outputReservation(body: UnsafeRawBufferPointer, index: JSONObjectIndex, isEmbeddings: Bool) -> Int {
        if isEmbeddings { return 0 }
        // One pass over the members, no per-call array of key names (this runs on every request).
        var requested: Int?
        for m in index.members where m.kind == .number {
            guard Self.isMaxTokensKey(m, in: body), let v = JSONScanner.int(m.valueRange, in: body), v >= 0 else {
                continue
            }
            requested = Swift.max(requested ?? 0, v)
        }
        return Swift.max(0, Swift.min(requested ?? defaultOutputTokens, maxOutputReservation))
    }

    private static func isMaxTokensKey(_ m: JSONMember, in body: UnsafeRawBufferPointer) -> Bool {
        func eq(_ s: StaticString) -> Bool { JSONScanner.keyEquals(m, s, in: body) }
        return eq("max_tokens") || eq("max_completion_tokens") || eq("max_output_tokens")
    }
}

/// Walks prompt content values for `TokenEstimator` (a stack value over a borrowed body).
struct TokenEstimatorContent {
    /// Top-level request fields that carry prompt text.
    enum Field {
        case messages, system, prompt, input, instructions

        /// The field named by member `m`'s key, or nil for other keys.
        init?(key m: JSONMember, in bytes: UnsafeRawBufferPointer) {
            func eq(_ s: StaticString) -> Bool { JSONScanner.keyEquals(m, s, in: bytes) }
            if eq("messages") { self = .messages } else if eq("system") { self = .system }
            else if eq("prompt") { self = .prompt } else if eq("input") { self = .input }
            else if eq("instructions") { self = .instructions } else { return nil }
        }
    }

    /// The request body being walked.
    let bytes: UnsafeRawBufferPointer
    /// Bytes each integer token id counts for.
    let bytesPerToken: Int

    /// Text bytes in one content value: strings count decoded bytes, integers (token ids) count
    /// `bytesPerToken`, arrays sum their elements, objects count their "text" and recurse into "content".
    func bytes(_ kind: JSONKind, _ range: Range<Int>, depth: Int) -> Int {
        switch kind {
        case .string:
            return JSONScanner.decodedByteCount(range, in: bytes)
        case .number:
            return bytesPerToken
        case .array where depth > 0:
            var total = 0
            JSONScanner.forEachElement(ofArrayAt: range, in: bytes) { k, r in
                total += self.bytes(k, r, depth: depth - 1)
            }
            return total
        case .object where depth > 0:
            var total = 0
            JSONScanner.forEachMember(ofObjectAt: range, in: bytes) { m in
                if m.kind == .string && isKey(m, "text") {
                    total += JSONScanner.decodedByteCount(m.valueRange, in: bytes)
                } else if (m.kind == .string || m.kind == .array) && isKey(m, "content") {
                    total += self.bytes(m.kind, m.valueRange, depth: depth - 1)
                }
            }
            return total
        default:
            return 0
        }
    }

    private func isKey(_ m: JSONMember, _ s: StaticString) -> Bool {
        JSONScanner.keyEquals(m, s, in: bytes)
    }
}
