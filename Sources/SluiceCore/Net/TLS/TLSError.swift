import CSSL

/// A TLS setup failure (context or session creation); the text includes OpenSSL's error queue.
struct TLSError: Error, Sendable, CustomStringConvertible {
    /// What failed and why, in words fit for a log line or a config error.
    var description: String
    /// The certificate or key file that could not be used, when one file is to blame (so a
    /// config error can point at the line that names it).
    var file: String?

    init(_ description: String, file: String? = nil) {
        self.description = description
        self.file = file
    }
}

/// The calling thread's OpenSSL error queue. Every failing OpenSSL call in the TLS layer drains it,
/// because the queue is per thread and a loop thread serves many connections: an entry left
/// behind would be reported against the next, unrelated connection.
enum TLSErrorQueue {
    /// Entries kept in a message; the rest are drained and dropped.
    static let maxEntries = 4

    /// Empties the queue and returns its entries joined by "; " (empty when there were none).
    static func drain() -> String {
        var text = ""
        var kept = 0
        while true {
            var data: UnsafePointer<CChar>?
            var flags: Int32 = 0
            let code = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if code == 0 { break }
            if kept == maxEntries { continue }
            kept += 1
            if !text.isEmpty { text += "; " }
            text += describe(code)
            if let data, flags & ERR_TXT_STRING != 0, data.pointee != 0 {
                text += " (\(String(cString: data)))"
            }
        }
        return text
    }

    /// Empties the queue without reading it.
    static func clear() {
        ERR_clear_error()
    }

    /// A `TLSError` for `what`, followed by the drained queue text when there is any.
    static func error(_ what: String, file: String? = nil) -> TLSError {
        let queued = drain()
        return TLSError(queued.isEmpty ? what : "\(what): \(queued)", file: file)
    }

    /// The reason text of one error code, or OpenSSL's generic rendering when it has none.
    private static func describe(_ code: UInt) -> String {
        if let reason = ERR_reason_error_string(code) { return String(cString: reason) }
        var buffer = [CChar](repeating: 0, count: 256)
        return buffer.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return "OpenSSL error \(code)" }
            ERR_error_string_n(code, base, b.count)
            return String(cString: base)
        }
    }
}
