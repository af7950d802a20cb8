/// Appends JSON string tokens to byte buffers. Escapes minimally (the RFC 8785 set): '"', '\\' and control
/// characters, using \b \t \n \f \r where they exist and lowercase \u00xx otherwise.
enum JSONWriter {
    /// Appends `s` as a quoted, escaped JSON string.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendEscaped(UnsafeRawBufferPointer($0), validating: false, to: &out) }
    }

    /// Appends raw UTF-8 bytes as a quoted, escaped JSON string; malformed sequences become U+FFFD so the
    /// output is always valid JSON.
    static func appendString(bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        let done: Void? = bytes.withContiguousStorageIfAvailable {
            appendEscaped(UnsafeRawBufferPointer($0), validating: true, to: &out)
        }
        if done == nil {
            Array(bytes).withUnsafeBytes { appendEscaped($0, validating: true, to: &out) }
        }
    }

    /// Appends the raw UTF-8 of a String (no quoting), e.g. for literals and number text.
    static func appendRaw(_ s: String, to out: inout [UInt8]) {
        out.append(contentsOf: s.utf8)
    }

    private static func appendEscaped(_ p: UnsafeRawBufferPointer, validating: Bool, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + p.count + 2)
        out.append(JSONByte.quote)
        var runStart = 0
        var i = 0
        let n = p.count
        while i < n {
            // Runs of plain ASCII are crossed eight bytes a step.
            i = JSONUTF8.skipWords(p, from: i, end: n, JSONUTF8.stringSpecialMask)
            if i >= n { break }
            let b = p[i]
            if b >= 0x20 && b != JSONByte.quote && b != JSONByte.backslash && b < 0x80 {
                i += 1
                continue
            }
            if b >= 0x80 {
                let len = validating ? JSONUTF8.sequenceLength(p, at: i, end: n) : 1
                if len > 0 {
                    i += len
                    continue
                }
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[runStart..<i]))
            appendEscape(for: b, to: &out)
            i += 1
            runStart = i
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[runStart..<n]))
        out.append(JSONByte.quote)
    }

    private static func appendEscape(for b: UInt8, to out: inout [UInt8]) {
        switch b {
        case JSONByte.quote: out.append(JSONByte.backslash); out.append(JSONByte.quote)
        case JSONByte.backslash: out.append(JSONByte.backslash); out.append(JSONByte.backslash)
        case 0x08: out.append(JSONByte.backslash); out.append(0x62)
        case 0x09: out.append(JSONByte.backslash); out.append(0x74)
        case 0x0A: out.append(JSONByte.backslash); out.append(0x6E)
        case 0x0C: out.append(JSONByte.backslash); out.append(0x66)
        case 0x0D: out.append(JSONByte.backslash); out.append(0x72)
        case 0x00..<0x20:
            let low = b & 0xF
            out.append(JSONByte.backslash)
            out.append(0x75)
            out.append(0x30)
            out.append(0x30)
            out.append(0x30 + (b >> 4))
            out.append(low < 10 ? 0x30 + low : 0x57 + low) // lowercase hex
        default:
            // A malformed UTF-8 byte becomes U+FFFD.
            out.append(0xEF)
            out.append(0xBF)
            out.append(0xBD)
        }
    }
}
