
/// The reply of one request as a sequence of pieces, one per streamed event: either generated
/// words (`count` three-letter words, so the text is about 4 bytes per word and the estimator
/// agrees with the word count) or the `x-mock-reply-text` header split at word starts.
/// Concatenating the pieces gives exactly the whole text.
struct MockReplyText {
    private enum Source {
        case words(Int)
        /// Header bytes and the end offset of each piece (relative to the slice start).
        case custom(ArraySlice<UInt8>, [Int])
    }

    private let source: Source
    /// Completion tokens this reply reports: words generated, or words in the custom text.
    let tokens: Int

    /// Sixteen three-letter words, back to back.
    private static let vocabulary: [UInt8] = Array("thefoxranfarandsawowlskysunbigredoakbaydaynewmap".utf8)

    /// `count` generated words.
    init(words count: Int) {
        source = .words(max(0, count))
        tokens = max(0, count)
    }

    /// A custom text; each piece is a whitespace run plus the word after it (leading and trailing
    /// whitespace stick to the first and last piece).
    init(custom text: ArraySlice<UInt8>) {
        var ends: [Int] = []
        var words = 0
        var inWord = false
        var spaceStart = 0
        var k = 0
        for b in text {
            let space = b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
            if space && inWord { spaceStart = k }
            if !space && !inWord {
                // A word starts: the previous piece ends where the whitespace before this word began.
                if words > 0 { ends.append(spaceStart) }
                words += 1
            }
            inWord = !space
            k += 1
        }
        if !text.isEmpty { ends.append(text.count) }
        source = .custom(text, ends)
        tokens = words
    }

    /// Number of pieces (stream events carrying text).
    var pieceCount: Int {
        switch source {
        case .words(let n): return n
        case .custom(_, let ends): return ends.count
        }
    }

    /// Appends the whole text as a JSON string.
    func appendJSON(to out: inout [UInt8]) {
        switch source {
        case .words(let n):
            out.append(0x22)
            for i in 0..<n { Self.appendWord(i, to: &out) }
            out.append(0x22)
        case .custom(let text, _):
            JSONWriter.appendString(bytes: text, to: &out)
        }
    }

    /// Appends piece `i` as a JSON string.
    func appendPieceJSON(_ i: Int, to out: inout [UInt8]) {
        switch source {
        case .words:
            out.append(0x22)
            Self.appendWord(i, to: &out)
            out.append(0x22)
        case .custom(let text, let ends):
            let start = text.startIndex + (i == 0 ? 0 : ends[i - 1])
            JSONWriter.appendString(bytes: text[start..<(text.startIndex + ends[i])], to: &out)
        }
    }

    /// Word `i`, with a leading space after the first.
    private static func appendWord(_ i: Int, to out: inout [UInt8]) {
        if i > 0 { out.append(0x20) }
        let w = (i % 16) * 3
        out.append(vocabulary[w])
        out.append(vocabulary[w + 1])
        out.append(vocabulary[w + 2])
    }
}
