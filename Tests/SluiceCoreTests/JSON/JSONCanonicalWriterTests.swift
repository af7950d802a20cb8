import Testing
@testable import SluiceCore

/// The byte-level canonical writer must agree exactly with parse-then-`canonical` (the prompt-cache key
/// depends on it, across replicas sharing a cache too).
@Suite("JSON canonical writer")
struct JSONCanonicalWriterTests {
    static func viaTree(_ text: String, skip: Set<String> = []) -> [UInt8]? {
        guard case .success(var v) = JSONValue.parse(Array(text.utf8)) else { return nil }
        if case .object(var m) = v, !skip.isEmpty {
            m.removeAll { skip.contains($0.0) }
            v = .object(m)
        }
        return v.canonicalBytes()
    }

    static func viaBytes(_ text: String, skip: [String] = []) -> [UInt8]? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { raw -> [UInt8]? in
            guard case .success(let (_, range)) = JSONScanner.validate(raw) else { return nil }
            var out: [UInt8] = []
            guard JSONCanonicalWriter.append(raw, range: range, skipTopLevel: skip, to: &out) else { return nil }
            return out
        }
    }

    static let documents = [
        #"{}"#, #"[]"#, #"{"b":1,"a":2}"#, #" { "z" : [ 1 , 2.50 , -0 , 1e2 , 1E-7 , 0.1 , 123456789012345678901 , 1234567890123456789012 ] } "#,
        #"{"a":"x\"y\\z\n\t\u0001\/","é":"ü","\u00e9":1,"a":3}"#,
        #"{"k":"\ud83d\ude00 emoji 😀","\ud83d\ude00":1,"\uffff":2,"ｚ":3}"#,
        #"{"nested":{"y":[{"b":true,"a":null}],"x":false},"arr":[[],[{}],"s"]}"#,
        #"{"model":"m","messages":[{"role":"user","content":"Hello there, how are you?"}],"temperature":0,"user":"u1"}"#,
        #"{"n":-12.5e3,"m":100.0,"o":1.0e0,"p":-0.0,"q":0,"r":-1,"s":9007199254740993}"#,
        #"{"\u0075ser":"dropped when skipping","user":"too","other":1}"#,
        #""just a string \u0041""#, #"42"#, #"true"#, #"null"#,
    ]

    @Test(arguments: documents)
    func agreesWithTheTreeForm(_ text: String) {
        let tree = Self.viaTree(text)
        #expect(tree != nil)
        #expect(Self.viaBytes(text) == tree, "\(text)")
        #expect(Self.viaBytes(text, skip: ["user"]) == Self.viaTree(text, skip: ["user"]), "\(text)")
    }

    @Test func agreesOnGeneratedDocuments() {
        var rng = FastRandom()
        for _ in 0..<300 {
            let text = Self.generate(&rng, depth: 0)
            #expect(Self.viaBytes(text) == Self.viaTree(text), "\(text)")
        }
    }

    @Test func promptCacheKeyIsTheSameEitherWay() {
        let body = #"{"temperature":0,"messages":[{"content":"Hi \u00e9","role":"user"}],"model":"m","user":"alice"}"#
        let fromBytes = PromptCacheKey.material(route: "r", upstreamModel: "up", body: Array(body.utf8))
        guard case .success(let v) = JSONValue.parse(Array(body.utf8)) else { Issue.record("parse"); return }
        #expect(fromBytes != nil)
        #expect(fromBytes == PromptCacheKey.material(route: "r", upstreamModel: "up", value: v))
        let bytes = Array(body.utf8)
        let index = bytes.withUnsafeBytes { try? JSONScanner.scanObject($0).get() }
        #expect(index != nil)
        if let index {
            #expect(PromptCacheKey.material(route: "r", upstreamModel: "up", body: bytes, index: index) == fromBytes)
        }
        #expect(PromptCacheKey.material(route: "r", upstreamModel: "up", body: Array("[1]".utf8)) == nil)
        #expect(PromptCacheKey.material(route: "r", upstreamModel: "up", body: Array("{\"a\":".utf8)) == nil)
    }

    /// Long strings put escapes, quotes and non-ASCII at every offset of the writer's eight-byte steps.
    @Test func agreesOnDocumentsWithLongStrings() {
        var rng = FastRandom()
        for _ in 0..<300 {
            let text = Self.generate(&rng, depth: 0, pieces: 12)
            #expect(Self.viaBytes(text) == Self.viaTree(text), "\(text)")
            #expect(Self.viaBytes(text, skip: ["user"]) == Self.viaTree(text, skip: ["user"]), "\(text)")
        }
    }

    /// One scratch carried from document to document (as a loop carries it from request to request) must
    /// write what fresh buffers write: nothing of an earlier document may leak into a later one.
    @Test func reusedScratch_writesWhatFreshBuffersWrite() {
        var rng = FastRandom(seed: 7)
        var scratch = JSONCanonicalScratch()
        let big = #"{"z":1,"messages":[{"role":"user","content":""# + String(repeating: "long é \\\\ text ", count: 6000) + #""}],"a":2}"#
        for n in 0..<400 {
            let text = n % 97 == 50 ? big : Self.generate(&rng, depth: 0, pieces: 6)
            let bytes = Array(text.utf8)
            let reused = bytes.withUnsafeBytes { raw -> [UInt8]? in
                guard case .success(let (_, range)) = JSONScanner.validate(raw) else { return nil }
                var out: [UInt8] = []
                guard JSONCanonicalWriter.append(raw, range: range, skipTopLevel: ["user"], to: &out, scratch: &scratch) else {
                    return nil
                }
                return out
            }
            #expect(reused != nil)
            #expect(reused == Self.viaBytes(text, skip: ["user"]), "\(text)")
        }
    }

    @Test func promptCacheKey_withLoopScratch_equalsFreshKey() {
        var rng = FastRandom(seed: 11)
        var scratch = PromptCacheKeyScratch()
        for _ in 0..<200 {
            let body = #"{"model":"m","messages":["# + Self.generate(&rng, depth: 1, pieces: 4) + #"],"user":"u"}"#
            let bytes = Array(body.utf8)
            guard let index = bytes.withUnsafeBytes({ try? JSONScanner.scanObject($0).get() }) else { continue }
            let fresh = PromptCacheKey.make(route: "r", upstreamModel: "up", body: bytes, index: index, digest: CacheTestSHA256())
            let reused = PromptCacheKey.make(route: "r", upstreamModel: "up", body: bytes, index: index, digest: CacheTestSHA256(),
                                             scratch: &scratch)
            #expect(fresh != nil)
            #expect(reused == fresh, "\(body)")
        }
    }

    @Test(arguments: [
        #"{"user":"u","a":1}"#, #"{"a":1,"user":"u"}"#, #"{"b":1,"user":{"x":[1]},"a":2}"#, #"{"user":1}"#,
        #"{"user":1,"user":2}"#, #"{"us\u0065r":[1,"]"],"z":0}"#, #"{"users":1,"use":2,"user":3}"#,
        #"{"a":{"user":1},"b":[{"user":2}]}"#, #" { "user" : "x" , "m" : "y" } "#,
    ])
    func skippedMember_anywhere_matchesTheTree(_ text: String) {
        #expect(Self.viaBytes(text, skip: ["user"]) == Self.viaTree(text, skip: ["user"]), "\(text)")
    }

    @Test func largeBody_matchesTheTree() {
        let content = String(repeating: "Summarise the paragraph about rivers, sluices and \\\"quoted\\\" weirs. é ", count: 400)
        let text = #"{"model":"m","user":"u","messages":[{"role":"system","content":"be brief"},{"role":"user","content":""#
            + content + #""}],"temperature":0,"stream":false}"#
        #expect(Self.viaBytes(text, skip: ["user"]) == Self.viaTree(text, skip: ["user"]))
    }

    static func generate(_ rng: inout FastRandom, depth: Int, pieces: Int) -> String {
        let parts = ["plain ascii text ", "\\u00e9", "\\\"", "\\\\", "é", "😀", "\\n", "[{}]", "ｚ", "\\ud83d\\ude00", "x"]
        func long(_ rng: inout FastRandom) -> String {
            (0..<Int(rng.next() % UInt64(pieces + 1))).map { _ in parts[Int(rng.next() % UInt64(parts.count))] }.joined()
        }
        switch Int(rng.next() % (depth > 3 ? 2 : 4)) {
        case 0: return "\"" + long(&rng) + "\""
        case 1: return ["1", "-2.50", "true", "null"][Int(rng.next() % 4)]
        case 2: return "[" + (0..<Int(rng.next() % 4)).map { _ in generate(&rng, depth: depth + 1, pieces: pieces) }.joined(separator: ",") + "]"
        default:
            let keys = ["user", "role", "content", "a", "b"]
            return "{" + (0..<Int(rng.next() % 5)).map { _ in
                let key = rng.next() % 2 == 0 ? keys[Int(rng.next() % UInt64(keys.count))] : long(&rng)
                return "\"" + key + "\" : " + generate(&rng, depth: depth + 1, pieces: pieces)
            }.joined(separator: ", ") + "}"
        }
    }

    static func generate(_ rng: inout FastRandom, depth: Int) -> String {
        let strings = ["a", "b", "A", "é", "\\u00e9", "ü", "\\\"q", "x\\ny", "😀", "\\ud83d\\ude00", "ｚ", "", "\\/", "\\u001f", "Z"]
        let numbers = ["0", "-0", "1", "-17", "2.5", "1e3", "1E+2", "-3.25e-2", "100.000", "12345678901234567890123", "0.1"]
        let pick = Int(rng.next() % (depth > 3 ? 4 : 6))
        switch pick {
        case 0: return "\"" + strings[Int(rng.next() % UInt64(strings.count))] + strings[Int(rng.next() % UInt64(strings.count))] + "\""
        case 1: return numbers[Int(rng.next() % UInt64(numbers.count))]
        case 2: return ["true", "false", "null"][Int(rng.next() % 3)]
        case 3: return "\"" + strings[Int(rng.next() % UInt64(strings.count))] + "\""
        case 4:
            let n = Int(rng.next() % 4)
            return "[" + (0..<n).map { _ in generate(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            let n = Int(rng.next() % 5)
            return "{" + (0..<n).map { _ in
                "\"" + strings[Int(rng.next() % UInt64(strings.count))] + "\" : " + generate(&rng, depth: depth + 1)
            }.joined(separator: ", ") + "}"
        }
    }
}
