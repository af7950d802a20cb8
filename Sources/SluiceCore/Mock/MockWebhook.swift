/// `POST /mock/webhook`: a deterministic external processor for tests (SPEC §4 webhook protocol).
/// It looks for markers in the text it is sent: `BLOCKME` → `{"action":"block","status":403,…}`,
/// `MUTATEME` → `{"action":"mutate",…}` replacing the body with the same body plus
/// `"metadata":{"webhook":"seen"}` and setting `x-webhook: seen`; anything else → continue.
enum MockWebhook {
    static func answer(_ body: [UInt8]) -> [UInt8] {
        if contains(body, "BLOCKME") {
            return Array(#"{"action":"block","status":403,"message":"blocked by the mock webhook"}"#.utf8)
        }
        if contains(body, "MUTATEME"), case .success(let v) = JSONValue.parse(body), var inner = v["body"] {
            _ = inner.set(.object([("webhook", .string("seen"))]), atPointer: "/metadata")
            var out: [UInt8] = Array(#"{"action":"mutate","body":"#.utf8)
            inner.write(into: &out)
            out += Array(#","set_headers":{"x-webhook":"seen"}}"#.utf8)
            return out
        }
        return Array(#"{"action":"continue"}"#.utf8)
    }

    private static func contains(_ hay: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard hay.count >= n.count else { return false }
        for i in 0...(hay.count - n.count) where hay[i] == n[0] && Array(hay[i..<(i + n.count)]) == n { return true }
        return false
    }
}
