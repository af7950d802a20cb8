import Testing
@testable import SluiceCore

@Suite("RESP codec")
struct RESPTests {
    let parser = RESPParser()

    @Test func encodesCommandsAsArraysOfBulkStrings() {
        #expect(RESPEncoder.command("GET", "k") == Array("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".utf8))
        // Binary-safe: CRLF inside an argument is just bytes with a length.
        let frame = RESPEncoder.command([Array("SET".utf8), [13, 10, 0], []])
        #expect(frame == Array("*3\r\n$3\r\nSET\r\n$3\r\n".utf8) + [13, 10, 0] + Array("\r\n$0\r\n\r\n".utf8))
    }

    @Test func parsesEveryReplyType() throws {
        let cases: [(String, RESPValue)] = [
            ("+OK\r\n", .simple("OK")),
            ("-NOSCRIPT No matching script\r\n", .error("NOSCRIPT No matching script")),
            (":-42\r\n", .integer(-42)),
            ("$5\r\nhello\r\n", .bulk(Array("hello".utf8))),
            ("$0\r\n\r\n", .bulk([])),
            ("$-1\r\n", .bulk(nil)),
            ("*-1\r\n", .array(nil)),
            ("*0\r\n", .array([])),
            ("*3\r\n:1\r\n*2\r\n+a\r\n$1\r\nb\r\n$-1\r\n", .array([.integer(1), .array([.simple("a"), .bulk([98])]), .bulk(nil)])),
        ]
        for (text, want) in cases {
            let bytes = Array(text.utf8)
            #expect(try parser.parse(bytes) == .value(want, consumed: bytes.count), "\(text)")
        }
    }

    @Test func needsMoreAtEverySplitPoint() throws {
        let text = Array("*2\r\n$5\r\nhe\r\no\r\n:7\r\n".utf8)
        for cut in 0..<text.count {
            #expect(try parser.parse(Array(text[0..<cut])) == .needMore, "cut at \(cut)")
        }
        #expect(try parser.parse(text) == .value(.array([.bulk(Array("he\r\no".utf8)), .integer(7)]), consumed: text.count))
    }

    @Test func parsesOnlyTheFirstOfPipelinedReplies() throws {
        let bytes = Array("+OK\r\n:5\r\n".utf8)
        #expect(try parser.parse(bytes) == .value(.simple("OK"), consumed: 5))
    }

    @Test func rejectsMalformedReplies() {
        for bad in ["?x\r\n", ":12a\r\n", ":\r\n", "$3\r\nabcd\r\n", "+OK\n", "+O\rK\r\n", "$-2\r\n", "*-5\r\n",
                    ":99999999999999999999\r\n"] {
            #expect(throws: RESPProtocolError.self, "\(bad)") { try parser.parse(Array(bad.utf8)) }
        }
    }

    @Test func boundsBulkSizesAndNesting() {
        let small = RESPParser(maxBulkBytes: 4, maxArrayCount: 2, maxDepth: 2)
        #expect(throws: RESPProtocolError.self) { try small.parse(Array("$5\r\nhello\r\n".utf8)) }
        #expect(throws: RESPProtocolError.self) { try small.parse(Array("*3\r\n".utf8)) }
        #expect(throws: RESPProtocolError.self) { try small.parse(Array("*1\r\n*1\r\n*1\r\n:1\r\n".utf8)) }
    }

    @Test func valueAccessors() {
        #expect(RESPValue.bulk(Array("12".utf8)).int == 12)
        #expect(RESPValue.integer(3).int == 3)
        #expect(RESPValue.simple("x").string == "x")
        #expect(RESPValue.error("ERR").isError)
        #expect(RESPValue.bulk(nil).string == nil)
    }
}
