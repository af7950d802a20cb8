/// Matchers for number-shaped PII. Each takes the buffer and a start offset the caller has checked to be a
/// number start, and returns the exclusive end of the match or nil. No allocation.
enum GuardrailNumberMatch {
    private typealias A = GuardrailASCII

    /// Value of `count` digits at `i`, or nil when any is not a digit.
    @inline(__always)
    private static func digits(_ p: UnsafeRawBufferPointer, _ i: Int, _ count: Int) -> Int? {
        guard i >= 0, i + count <= p.count else { return nil }
        var v = 0
        for k in 0..<count {
            let b = p[i + k]
            guard A.isDigit(b) else { return nil }
            v = v * 10 + Int(b &- 0x30)
        }
        return v
    }

    /// US SSN `AAA-GG-SSSS`: area not 000, 666 or 900-999; group not 00; serial not 0000.
    /// Only the dashed form: nine bare digits are too often an order number or an amount.
    static func ssn(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        guard let area = digits(p, i, 3), A.at(p, i + 3) == 0x2D,
              let group = digits(p, i + 4, 2), A.at(p, i + 6) == 0x2D,
              let serial = digits(p, i + 7, 4), A.isNumberEnd(p, i + 11) else { return nil }
        guard area != 0, area != 666, area < 900, group != 0, serial != 0 else { return nil }
        return i + 11
    }

    /// North-American phone: `(555) 123-4567`, `(555)123-4567`, `555-123-4567`, `555.123.4567`,
    /// `555 123 4567`, optionally after `1-`/`1 `/`1.`. `i` is at the '(' or the first digit.
    static func northAmericanPhone(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        var j = i
        // Optional trunk prefix "1" plus a separator.
        if A.at(p, j) == 0x31, A.at(p, j + 1) == 0x2D || A.at(p, j + 1) == 0x20 || A.at(p, j + 1) == 0x2E,
           A.at(p, j + 2) == 0x28 || A.isDigit(A.at(p, j + 2)) {
            j += 2
        }
        var sep: UInt8
        if A.at(p, j) == 0x28 {
            guard digits(p, j + 1, 3) != nil, A.at(p, j + 4) == 0x29 else { return nil }
            j += 5
            if A.at(p, j) == 0x20 { j += 1 }
            sep = 0
        } else {
            guard digits(p, j, 3) != nil else { return nil }
            sep = A.at(p, j + 3)
            guard sep == 0x2D || sep == 0x2E || sep == 0x20 else { return nil }
            j += 4
        }
        guard digits(p, j, 3) != nil else { return nil }
        let sep2 = A.at(p, j + 3)
        // After "(555) " the exchange/line separator may be '-', '.' or ' '; otherwise it must repeat.
        if sep == 0 { sep = sep2 }
        guard sep2 == sep, sep == 0x2D || sep == 0x2E || sep == 0x20 else { return nil }
        guard digits(p, j + 4, 4) != nil, A.isNumberEnd(p, j + 8) else { return nil }
        // "555 123 4567 8" or "555-123-4567-8": part of a longer number.
        if sep == 0x20 && A.at(p, j + 8) == 0x20 && A.isDigit(A.at(p, j + 9)) { return nil }
        return j + 8
    }

    /// International phone from the '+': country code then digit groups separated by single spaces,
    /// dashes, dots or parentheses; 8-15 digits in all (E.164). A first group longer than 3 digits is
    /// only accepted when it is the whole number ("+14155552671").
    static func internationalPhone(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        var j = i + 1
        guard A.isDigit(A.at(p, j)) else { return nil }
        var count = 0
        var groups = 0
        var firstGroup = 0
        var end = j
        while true {
            let runEnd = A.run(p, from: j, A.isDigit)
            let len = runEnd - j
            count += len
            groups += 1
            if groups == 1 { firstGroup = len }
            guard count <= 15 else { return nil }
            end = runEnd
            // Up to two separator bytes (") ", " (", "-", ...) then the next group.
            var k = runEnd
            var seps = 0
            while seps < 2, k < p.count, p[k] == 0x20 || p[k] == 0x2D || p[k] == 0x2E || p[k] == 0x28 || p[k] == 0x29 {
                k += 1
                seps += 1
            }
            guard seps > 0, A.isDigit(A.at(p, k)) else { break }
            j = k
        }
        guard count >= 8, firstGroup <= 3 || groups == 1, A.isNumberEnd(p, end) else { return nil }
        return end
    }

    /// IPv4 dotted quad, each octet 0-255 without leading zeros, not part of a longer dotted number.
    static func ipv4(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        var j = i
        for part in 0..<4 {
            let runEnd = A.run(p, from: j, A.isDigit)
            let len = runEnd - j
            guard len >= 1, len <= 3, len == 1 || p[j] != 0x30, let v = digits(p, j, len), v <= 255 else { return nil }
            j = runEnd
            if part < 3 {
                guard A.at(p, j) == 0x2E else { return nil }
                j += 1
            }
        }
        return A.isNumberEnd(p, j) ? j : nil
    }

    /// Payment card: 13-19 digits, optionally grouped by single spaces or dashes (one kind per number),
    /// issuer digit 2-6, valid Luhn checksum. With space groups a shorter prefix that ends at a group
    /// boundary may match ("4111 1111 1111 1111 12/26").
    static func creditCard(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        let first = A.at(p, i)
        guard first >= 0x32 && first <= 0x36 else { return nil }
        var sep: UInt8 = 0
        var count = 0
        var j = i
        var best: Int?
        while true {
            let runEnd = A.run(p, from: j, A.isDigit)
            count += runEnd - j
            if count > 19 { return sep == 0x20 ? best : nil }
            let s = A.at(p, runEnd)
            let more = (s == 0x20 || s == 0x2D) && (sep == 0 || s == sep) && A.isDigit(A.at(p, runEnd + 1))
            // Dashed or bare numbers must end where the digits end; with spaces any group end may.
            if count >= 13 && (!more || s == 0x20) && A.isNumberEnd(p, runEnd)
                && luhn(p, from: i, to: runEnd, digits: count) {
                best = runEnd
            }
            guard more else { return best }
            sep = s
            j = runEnd + 1
        }
    }

    /// Luhn checksum over the `digits` digits in `p[from..<to]` (separators skipped).
    private static func luhn(_ p: UnsafeRawBufferPointer, from: Int, to: Int, digits: Int) -> Bool {
        var sum = 0
        var idx = 0
        for k in from..<to {
            let b = p[k]
            guard A.isDigit(b) else { continue }
            var d = Int(b &- 0x30)
            // Double every second digit counting from the rightmost.
            if (digits - idx) % 2 == 0 {
                d *= 2
                if d > 9 { d -= 9 }
            }
            sum += d
            idx += 1
        }
        return sum % 10 == 0
    }
}
