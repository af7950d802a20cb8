import CSSL

extension TLSContext {
    /// Server ALPN choice: `http/1.1` when the client offers it, otherwise no ALPN at all (the
    /// handshake goes on; a client that insists on h2 will give up by itself).
    /// `offered` is the client's wire-format list; `out` may point into it (OpenSSL keeps it alive).
    static func selectHTTP11(out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, outLength: UnsafeMutablePointer<UInt8>?,
                             offered: UnsafePointer<UInt8>?, offeredLength: UInt32) -> Int32 {
        guard let out, let outLength, let offered else { return SSL_TLSEXT_ERR_NOACK }
        let list = UnsafeBufferPointer(start: offered, count: Int(offeredLength))
        let wanted = alpnHTTP11
        var i = 0
        while i < list.count {
            let length = Int(list[i])
            let end = i + 1 + length
            guard length > 0, end <= list.count else { break }
            if length == wanted.count - 1, list[(i + 1)..<end].elementsEqual(wanted[1...]) {
                out.pointee = offered + i + 1
                outLength.pointee = UInt8(length)
                return SSL_TLSEXT_ERR_OK
            }
            i = end
        }
        return SSL_TLSEXT_ERR_NOACK
    }
}
