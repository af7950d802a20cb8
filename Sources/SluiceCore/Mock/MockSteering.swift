
/// The failure-steering request headers of SPEC §9, read in one pass over the fields.
struct MockSteering {
    /// `x-mock-status`: answer this status (an error body for >= 400).
    var status: Int?
    /// `x-mock-delay-ms`: extra delay before the response head.
    var delayMs = 0
    /// `x-mock-drop-after-chunks`: send this many stream chunks, then cut the connection.
    var dropAfterChunks: Int?
    /// `x-mock-no-usage`: omit usage everywhere.
    var noUsage = false
    /// `x-mock-reply-text`: the reply text instead of generated words.
    var replyText: ArraySlice<UInt8>?
    /// `x-mock-chunk-bytes`: send the stream body in writes of this many bytes.
    var chunkBytes = 0

    /// Reads the `x-mock-*` fields of `headers`; malformed numbers are ignored.
    init(_ headers: HTTPHeaders, maxDelayMs: Int) {
        for i in 0..<headers.count {
            let name = headers.name(at: i)
            // Cheap pre-filter: only names starting with "x-m" can be steering fields.
            guard name.count > 7, HTTPByteClass.lower(name[name.startIndex]) == 0x78,
                  name[name.startIndex + 1] == 0x2D, HTTPByteClass.lower(name[name.startIndex + 2]) == 0x6D else { continue }
            let value = headers.value(at: i)
            if headers.nameEquals(at: i, "x-mock-status") {
                if let n = Self.decimal(value), (100...599).contains(n) { status = n }
            } else if headers.nameEquals(at: i, "x-mock-delay-ms") {
                if let n = Self.decimal(value) { delayMs = min(n, maxDelayMs) }
            } else if headers.nameEquals(at: i, "x-mock-drop-after-chunks") {
                if let n = Self.decimal(value) { dropAfterChunks = n }
            } else if headers.nameEquals(at: i, "x-mock-no-usage") {
                noUsage = !(value.elementsEqual("0".utf8) || value.elementsEqual("false".utf8))
            } else if headers.nameEquals(at: i, "x-mock-reply-text") {
                replyText = value
            } else if headers.nameEquals(at: i, "x-mock-chunk-bytes") {
                if let n = Self.decimal(value), n > 0 { chunkBytes = min(n, 1 << 20) }
            }
        }
    }

    /// A non-negative decimal of at most 9 digits, or nil.
    private static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
        var n = 0
        for b in bytes {
            guard b >= 0x30, b <= 0x39 else { return nil }
            n = n * 10 + Int(b - 0x30)
        }
        return n
    }
}
