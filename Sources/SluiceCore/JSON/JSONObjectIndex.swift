/// One member of a scanned object: byte ranges into the scanned buffer.
struct JSONMember: Sendable {
    /// The key's bytes inside the quotes, raw (still escaped when `keyHasEscapes`).
    var keyRange: Range<Int>
    /// The whole value, including quotes or brackets.
    var valueRange: Range<Int>
    /// Kind of the value.
    var kind: JSONKind
    /// True when the raw key contains backslash escapes and must be decoded before comparison.
    var keyHasEscapes: Bool
}

/// The top-level members of a validated object document, in document order.
struct JSONObjectIndex: Sendable {
    /// Members in document order (duplicates kept).
    var members: [JSONMember]
    /// The object's range, '{' through '}' inclusive.
    var objectRange: Range<Int>

    /// The index of `body` when it is a valid JSON object document, else nil.
    static func scanning(_ body: [UInt8]) -> JSONObjectIndex? {
        body.withUnsafeBytes { raw in
            if case .success(let index) = JSONScanner.scanObject(raw) { return index }
            return nil
        }
    }

    /// The member whose decoded key equals `key`. With duplicate keys the LAST one wins, as in the
    /// JSON parsers of Python and JavaScript upstreams, so the gateway reads what the upstream will read.
    func member(_ key: String, in bytes: UnsafeRawBufferPointer) -> JSONMember? {
        guard let i = lastIndex(of: key, in: bytes) else { return nil }
        return members[i]
    }

    /// Position in `members` of the last member whose decoded key equals `key`.
    func lastIndex(of key: String, in bytes: UnsafeRawBufferPointer) -> Int? {
        var k = key
        return k.withUTF8 { keyBytes -> Int? in
            var i = members.count - 1
            while i >= 0 {
                if JSONScanner.keyEquals(members[i], UnsafeRawBufferPointer(keyBytes), in: bytes) { return i }
                i -= 1
            }
            return nil
        }
    }
}
