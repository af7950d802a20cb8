/// The embeddings list: one deterministic vector per input, as float arrays or, for
/// `"encoding_format": "base64"`, base64 of little-endian float32 (what the OpenAI SDK decodes).
enum MockEmbeddings {
    /// Component `d` of vector `i` is ((i + d) mod 16 + 1) / 32: exact in float32, so the text and
    /// base64 forms agree bit for bit.
    private static func step(_ i: Int, _ d: Int) -> Int { (i + d) % 16 }

    private static let decimals: [[UInt8]] = (1...16).map { Array("\(Float($0) / 32)".utf8) }
    private static let littleEndian: [[UInt8]] = (1...16).map { k in
        let bits = (Float(k) / 32).bitPattern.littleEndian
        return withUnsafeBytes(of: bits) { Array($0) }
    }
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends the whole `list` body.
    static func body(_ facts: MockRequestFacts, usage: Bool, options: MockOptions, into out: inout [UInt8]) {
        var dims = options.embeddingDimensions
        if let d = facts.dimensions, d > 0 { dims = min(d, options.maxEmbeddingDimensions) }
        MockReply.lit(#"{"object":"list","data":["#, &out)
        var raw: [UInt8] = []
        for i in 0..<facts.inputCount {
            if i > 0 { out.append(0x2C) }
            MockReply.lit(#"{"object":"embedding","index":"#, &out)
            MockReply.num(i, &out)
            MockReply.lit(#","embedding":"#, &out)
            if facts.base64 {
                raw.removeAll(keepingCapacity: true)
                for d in 0..<dims { raw.append(contentsOf: littleEndian[step(i, d)]) }
                out.append(0x22)
                appendBase64(raw, to: &out)
                out.append(0x22)
            } else {
                out.append(0x5B)
                for d in 0..<dims {
                    if d > 0 { out.append(0x2C) }
                    out.append(contentsOf: decimals[step(i, d)])
                }
                out.append(0x5D)
            }
            out.append(0x7D)
        }
        MockReply.lit(#"],"model":"#, &out)
        out.append(contentsOf: facts.modelJSON)
        if usage {
            MockReply.lit(#","usage":{"prompt_tokens":"#, &out)
            MockReply.num(facts.promptTokens, &out)
            MockReply.lit(#","total_tokens":"#, &out)
            MockReply.num(facts.promptTokens, &out)
            out.append(0x7D)
        }
        out.append(0x7D)
    }

    /// Standard base64 with padding (RFC 4648 §4).
    static func appendBase64(_ bytes: [UInt8], to out: inout [UInt8]) {
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(alphabet[Int(v & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let v = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(rest == 2 ? alphabet[Int(v >> 6 & 63)] : 0x3D)
            out.append(0x3D)
        }
    }
}
