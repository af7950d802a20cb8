/// The validating single-pass cursor behind `JSONScanner`: a stack value over borrowed bytes, so it allocates
/// nothing (containers deeper than 128 levels spill their open/close bits to one small array).
/// Owned by the calling thread for the duration of one scan.
struct JSONCursor {
    /// The whole buffer; offsets are absolute so ranges can be handed back unchanged.
    let bytes: UnsafeRawBufferPointer
    /// Exclusive end of the region being scanned.
    let end: Int
    /// Current offset.
    var pos: Int
    /// Maximum container nesting (the root container counts as 1).
    let maxDepth: Int

    /// A cursor over `range` of `bytes` (the whole buffer when nil; clamped to the buffer).
    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>? = nil, maxDepth: Int = 128) {
        self.bytes = bytes
        let r = range ?? 0..<bytes.count
        self.end = Swift.min(Swift.max(r.upperBound, 0), bytes.count)
        self.pos = Swift.min(Swift.max(r.lowerBound, 0), self.end)
        self.maxDepth = maxDepth
    }

    /// A `JSONError` at `offset` (default: the current position).
    @inline(__always)
    func error(_ reason: String, at offset: Int? = nil) -> JSONError {
        JSONError(offset: offset ?? pos, reason: reason)
    }

    /// Advances past JSON whitespace.
    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end && JSONByte.isWhitespace(bytes[pos]) { pos += 1 }
    }

    /// The byte at `pos` after whitespace; throws at end of input.
    @inline(__always)
    mutating func peekSignificant() throws(JSONError) -> UInt8 {
        skipWhitespace()
        guard pos < end else { throw error("unexpected end of input") }
        return bytes[pos]
    }

    /// Validates any value at `pos` (after whitespace) and leaves `pos` just past it.
    /// `depth` is the number of containers already open around it.
    mutating func skipValue(depth: Int) throws(JSONError) -> JSONKind {
        let c = try peekSignificant()
        switch c {
        case JSONByte.quote:
            _ = try scanString()
            return .string
        case JSONByte.openBrace:
            try skipContainer(depth: depth)
            return .object
        case JSONByte.openBracket:
            try skipContainer(depth: depth)
            return .array
        case 0x74: // t
            try scanLiteral("true")
            return .bool
        case 0x66: // f
            try scanLiteral("false")
            return .bool
        case 0x6E: // n
            try scanLiteral("null")
            return .null
        case JSONByte.minus, JSONByte.zero...JSONByte.nine:
            try scanNumber()
            return .number
        default:
            throw error(c == JSONByte.closeBracket || c == JSONByte.closeBrace
                        ? "unexpected closing bracket" : "unexpected character")
        }
    }

    /// Consumes exactly `word` (true/false/null).
    mutating func scanLiteral(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        let start = pos
        guard pos + n <= end else { throw error("invalid literal", at: start) }
        let matches = word.withUTF8Buffer { w -> Bool in
            for k in 0..<n where bytes[start + k] != w[k] { return false }
            return true
        }
        guard matches else { throw error("invalid literal", at: start) }
        pos += n
    }

    /// Validates an RFC 8259 number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    mutating func scanNumber() throws(JSONError) {
        let start = pos
        if bytes[pos] == JSONByte.minus { pos += 1 }
        guard pos < end else { throw error("invalid number", at: start) }
        let first = bytes[pos]
        if first == JSONByte.zero {
            pos += 1
            if pos < end && JSONByte.isDigit(bytes[pos]) { throw error("leading zero in number", at: start) }
        } else if JSONByte.isDigit(first) {
            skipDigits()
        } else {
            throw error("invalid number", at: start)
        }
        if pos < end && bytes[pos] == JSONByte.dot {
            pos += 1
            guard pos < end && JSONByte.isDigit(bytes[pos]) else { throw error("missing digits after '.'") }
            skipDigits()
        }
        if pos < end && (bytes[pos] | 0x20) == 0x65 { // e or E
            pos += 1
            if pos < end && (bytes[pos] == JSONByte.plus || bytes[pos] == JSONByte.minus) { pos += 1 }
            guard pos < end && JSONByte.isDigit(bytes[pos]) else { throw error("missing exponent digits") }
            skipDigits()
        }
    }

    /// Advances past ASCII digits.
    @inline(__always)
    mutating func skipDigits() {
        while pos < end && JSONByte.isDigit(bytes[pos]) { pos += 1 }
    }

    /// Validates an object or array at `pos` iteratively (no recursion, so `maxDepth` may be large).
    mutating func skipContainer(depth outer: Int) throws(JSONError) {
        var stack = JSONDepthStack()
        var depth = outer
        try open(&stack, &depth)
        var justOpened = true
        outer: while true {
            var c = try peekSignificant()
            let inObject = stack.topIsObject
            if justOpened && c == (inObject ? JSONByte.closeBrace : JSONByte.closeBracket) {
                pos += 1
                stack.pop()
                depth -= 1
                if stack.isEmpty { return }
            } else {
                if inObject {
                    guard c == JSONByte.quote else {
                        throw error(justOpened ? "expected string key" : "trailing comma or missing key")
                    }
                    _ = try scanString()
                    guard try peekSignificant() == JSONByte.colon else { throw error("expected ':'") }
                    pos += 1
                    c = try peekSignificant()
                } else if !justOpened && c == JSONByte.closeBracket {
                    throw error("trailing comma")
                }
                if c == JSONByte.openBrace || c == JSONByte.openBracket {
                    try open(&stack, &depth)
                    justOpened = true
                    continue outer
                }
                _ = try skipValue(depth: depth)
            }
            // A value just ended inside the current top container: expect ',' or its closer.
            while true {
                let d = try peekSignificant()
                if d == JSONByte.comma {
                    pos += 1
                    justOpened = false
                    continue outer
                }
                if d == (stack.topIsObject ? JSONByte.closeBrace : JSONByte.closeBracket) {
                    pos += 1
                    stack.pop()
                    depth -= 1
                    if stack.isEmpty { return }
                    continue
                }
                throw error(stack.topIsObject ? "expected ',' or '}'" : "expected ',' or ']'")
            }
        }
    }

    @inline(__always)
    private mutating func open(_ stack: inout JSONDepthStack, _ depth: inout Int) throws(JSONError) {
        depth += 1
        guard depth <= maxDepth else { throw error("nesting too deep") }
        stack.push(isObject: bytes[pos] == JSONByte.openBrace)
        pos += 1
    }
}

/// Bit stack of open containers (1 = object). The first 128 levels live inline; deeper ones spill.
struct JSONDepthStack {
    private var low: UInt64 = 0
    private var high: UInt64 = 0
    private var spill: [Bool] = []
    /// Number of open containers.
    private(set) var count = 0

    /// True when no container is open.
    var isEmpty: Bool { count == 0 }

    /// True when the innermost open container is an object.
    @inline(__always)
    var topIsObject: Bool {
        let i = count - 1
        if i < 64 { return (low >> UInt64(i)) & 1 == 1 }
        if i < 128 { return (high >> UInt64(i - 64)) & 1 == 1 }
        return spill.last ?? false
    }

    /// Records a newly opened container.
    @inline(__always)
    mutating func push(isObject: Bool) {
        let i = count
        let bit: UInt64 = isObject ? 1 : 0
        if i < 64 {
            low = (low & ~(1 << UInt64(i))) | (bit << UInt64(i))
        } else if i < 128 {
            high = (high & ~(1 << UInt64(i - 64))) | (bit << UInt64(i - 64))
        } else {
            spill.append(isObject)
        }
        count += 1
    }

    /// Forgets the innermost container.
    @inline(__always)
    mutating func pop() {
        guard count > 0 else { return }
        count -= 1
        if count >= 128 { spill.removeLast() }
    }
}
