/// Byte-level edits of a scanned top-level object: untouched members, whitespace and separators are copied
/// byte for byte, so a body the gateway only retargets stays what the client sent.
enum JSONEdit {
    /// Sets member `key` to the JSON value `json` (caller-validated bytes). An existing member keeps its
    /// position (the last duplicate is replaced, earlier duplicates are removed so upstreams see one);
    /// a missing one is appended.
    static func replacingMember(_ key: String, withValue json: [UInt8], in bytes: [UInt8],
                                index: JSONObjectIndex) -> [UInt8] {
        editing(bytes, index: index, set: [(key, json)], remove: [])
    }

    /// Removes every member named `key`; returns the bytes unchanged when there is none.
    static func removingMember(_ key: String, in bytes: [UInt8], index: JSONObjectIndex) -> [UInt8] {
        editing(bytes, index: index, set: [], remove: [key])
    }

    /// Applies several edits in one copy: members in `set` are replaced or appended (in the given order),
    /// every member named in `remove` is dropped. A key in both lists is set.
    static func editing(_ bytes: [UInt8], index: JSONObjectIndex,
                        set: [(key: String, value: [UInt8])], remove: [String]) -> [UInt8] {
        bytes.withUnsafeBytes { p -> [UInt8] in
            let members = index.members
            // Per member: nil = keep as is, .some(nil) = drop, .some(v) = replace value with set[v].
            var action = [Int?](repeating: nil, count: members.count)
            var dropped = [Bool](repeating: false, count: members.count)
            var appended: [Int] = []
            for (s, edit) in set.enumerated() {
                let matches = indices(of: edit.key, in: members, p)
                guard let last = matches.last else {
                    appended.append(s)
                    continue
                }
                for i in matches where i != last { dropped[i] = true }
                action[last] = s
            }
            for key in remove {
                for i in indices(of: key, in: members, p) where action[i] == nil { dropped[i] = true }
            }
            if appended.isEmpty && action.allSatisfy({ $0 == nil }) && !dropped.contains(true) { return bytes }

            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + set.reduce(0) { $0 + $1.key.utf8.count + $1.value.count + 4 })
            let close = index.objectRange.upperBound - 1 // the '}'
            guard let firstMember = members.first else {
                out.append(contentsOf: bytes[0..<close])
                appendNew(appended, set, first: true, to: &out)
                out.append(contentsOf: bytes[close...])
                return out
            }
            out.append(contentsOf: bytes[0..<(firstMember.keyRange.lowerBound - 1)])
            var wroteAny = false
            for (i, m) in members.enumerated() where !dropped[i] {
                // The separator that preceded this member originally (holds the comma and its whitespace).
                if wroteAny, i > 0 { out.append(contentsOf: bytes[members[i - 1].valueRange.upperBound..<(m.keyRange.lowerBound - 1)]) }
                let keyStart = m.keyRange.lowerBound - 1
                if let s = action[i] {
                    out.append(contentsOf: bytes[keyStart..<m.valueRange.lowerBound])
                    out.append(contentsOf: set[s].value)
                } else {
                    out.append(contentsOf: bytes[keyStart..<m.valueRange.upperBound])
                }
                wroteAny = true
            }
            appendNew(appended, set, first: !wroteAny, to: &out)
            out.append(contentsOf: bytes[(members[members.count - 1].valueRange.upperBound)...])
            return out
        }
    }

    private static func indices(of key: String, in members: [JSONMember], _ p: UnsafeRawBufferPointer) -> [Int] {
        var k = key
        return k.withUTF8 { kb in
            members.indices.filter { JSONScanner.keyEquals(members[$0], UnsafeRawBufferPointer(kb), in: p) }
        }
    }

    private static func appendNew(_ which: [Int], _ set: [(key: String, value: [UInt8])], first: Bool,
                                  to out: inout [UInt8]) {
        var needComma = !first
        for s in which {
            if needComma { out.append(JSONByte.comma) }
            JSONWriter.appendString(set[s].key, to: &out)
            out.append(JSONByte.colon)
            out.append(contentsOf: set[s].value)
            needComma = true
        }
    }
}
