/// Canonical number text for `JSONValue.canonical`: integers exactly and without exponent (1.0 -> 1,
/// 1e2 -> 100); other values as ECMAScript prints the nearest Double (shortest round-trip digits).
enum JSONNumberFormat {
    /// Integers with more digits than this go through Double (ECMAScript exponent form) instead, so a
    /// literal like 1e999999 cannot expand into megabytes of zeros.
    static let maxExactIntegerDigits = 64

    /// Appends the canonical form of a validated number literal.
    static func appendCanonical(_ literal: String, to out: inout [UInt8]) {
        guard JSONValue.isValidNumber(literal), let exact = decimal(Array(literal.utf8)) else {
            JSONWriter.appendRaw("null", to: &out)
            return
        }
        if exact.digits.isEmpty {
            out.append(JSONByte.zero) // every zero, -0 included, is "0"
            return
        }
        // Integers below 1e21 print exactly (as ECMAScript does); larger ones take the Double form, so the
        // canonical text is idempotent (a fraction ≥ 1e21 and its canonical "1e+21" agree).
        if exact.digits.count <= exact.point && exact.point <= 21 {
            if exact.negative { out.append(JSONByte.minus) }
            out.append(contentsOf: exact.digits)
            out.append(contentsOf: repeatElement(JSONByte.zero, count: exact.point - exact.digits.count))
            return
        }
        // Zero was handled above, so a Double of 0 means underflow: keep the exact digits then too,
        // or "1e-400" would print as "0" once and differently the next time.
        if let d = Double(literal), d.isFinite, d != 0, let shortest = decimal(Array(d.description.utf8)) {
            appendECMAScript(shortest, to: &out)
        } else {
            // Out of Double range (overflow or underflow): keep the exact digits in exponent form.
            appendECMAScript((exact.negative, exact.digits, exact.point), forceExponent: true, to: &out)
        }
    }

    /// Decomposes decimal text ("-12.50e3", "1e-07", "100.0") into sign, significant digits without leading or
    /// trailing zeros, and `point` such that value = 0.d1d2...dk x 10^point. Digits are empty for zero.
    static func decimal(_ text: [UInt8]) -> (negative: Bool, digits: [UInt8], point: Int)? {
        var i = 0
        var negative = false
        if i < text.count && text[i] == JSONByte.minus {
            negative = true
            i += 1
        }
        var digits: [UInt8] = []
        var point = 0
        var seenDot = false
        while i < text.count {
            let b = text[i]
            if JSONByte.isDigit(b) {
                if b == JSONByte.zero && digits.isEmpty {
                    if seenDot { point -= 1 } // leading zero after the dot shifts the point
                } else {
                    digits.append(b)
                    if !seenDot { point += 1 }
                }
            } else if b == JSONByte.dot {
                seenDot = true
            } else if b | 0x20 == 0x65 {
                break
            } else {
                return nil
            }
            i += 1
        }
        if i < text.count {
            i += 1
            var expNegative = false
            if i < text.count && (text[i] == JSONByte.plus || text[i] == JSONByte.minus) {
                expNegative = text[i] == JSONByte.minus
                i += 1
            }
            var exp = 0
            while i < text.count {
                guard JSONByte.isDigit(text[i]) else { return nil }
                // Saturate (no overflow); the point itself is clamped below.
                exp = Swift.min(exp * 10 + Int(text[i] - JSONByte.zero), 1 << 40)
                i += 1
            }
            // Clamp the resulting point, not the exponent, so a clamped number reads back the same
            // (canonical form stays idempotent); beyond it every Double is 0 or infinite anyway.
            point = Swift.max(-100_000_000, Swift.min(100_000_000, point + (expNegative ? -exp : exp)))
        }
        while digits.last == JSONByte.zero { digits.removeLast() }
        return (negative, digits, point)
    }

    /// ECMAScript Number::toString layout for digits s (k of them) and point n.
    private static func appendECMAScript(_ v: (negative: Bool, digits: [UInt8], point: Int),
                                         forceExponent: Bool = false, to out: inout [UInt8]) {
        let s = v.digits
        let k = s.count
        let n = v.point
        guard k > 0 else {
            out.append(JSONByte.zero)
            return
        }
        if v.negative { out.append(JSONByte.minus) }
        if !forceExponent && k <= n && n <= 21 {
            out.append(contentsOf: s)
            out.append(contentsOf: repeatElement(JSONByte.zero, count: n - k))
        } else if !forceExponent && 0 < n && n <= 21 {
            out.append(contentsOf: s[0..<n])
            out.append(JSONByte.dot)
            out.append(contentsOf: s[n...])
        } else if !forceExponent && -6 < n && n <= 0 {
            out.append(JSONByte.zero)
            out.append(JSONByte.dot)
            out.append(contentsOf: repeatElement(JSONByte.zero, count: -n))
            out.append(contentsOf: s)
        } else {
            out.append(s[0])
            if k > 1 {
                out.append(JSONByte.dot)
                out.append(contentsOf: s[1...])
            }
            out.append(0x65) // e
            let e = n - 1
            out.append(e >= 0 ? JSONByte.plus : JSONByte.minus)
            out.append(contentsOf: String(e.magnitude).utf8)
        }
    }
}
