@testable import SluiceCore

/// Helpers shared by the HTTP tests: run parsers over strings, whole or byte by byte.
enum HTTPTestSupport {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Parses a request head from the whole buffer at once.
    static func request(_ raw: [UInt8], limits: HTTPParserLimits = HTTPParserLimits())
        -> HTTPHeadParseResult<HTTPRequestHead> {
        var parser = HTTPRequestParser(limits: limits)
        return raw.withUnsafeBytes { parser.parseHead($0) }
    }

    static func request(_ raw: String, limits: HTTPParserLimits = HTTPParserLimits())
        -> HTTPHeadParseResult<HTTPRequestHead> {
        request(bytes(raw), limits: limits)
    }

    /// Feeds a growing buffer one byte at a time; returns the first non-needMore result
    /// and the number of bytes fed when it came.
    static func requestIncrementally(_ raw: [UInt8], limits: HTTPParserLimits = HTTPParserLimits())
        -> (HTTPHeadParseResult<HTTPRequestHead>, fed: Int) {
        var parser = HTTPRequestParser(limits: limits)
        for n in 1...raw.count {
            let r = Array(raw[0..<n]).withUnsafeBytes { parser.parseHead($0) }
            if case .needMore = r { continue }
            return (r, n)
        }
        return (.needMore, raw.count)
    }

    static func head(_ r: HTTPHeadParseResult<HTTPRequestHead>) -> (HTTPRequestHead, Int)? {
        if case .complete(let h, let c) = r { return (h, c) }
        return nil
    }

    static func error(_ r: HTTPHeadParseResult<HTTPRequestHead>) -> HTTPParseError? {
        if case .invalid(let e) = r { return e }
        return nil
    }

    /// The status a raw request is rejected with, or nil if it parses (or needs more).
    static func rejection(_ raw: String, limits: HTTPParserLimits = HTTPParserLimits()) -> Int? {
        error(request(raw, limits: limits))?.status
    }

    static func response(_ raw: String, method: HTTPMethod = .get, limits: HTTPParserLimits = HTTPParserLimits())
        -> HTTPHeadParseResult<HTTPResponseHead> {
        var parser = HTTPResponseParser(limits: limits)
        return bytes(raw).withUnsafeBytes { parser.parseHead($0, requestMethod: method) }
    }

    /// Runs a chunked decoder over `input` split into `pieces` of the given size.
    static func dechunk(_ input: [UInt8], pieceSize: Int = Int.max, maxBody: Int = 1 << 20,
                        maxTrailer: Int = 8 * 1024) -> (ChunkedDecoder.Result, [UInt8]) {
        var d = ChunkedDecoder(maxBodyBytes: maxBody, maxTrailerBytes: maxTrailer)
        var out: [UInt8] = []
        var offset = 0
        var last = ChunkedDecoder.Result.needMore(consumed: 0)
        while offset < input.count {
            let end = min(input.count, offset + min(pieceSize, input.count - offset))
            last = input[offset..<end].withUnsafeBytes { d.decode($0, into: &out) }
            switch last {
            case .needMore(let c): offset += c
            case .done(let c): return (.done(consumed: offset + c), out)
            case .invalid: return (last, out)
            }
        }
        return (last, out)
    }
}
