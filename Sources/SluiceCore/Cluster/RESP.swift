/// The Redis serialization protocol, version 2 (what every Redis since 1.2 speaks by default):
/// commands go out as arrays of bulk strings, replies come back as one of five types.
/// Pure and allocation-light; the connection feeds it bytes as they arrive.
enum RESPValue: Equatable, Sendable {
    case simple(String)
    case error(String)
    case integer(Int)
    /// A bulk string; nil is the null bulk string (`$-1`).
    case bulk([UInt8]?)
    /// An array; nil is the null array (`*-1`).
    case array([RESPValue]?)

    /// The value as an integer (an integer reply, or a bulk/simple string holding one).
    var int: Int? {
        switch self {
        case .integer(let n): return n
        case .bulk(let b?): return Int(String(decoding: b, as: UTF8.self))
        case .simple(let s): return Int(s)
        default: return nil
        }
    }

    /// The text of a simple or bulk string.
    var string: String? {
        switch self {
        case .simple(let s): return s
        case .bulk(let b?): return String(decoding: b, as: UTF8.self)
        default: return nil
        }
    }

    var isError: Bool { if case .error = self { return true } else { return false } }
}

/// Builds command frames.
enum RESPEncoder {
    /// Appends `*N\r\n` then `$len\r\narg\r\n` for each argument.
    static func append(_ args: [[UInt8]], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        appendDecimal(args.count, to: &out)
        for a in args {
            out.append(UInt8(ascii: "$"))
            appendDecimal(a.count, to: &out)
            out.append(contentsOf: a)
            out.append(13)
            out.append(10)
        }
    }

    static func command(_ args: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(args.reduce(16) { $0 + $1.count + 16 })
        append(args, to: &out)
        return out
    }

    static func command(_ args: String...) -> [UInt8] { command(args.map { Array($0.utf8) }) }

    private static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        out.append(contentsOf: String(n).utf8)
        out.append(13)
        out.append(10)
    }
}

/// Why a reply stream cannot be read: the connection must be dropped.
struct RESPProtocolError: Error, Equatable, CustomStringConvertible {
    var description: String
}

/// Incremental reply parser. `parse` reads one complete value from the front of the buffer, or
/// reports that more bytes are needed; nothing is consumed until a whole value is there.
struct RESPParser {
    /// Largest bulk string accepted (a cached response plus its framing, at most).
    var maxBulkBytes: Int
    /// Most elements of one array, and deepest nesting.
    var maxArrayCount: Int
    var maxDepth: Int

    init(maxBulkBytes: Int = 64 << 20, maxArrayCount: Int = 1 << 20, maxDepth: Int = 8) {
        self.maxBulkBytes = maxBulkBytes
        self.maxArrayCount = maxArrayCount
        self.maxDepth = maxDepth
    }

    enum Outcome: Equatable {
        /// A value and how many bytes it took.
        case value(RESPValue, consumed: Int)
        case needMore
    }

    func parse(_ buf: UnsafeRawBufferPointer) throws(RESPProtocolError) -> Outcome {
        var pos = 0
        guard let v = try value(buf, &pos, depth: 0) else { return .needMore }
        return .value(v, consumed: pos)
    }

    func parse(_ bytes: [UInt8]) throws(RESPProtocolError) -> Outcome {
        let r: Result<Outcome, RESPProtocolError> = bytes.withUnsafeBytes { raw in
            do throws(RESPProtocolError) { return .success(try parse(raw)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// Index of the `\r` of the line starting at `from`, or nil when the line is not complete.
    private func lineEnd(_ buf: UnsafeRawBufferPointer, from: Int) throws(RESPProtocolError) -> Int? {
        var i = from
        while i < buf.count {
            let c = buf[i]
            if c == 13 {
                guard i + 1 < buf.count else { return nil }
                guard buf[i + 1] == 10 else { throw RESPProtocolError(description: "CR without LF") }
                return i
            }
            if c == 10 { throw RESPProtocolError(description: "bare LF") }
            i += 1
            // A header line is a type byte and a number or a short status/error text.
            if i - from > 64 * 1024 { throw RESPProtocolError(description: "line too long") }
        }
        return nil
    }

    private func integer(_ buf: UnsafeRawBufferPointer, _ range: Range<Int>) throws(RESPProtocolError) -> Int {
        var i = range.lowerBound
        var negative = false
        if i < range.upperBound && buf[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < range.upperBound, range.upperBound - i <= 19 else { throw RESPProtocolError(description: "bad integer") }
        var n = 0
        while i < range.upperBound {
            let d = buf[i] &- 48
            guard d < 10 else { throw RESPProtocolError(description: "bad integer") }
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int(d))
            guard !o1, !o2 else { throw RESPProtocolError(description: "integer overflow") }
            n = s
            i += 1
        }
        return negative ? -n : n
    }

    private func value(_ buf: UnsafeRawBufferPointer, _ pos: inout Int, depth: Int) throws(RESPProtocolError) -> RESPValue? {
        guard pos < buf.count else { return nil }
        let type = buf[pos]
        guard let end = try lineEnd(buf, from: pos + 1) else { return nil }
        let body = (pos + 1)..<end
        let next = end + 2
        switch type {
        case UInt8(ascii: "+"):
            pos = next
            return .simple(String(decoding: UnsafeRawBufferPointer(rebasing: buf[body]), as: UTF8.self))
        case UInt8(ascii: "-"):
            pos = next
            return .error(String(decoding: UnsafeRawBufferPointer(rebasing: buf[body]), as: UTF8.self))
        case UInt8(ascii: ":"):
            let n = try integer(buf, body)
            pos = next
            return .integer(n)
        case UInt8(ascii: "$"):
            let n = try integer(buf, body)
            if n == -1 {
                pos = next
                return .bulk(nil)
            }
            guard n >= 0, n <= maxBulkBytes else { throw RESPProtocolError(description: "bulk length \(n) out of bounds") }
            guard buf.count - next >= n + 2 else { return nil }
            guard buf[next + n] == 13, buf[next + n + 1] == 10 else {
                throw RESPProtocolError(description: "bulk string not terminated by CRLF")
            }
            pos = next + n + 2
            return .bulk(Array(UnsafeRawBufferPointer(rebasing: buf[next..<(next + n)])))
        case UInt8(ascii: "*"):
            let n = try integer(buf, body)
            if n == -1 {
                pos = next
                return .array(nil)
            }
            guard n >= 0, n <= maxArrayCount else { throw RESPProtocolError(description: "array length \(n) out of bounds") }
            guard depth < maxDepth else { throw RESPProtocolError(description: "arrays nested too deep") }
            var p = next
            var items: [RESPValue] = []
            items.reserveCapacity(Swift.min(n, 1024))
            for _ in 0..<n {
                guard let v = try value(buf, &p, depth: depth + 1) else { return nil }
                items.append(v)
            }
            pos = p
            return .array(items)
        default:
            throw RESPProtocolError(description: "unknown reply type byte \(type)")
        }
    }
}
