/// Incremental, strict decoder of a chunked body (RFC 9112 §7.1), one per message.
///
/// Feed it any split of the input; it keeps its position inside lines, so every byte is looked at
/// once and `needMore` always consumes all input. Strictness choices:
/// - chunk-size is `1*HEXDIG`, overflow-checked (-> 400); no sign, no `0x`, and no whitespace at all
///   in the size line (the RFC's BWS before `;`/`=` is rejected too: it is a known smuggling lever);
/// - extensions `;name` / `;name=token` / `;name="quoted"` are checked and ignored; the size line
///   is bounded by `maxChunkLineBytes` (-> 400);
/// - CRLF is required after the size line, after data and after every trailer line (bare LF -> 400);
/// - trailer fields are validated as field lines and discarded, bounded by `maxTrailerBytes` (-> 431);
/// - the sum of chunk sizes is bounded by `maxBodyBytes` (-> 413), decided from each size line before
///   its data arrives.
struct ChunkedDecoder: Sendable {
    /// Outcome of one `decode` call.
    enum Result: Equatable, Sendable {
        /// All `consumed` input bytes were used; the body continues.
        case needMore(consumed: Int)
        /// The body ended after `consumed` input bytes; later bytes belong to the next message.
        case done(consumed: Int)
        /// The body is malformed or too large; answer `status` and close.
        case invalid(HTTPParseError)
    }

    private enum State: Sendable {
        case size, extName, extValueStart, extToken, extQuoted, extQuotedEscape, extQuotedEnd, sizeLF
        case data, dataCR, dataLF
        case trailerLineStart, trailerName, trailerValue, trailerLF, finalLF, done
    }

    /// Maximum total decoded payload bytes.
    let maxBodyBytes: Int
    /// Maximum bytes of the trailer section, final CRLF included.
    let maxTrailerBytes: Int
    /// Maximum bytes of one chunk-size line (size, extensions, CRLF).
    let maxChunkLineBytes: Int

    private var state = State.size
    private var size = 0
    private var digits = 0
    private var extNameLength = 0
    private var lineBytes = 0
    private var trailerBytes = 0
    private var remaining = 0
    private(set) var decodedBytes = 0

    /// A decoder at the start of a chunked body.
    init(maxBodyBytes: Int, maxTrailerBytes: Int = 8 * 1024, maxChunkLineBytes: Int = 4 * 1024) {
        self.maxBodyBytes = maxBodyBytes
        self.maxTrailerBytes = maxTrailerBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }

    /// True once the last chunk and trailer section have been read.
    var isDone: Bool { state == .done }

    /// Prepares for a new body with the same limits.
    mutating func reset() { self = ChunkedDecoder(maxBodyBytes: maxBodyBytes, maxTrailerBytes: maxTrailerBytes,
                                                  maxChunkLineBytes: maxChunkLineBytes) }

    /// Consumes `input`, appending payload bytes to `output`.
    mutating func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Result {
        let n = input.count
        var i = 0
        while i < n {
            if state == .data {
                let k = min(remaining, n - i)
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i..<(i + k)]))
                remaining -= k
                i += k
                if remaining == 0 { state = .dataCR }
                continue
            }
            if state == .done { return .done(consumed: i) }
            if let e = step(input[i]) { return .invalid(e) }
            i += 1
            if state == .done { return .done(consumed: i) }
        }
        return state == .done ? .done(consumed: n) : .needMore(consumed: n)
    }

    /// Advances the line states by one byte.
    private mutating func step(_ b: UInt8) -> HTTPParseError? {
        switch state {
        case .size, .extName, .extValueStart, .extToken, .extQuoted, .extQuotedEscape, .extQuotedEnd, .sizeLF:
            lineBytes += 1
            if lineBytes > maxChunkLineBytes { return .bad("chunk size line too long") }
            return sizeLine(b)
        case .dataCR:
            guard b == HTTPByteClass.cr else { return .bad("missing CRLF after chunk data") }
            state = .dataLF
        case .dataLF:
            guard b == HTTPByteClass.lf else { return .bad("missing CRLF after chunk data") }
            state = .size
            size = 0
            digits = 0
            lineBytes = 0
        case .trailerLineStart, .trailerName, .trailerValue, .trailerLF, .finalLF:
            trailerBytes += 1
            if trailerBytes > maxTrailerBytes { return HTTPParseError(.headersTooLarge, "trailer section too large") }
            return trailer(b)
        case .data, .done:
            break
        }
        return nil
    }

    private mutating func sizeLine(_ b: UInt8) -> HTTPParseError? {
        let isToken = HTTPByteClass.isToken(b)
        switch state {
        case .size:
            if let v = HTTPByteClass.hexValue(b) {
                guard size <= (Int.max - v) >> 4 else { return .bad("chunk size overflow") }
                size = size << 4 | v
                digits += 1
                return nil
            }
            guard digits > 0 else { return .bad("invalid chunk size") }
            if b == HTTPByteClass.semicolon { state = .extName; extNameLength = 0; return nil }
            if b == HTTPByteClass.cr { state = .sizeLF; return nil }
            return .bad("invalid chunk size")
        case .extName:
            if isToken { extNameLength += 1; return nil }
            guard extNameLength > 0 else { return .bad("invalid chunk extension") }
            if b == HTTPByteClass.equals { state = .extValueStart; return nil }
            return endOfExtension(b)
        case .extValueStart:
            if isToken { state = .extToken; return nil }
            if b == HTTPByteClass.dquote { state = .extQuoted; return nil }
            return .bad("invalid chunk extension")
        case .extToken:
            return isToken ? nil : endOfExtension(b)
        case .extQuoted:
            if b == HTTPByteClass.dquote { state = .extQuotedEnd; return nil }
            if b == HTTPByteClass.backslash { state = .extQuotedEscape; return nil }
            // qdtext: HTAB / SP / VCHAR except DQUOTE and backslash / obs-text
            return HTTPByteClass.isFieldValueChar(b) ? nil : .bad("invalid chunk extension")
        case .extQuotedEscape:
            guard HTTPByteClass.isFieldValueChar(b) else { return .bad("invalid chunk extension") }
            state = .extQuoted
            return nil
        case .extQuotedEnd:
            return endOfExtension(b)
        case .sizeLF:
            guard b == HTTPByteClass.lf else { return .bad("bare CR in chunk size line") }
            if size == 0 {
                state = .trailerLineStart
                return nil
            }
            guard size <= maxBodyBytes - decodedBytes else { return HTTPParseError(.bodyTooLarge, "body too large") }
            decodedBytes += size
            remaining = size
            state = .data
            return nil
        default:
            return nil
        }
    }

    /// After an extension name or value: another extension or the end of the line.
    private mutating func endOfExtension(_ b: UInt8) -> HTTPParseError? {
        if b == HTTPByteClass.semicolon { state = .extName; extNameLength = 0; return nil }
        if b == HTTPByteClass.cr { state = .sizeLF; return nil }
        return .bad("invalid chunk extension")
    }

    private mutating func trailer(_ b: UInt8) -> HTTPParseError? {
        switch state {
        case .trailerLineStart:
            if b == HTTPByteClass.cr { state = .finalLF; return nil }
            guard HTTPByteClass.isToken(b) else { return .bad("invalid trailer field") }
            state = .trailerName
        case .trailerName:
            if HTTPByteClass.isToken(b) { return nil }
            guard b == HTTPByteClass.colon else { return .bad("invalid trailer field") }
            state = .trailerValue
        case .trailerValue:
            if b == HTTPByteClass.cr { state = .trailerLF; return nil }
            guard HTTPByteClass.isFieldValueChar(b) else { return .bad("invalid trailer field") }
        case .trailerLF:
            guard b == HTTPByteClass.lf else { return .bad("bare CR in trailer") }
            state = .trailerLineStart
        case .finalLF:
            guard b == HTTPByteClass.lf else { return .bad("bare CR after last chunk") }
            state = .done
        default:
            break
        }
        return nil
    }
}
