extension JSONValue {
    /// The value at an RFC 6901 pointer ("" is the whole document); nil when absent or the pointer is invalid.
    func value(atPointer pointer: String) -> JSONValue? {
        guard let tokens = JSONValue.pointerTokens(pointer) else { return nil }
        var current = self
        for token in tokens {
            switch current {
            case .object:
                guard let next = current[token] else { return nil }
                current = next
            case .array(let items):
                guard let i = JSONValue.arrayIndex(token), i < items.count else { return nil }
                current = items[i]
            default:
                return nil
            }
        }
        return current
    }

    /// Sets the value at `pointer`. Intermediate containers must exist; the last object member is created
    /// when missing (the last duplicate is replaced when present); in arrays an index equal to the count or
    /// "-" appends. Returns false, leaving the value unchanged, when the target cannot be reached.
    @discardableResult
    mutating func set(_ value: JSONValue, atPointer pointer: String) -> Bool {
        guard let tokens = JSONValue.pointerTokens(pointer) else { return false }
        return set(value, tokens[...])
    }

    /// Removes the member (all duplicates) or array element at `pointer`. Returns false when absent,
    /// when the pointer is invalid, or for the root.
    @discardableResult
    mutating func remove(atPointer pointer: String) -> Bool {
        guard let tokens = JSONValue.pointerTokens(pointer), !tokens.isEmpty else { return false }
        return remove(tokens[...])
    }

    private mutating func set(_ value: JSONValue, _ tokens: ArraySlice<String>) -> Bool {
        guard let token = tokens.first else {
            self = value
            return true
        }
        let rest = tokens.dropFirst()
        switch self {
        case .object(var members):
            // Drop self's reference first so the array is mutated in place (no copy-on-write copy).
            self = .null
            defer { self = .object(members) }
            if let i = members.lastIndex(where: { $0.0 == token }) {
                return members[i].1.set(value, rest)
            }
            guard rest.isEmpty else { return false }
            members.append((token, value))
            return true
        case .array(var items):
            self = .null
            defer { self = .array(items) }
            if rest.isEmpty && (token == "-" || JSONValue.arrayIndex(token) == items.count) {
                items.append(value)
                return true
            }
            guard let i = JSONValue.arrayIndex(token), i < items.count else { return false }
            return items[i].set(value, rest)
        default:
            return false
        }
    }

    private mutating func remove(_ tokens: ArraySlice<String>) -> Bool {
        guard let token = tokens.first else { return false }
        let rest = tokens.dropFirst()
        switch self {
        case .object(var members):
            self = .null
            defer { self = .object(members) }
            if rest.isEmpty {
                let before = members.count
                members.removeAll { $0.0 == token }
                return members.count != before
            }
            guard let i = members.lastIndex(where: { $0.0 == token }) else { return false }
            return members[i].1.remove(rest)
        case .array(var items):
            self = .null
            defer { self = .array(items) }
            guard let i = JSONValue.arrayIndex(token), i < items.count else { return false }
            if rest.isEmpty {
                items.remove(at: i)
                return true
            }
            return items[i].remove(rest)
        default:
            return false
        }
    }

    /// Splits and unescapes a pointer ("~1" -> "/", "~0" -> "~"); nil when it does not start with "/"
    /// (and is not empty) or has a '~' not followed by 0 or 1.
    static func pointerTokens(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.utf8.first == JSONByte.slash else { return nil }
        var tokens: [String] = []
        for raw in pointer.utf8.split(separator: JSONByte.slash, omittingEmptySubsequences: false).dropFirst() {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(raw.count)
            var it = raw.makeIterator()
            while let b = it.next() {
                guard b == 0x7E else {
                    bytes.append(b)
                    continue
                }
                switch it.next() {
                case 0x30: bytes.append(0x7E)
                case 0x31: bytes.append(JSONByte.slash)
                default: return nil
                }
            }
            tokens.append(String(decoding: bytes, as: UTF8.self))
        }
        return tokens
    }

    /// An RFC 6901 array index: "0" or digits without a leading zero, fitting in Int.
    static func arrayIndex(_ token: String) -> Int? {
        let u = token.utf8
        guard let first = u.first, JSONByte.isDigit(first), first != JSONByte.zero || u.count == 1,
              u.allSatisfy(JSONByte.isDigit) else { return nil }
        return Int(token)
    }
}
