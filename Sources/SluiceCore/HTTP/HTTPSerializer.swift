/// Writes HTTP/1.1 heads and chunked framing into byte buffers. Stateless; callers add the framing
/// fields (Content-Length or Transfer-Encoding) themselves.
enum HTTPSerializer {
    /// `HTTP/1.1 <status> <reason>\r\n`, the fields, `\r\n`.
    static func writeResponseHead(status: Int, headers: HTTPHeaders, into out: inout [UInt8]) {
        writeStatusLine(status, into: &out)
        headers.write(into: &out)
        out.append(HTTPByteClass.cr)
        out.append(HTTPByteClass.lf)
    }

    /// `HTTP/1.1 <status> <reason>\r\n`.
    static func writeStatusLine(_ status: Int, into out: inout [UInt8]) {
        out.append(literal: "HTTP/1.1 ")
        writeDecimal(status, into: &out)
        out.append(HTTPByteClass.sp)
        out.append(utf8: reasonPhrase(status))
        out.append(HTTPByteClass.cr)
        out.append(HTTPByteClass.lf)
    }

    /// `<METHOD> <target> HTTP/1.1\r\n`, the fields, `\r\n`.
    static func writeRequestHead(method: HTTPMethod, target: String, headers: HTTPHeaders, into out: inout [UInt8]) {
        out.append(utf8: method.name)
        out.append(HTTPByteClass.sp)
        out.append(utf8: target)
        out.append(literal: " HTTP/1.1\r\n")
        headers.write(into: &out)
        out.append(HTTPByteClass.cr)
        out.append(HTTPByteClass.lf)
    }

    /// One chunk: lowercase hex size, CRLF, data, CRLF. Empty input writes nothing (a zero-size
    /// chunk would end the body).
    static func writeChunk(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        writeHex(bytes.count, into: &out)
        out.append(HTTPByteClass.cr)
        out.append(HTTPByteClass.lf)
        out.append(contentsOf: bytes)
        out.append(HTTPByteClass.cr)
        out.append(HTTPByteClass.lf)
    }

    /// The last chunk with an empty trailer section: `0\r\n\r\n`.
    static func writeLastChunk(into out: inout [UInt8]) {
        out.append(literal: "0\r\n\r\n")
    }

    /// Appends `n >= 0` in decimal.
    static func writeDecimal(_ n: Int, into out: inout [UInt8]) {
        var v = UInt(max(0, n))
        var div: UInt = 1
        while v / div >= 10 { div *= 10 }
        repeat {
            out.append(UInt8(truncatingIfNeeded: v / div) &+ 48)
            v %= div
            div /= 10
        } while div > 0
    }

    /// Appends `micros >= 0` microseconds as milliseconds with three decimals ("12.345").
    static func writeMillis(micros: Int, into out: inout [UInt8]) {
        writeDecimal(micros / 1000, into: &out)
        out.append(UInt8(ascii: "."))
        let frac = micros % 1000
        out.append(UInt8(truncatingIfNeeded: 48 + frac / 100))
        out.append(UInt8(truncatingIfNeeded: 48 + frac / 10 % 10))
        out.append(UInt8(truncatingIfNeeded: 48 + frac % 10))
    }

    /// Appends `n >= 0` in lowercase hex.
    static func writeHex(_ n: Int, into out: inout [UInt8]) {
        let v = UInt(max(0, n))
        var shift = v == 0 ? 0 : (UInt.bitWidth - v.leadingZeroBitCount - 1) / 4 * 4
        while shift >= 0 {
            let d = UInt8(truncatingIfNeeded: (v >> UInt(shift)) & 0xF)
            out.append(d < 10 ? d &+ 48 : d &+ 87)
            shift -= 4
        }
    }

    /// The standard reason phrase of `status`, or "Unknown".
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Unknown"
        }
    }
}
