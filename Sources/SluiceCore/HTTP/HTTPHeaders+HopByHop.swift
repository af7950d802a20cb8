extension HTTPHeaders {
    /// A copy without hop-by-hop fields (RFC 9110 §7.6.1): Connection, Keep-Alive, TE, Trailer,
    /// Transfer-Encoding, Upgrade, any `Proxy-*` field, and every field named in a Connection value.
    /// The copy has compact storage holding only the kept fields.
    func removingHopByHop() -> HTTPHeaders {
        // Names listed in Connection, as slices of `storage`; usually none or one ("close").
        var listed: [ArraySlice<UInt8>] = []
        for i in 0..<count where nameEquals(at: i, "connection") {
            Self.forEachListElement(value(at: i)) { listed.append($0) }
        }
        return compacted { i in
            let n = name(at: i)
            if Self.isHopByHopName(n) { return false }
            for l in listed where Self.equalsIgnoringCase(n, l) { return false }
            return true
        }
    }

    /// Calls `body` with the index of every end-to-end field (what `removingHopByHop` keeps),
    /// without copying the block.
    func forEachEndToEnd(_ body: (Int) -> Void) {
        var listed: [ArraySlice<UInt8>] = []
        for i in 0..<count where nameEquals(at: i, "connection") {
            Self.forEachListElement(value(at: i)) { listed.append($0) }
        }
        for i in 0..<count {
            let n = name(at: i)
            if Self.isHopByHopName(n) { continue }
            if !listed.isEmpty && listed.contains(where: { Self.equalsIgnoringCase(n, $0) }) { continue }
            body(i)
        }
    }

    /// Appends field `i` as `Name: value\r\n`.
    func writeField(_ i: Int, into out: inout [UInt8]) {
        out.append(contentsOf: name(at: i))
        out.append(HTTPByteClass.colon)
        out.append(HTTPByteClass.sp)
        out.append(contentsOf: value(at: i))
        out.append(HTTPByteClass.cr)
        out.append(HTTPByteClass.lf)
    }

    /// Whether `name` is one of the fixed hop-by-hop names or starts with `proxy-`.
    static func isHopByHopName(_ name: ArraySlice<UInt8>) -> Bool {
        switch name.count {
        case 2: return HTTPByteClass.equalsIgnoringCase(name, "te")
        case 7: return HTTPByteClass.equalsIgnoringCase(name, "trailer")
                || HTTPByteClass.equalsIgnoringCase(name, "upgrade")
        case 10: return HTTPByteClass.equalsIgnoringCase(name, "connection")
                || HTTPByteClass.equalsIgnoringCase(name, "keep-alive")
        case 17: return HTTPByteClass.equalsIgnoringCase(name, "transfer-encoding")
        default: break
        }
        return HTTPByteClass.hasPrefixIgnoringCase(name, "proxy-")
    }

    /// Calls `body` with each non-empty element of a comma-separated list, trimmed of OWS.
    static func forEachListElement(_ value: ArraySlice<UInt8>, _ body: (ArraySlice<UInt8>) -> Void) {
        var start = value.startIndex
        var i = start
        while true {
            if i == value.endIndex || value[i] == HTTPByteClass.comma {
                var s = start
                var e = i
                while s < e, HTTPByteClass.isOWS(value[s]) { s += 1 }
                while e > s, HTTPByteClass.isOWS(value[e - 1]) { e -= 1 }
                if s < e { body(value[s..<e]) }
                if i == value.endIndex { return }
                start = i + 1
            }
            i += 1
        }
    }

    private static func equalsIgnoringCase(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { HTTPByteClass.lower($0) == HTTPByteClass.lower($1) }
    }
}
