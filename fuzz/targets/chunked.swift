/// Fuzz target: `ChunkedDecoder`, two ways on every input.
///
/// 1. The input as a chunked body: decoding it in pieces must match decoding it whole (outcome,
///    consumed count, error, output), and a `needMore` always consumes its whole feed.
/// 2. The input as a payload: encoded in random chunks (some with extensions, sometimes with
///    trailers, followed by the next message's bytes), it must decode back to itself, consume exactly
///    the body, and be refused as too large with `maxBodyBytes` one byte short.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    FuzzChunked.decodeRaw(&input)
    FuzzChunked.roundTrip(&input)
    return 0
}

private enum FuzzChunked {
    static func decoder(_ maxBody: Int) -> ChunkedDecoder {
        ChunkedDecoder(maxBodyBytes: maxBody, maxTrailerBytes: 256, maxChunkLineBytes: 64)
    }

    /// Decodes `bytes` fed in `pieces`; stops at the first non-`needMore` outcome.
    static func feed(_ bytes: [UInt8], _ pieces: [Int], _ d: inout ChunkedDecoder, _ out: inout [UInt8]) -> ChunkedDecoder.Result {
        var start = 0
        for n in pieces {
            let r = bytes[start..<(start + n)].withUnsafeBytes { d.decode($0, into: &out) }
            switch r {
            case .needMore(let c):
                FuzzCheck.require(c == n, "needMore did not consume its feed")
                start += n
            case .done(let c):
                FuzzCheck.require(c <= n, "consumed more than fed")
                return .done(consumed: start + c)
            case .invalid:
                return r
            }
        }
        return .needMore(consumed: start)
    }

    static func decodeRaw(_ input: inout FuzzInput) {
        let bytes = input.bytes
        var d1 = decoder(1 << 16)
        var o1: [UInt8] = []
        let r1 = feed(bytes, bytes.isEmpty ? [] : [bytes.count], &d1, &o1)
        var d2 = decoder(1 << 16)
        var o2: [UInt8] = []
        let r2 = feed(bytes, input.pieces(bytes.count), &d2, &o2)
        FuzzCheck.require(r1 == r2, "outcome differs whole/pieces: \(r1) vs \(r2) for \(FuzzCheck.show(bytes))")
        FuzzCheck.require(o1 == o2, "output differs whole/pieces for \(FuzzCheck.show(bytes))")
        FuzzCheck.require(d1.decodedBytes >= o1.count, "decodedBytes below output")
        if case .done = r1 {
            FuzzCheck.require(d1.isDone && d1.decodedBytes == o1.count, "done but decoder state disagrees")
        }
    }

    static let extensions = [";a", ";a=b", ";name=\"q\\\"uo;ted\"", ";x=1;y", ";ext=\"\"", ";!#$%&'*+-.^_`|~=tok"]
    static let trailers = ["X-Trailer: v\r\n", "Checksum:\r\n", "a:b c\t\r\n"]

    static func roundTrip(_ input: inout FuzzInput) {
        let payload = input.bytes
        var wire: [UInt8] = []
        var start = 0
        for n in input.pieces(payload.count) {
            if input.below(4) == 0 {
                // Size line by hand: sometimes uppercase hex or leading zeros, with an extension.
                var hex: [UInt8] = []
                HTTPSerializer.writeHex(n, into: &hex)
                if input.below(2) == 0 { hex = hex.map { $0 >= 97 ? $0 - 32 : $0 } }
                wire.append(contentsOf: Array(repeating: 48, count: input.below(3)))
                wire.append(contentsOf: hex)
                wire.append(contentsOf: extensions[input.below(extensions.count)].utf8)
                wire.append(contentsOf: [13, 10])
                wire.append(contentsOf: payload[start..<(start + n)])
                wire.append(contentsOf: [13, 10])
            } else {
                payload[start..<(start + n)].withUnsafeBytes { HTTPSerializer.writeChunk($0, into: &wire) }
            }
            start += n
        }
        if input.below(3) == 0 {
            wire.append(contentsOf: "0\r\n".utf8)
            for _ in 0..<(1 + input.below(3)) { wire.append(contentsOf: trailers[input.below(trailers.count)].utf8) }
            wire.append(contentsOf: [13, 10])
        } else {
            HTTPSerializer.writeLastChunk(into: &wire)
        }
        let bodyLength = wire.count
        wire.append(contentsOf: "GET / HTTP/1.1\r\n".utf8)  // the next pipelined message

        var d = decoder(payload.count)
        var out: [UInt8] = []
        let r = feed(wire, input.pieces(wire.count), &d, &out)
        FuzzCheck.require(r == .done(consumed: bodyLength), "round trip: \(r), expected done(\(bodyLength)) for \(FuzzCheck.show(wire))")
        FuzzCheck.require(out == payload, "round trip changed the payload: \(FuzzCheck.show(wire))")

        if !payload.isEmpty {
            var small = decoder(payload.count - 1)
            var ignored: [UInt8] = []
            let r2 = feed(wire, input.pieces(wire.count), &small, &ignored)
            guard case .invalid(let e) = r2, e.kind == .bodyTooLarge else {
                FuzzCheck.require(false, "body over maxBodyBytes not refused with 413: \(r2)")
                return
            }
        }
    }
}
