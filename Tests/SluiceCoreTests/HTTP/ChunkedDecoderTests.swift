import Testing
@testable import SluiceCore

private typealias S = HTTPTestSupport

private func status(_ raw: String, maxBody: Int = 1 << 20, maxTrailer: Int = 8 * 1024) -> Int? {
    if case .invalid(let e) = S.dechunk(S.bytes(raw), maxBody: maxBody, maxTrailer: maxTrailer).0 { return e.status }
    return nil
}

@Test func chunked_simpleBody_decodes() {
    let raw = S.bytes("5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n")
    let (r, out) = S.dechunk(raw)
    #expect(r == .done(consumed: raw.count))
    #expect(String(decoding: out, as: UTF8.self) == "hello, world")
}

@Test func chunked_hexSizes_bothCases() {
    let body = String(repeating: "x", count: 26)
    for size in ["1a", "1A", "001A"] {
        let (r, out) = S.dechunk(S.bytes("\(size)\r\n\(body)\r\n0\r\n\r\n"))
        #expect(r == .done(consumed: size.utf8.count + 35))
        #expect(out.count == 26)
    }
}

@Test func chunked_extensionsAndTrailers_accepted_andDiscarded() {
    let raw = "4;name=value;flag;q=\"a \\\"quoted\\\" ;x\"\r\nWiki\r\n5;ext\r\npedia\r\n0;last=1\r\nX-Trailer: t\r\nX-Other:\r\n\r\n"
    let (r, out) = S.dechunk(S.bytes(raw))
    #expect(r == .done(consumed: raw.utf8.count))
    #expect(String(decoding: out, as: UTF8.self) == "Wikipedia")
}

@Test func chunked_byteByByte_sameResult() {
    let raw = S.bytes("4;a=b\r\nWiki\r\n5\r\npedia\r\n0\r\nT: 1\r\n\r\n")
    let (r, out) = S.dechunk(raw, pieceSize: 1)
    #expect(r == .done(consumed: raw.count))
    #expect(String(decoding: out, as: UTF8.self) == "Wikipedia")
}

@Test func chunked_everySplitPoint_sameResult() {
    let raw = S.bytes("3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n")
    for split in 0...raw.count {
        var d = ChunkedDecoder(maxBodyBytes: 1000)
        var out: [UInt8] = []
        let r1 = raw[0..<split].withUnsafeBytes { d.decode($0, into: &out) }
        if split == raw.count {
            #expect(r1 == .done(consumed: raw.count))
        } else {
            #expect(r1 == .needMore(consumed: split))
            let r2 = raw[split...].withUnsafeBytes { d.decode($0, into: &out) }
            #expect(r2 == .done(consumed: raw.count - split))
        }
        #expect(String(decoding: out, as: UTF8.self) == "abc0123456789abcdef")
        #expect(d.isDone)
    }
}

@Test func chunked_pipelinedBytesAfterBody_notConsumed() {
    let body = S.bytes("2\r\nok\r\n0\r\n\r\n")
    let raw = body + S.bytes("GET / HTTP/1.1\r\n")
    let (r, out) = S.dechunk(raw)
    #expect(r == .done(consumed: body.count))
    #expect(out == S.bytes("ok"))
}

@Test func chunked_afterDone_consumesNothing() {
    var d = ChunkedDecoder(maxBodyBytes: 10)
    var out: [UInt8] = []
    _ = S.bytes("0\r\n\r\n").withUnsafeBytes { d.decode($0, into: &out) }
    #expect(d.isDone)
    #expect(S.bytes("abc").withUnsafeBytes { d.decode($0, into: &out) } == .done(consumed: 0))
    d.reset()
    #expect(!d.isDone)
}

@Test func chunked_incomplete_needsMore() {
    let (r, out) = S.dechunk(S.bytes("5\r\nhel"))
    #expect(r == .needMore(consumed: 6))
    #expect(out == S.bytes("hel"))
}

@Test(arguments: [
    ("empty size", "\r\nabc\r\n0\r\n\r\n"),
    ("sign", "+5\r\nhello\r\n0\r\n\r\n"),
    ("minus", "-5\r\nhello\r\n0\r\n\r\n"),
    ("0x prefix", "0x5\r\nhello\r\n0\r\n\r\n"),
    ("leading space", " 5\r\nhello\r\n0\r\n\r\n"),
    ("trailing space", "5 \r\nhello\r\n0\r\n\r\n"),
    ("BWS before semicolon", "5 ;a=b\r\nhello\r\n0\r\n\r\n"),
    ("BWS after semicolon", "5; a=b\r\nhello\r\n0\r\n\r\n"),
    ("BWS around equals", "5;a = b\r\nhello\r\n0\r\n\r\n"),
    ("tab", "5\t\r\nhello\r\n0\r\n\r\n"),
    ("non-hex", "5g\r\nhello\r\n0\r\n\r\n"),
    ("overflow", "FFFFFFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n"),
    ("overflow just past Int.max", "8000000000000000\r\nx\r\n0\r\n\r\n"),
    ("bare LF after size", "5\nhello\r\n0\r\n\r\n"),
    ("bare CR after size", "5\rhello\r\n0\r\n\r\n"),
    ("missing CRLF after data", "5\r\nhelloX\r\n0\r\n\r\n"),
    ("bare LF after data", "5\r\nhello\n0\r\n\r\n"),
    ("CR without LF after data", "5\r\nhello\rX0\r\n\r\n"),
    ("data too short", "5\r\nhell\r\n0\r\n\r\n"),
    ("empty extension name", "5;\r\nhello\r\n0\r\n\r\n"),
    ("empty extension value", "5;a=\r\nhello\r\n0\r\n\r\n"),
    ("extension name bad char", "5;a/b\r\nhello\r\n0\r\n\r\n"),
    ("unterminated quote", "5;a=\"x\r\nhello\r\n0\r\n\r\n"),
    ("control in quote", "5;a=\"x\u{1}\"\r\nhello\r\n0\r\n\r\n"),
    ("text after quote", "5;a=\"x\"y\r\nhello\r\n0\r\n\r\n"),
    ("double semicolon", "5;;a\r\nhello\r\n0\r\n\r\n"),
    ("bare LF final", "0\r\n\n"),
    ("bare LF trailer", "0\r\nT: 1\n\r\n"),
    ("trailer folded", "0\r\nT: 1\r\n folded\r\n\r\n"),
    ("trailer no colon", "0\r\nTrailer\r\n\r\n"),
    ("trailer space before colon", "0\r\nT : 1\r\n\r\n"),
    ("trailer NUL", "0\r\nT: a\u{0}\r\n\r\n"),
    ("CR after last chunk junk", "0\r\n\rX"),
])
func chunked_malformed_is400(_ label: String, _ raw: String) {
    #expect(status(raw) == 400, "\(label)")
    // Same verdict when fed byte by byte.
    if case .invalid(let e) = S.dechunk(S.bytes(raw), pieceSize: 1).0 {
        #expect(e.status == 400, "\(label)")
    } else {
        Issue.record("\(label): not rejected byte by byte")
    }
}

@Test func chunked_maxSizeWithoutOverflow_isTooLargeNot400() {
    #expect(status("7FFFFFFFFFFFFFFF\r\n") == 413)
}

@Test func chunked_bodyOverLimit_is413_beforeData() {
    var d = ChunkedDecoder(maxBodyBytes: 10)
    var out: [UInt8] = []
    let r = S.bytes("4\r\nabcd\r\n7\r\n").withUnsafeBytes { d.decode($0, into: &out) }
    #expect(r == .invalid(HTTPParseError(.bodyTooLarge, "body too large")))
    #expect(out == S.bytes("abcd"))
}

@Test func chunked_bodyExactlyAtLimit_accepted() {
    let (r, out) = S.dechunk(S.bytes("4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n"), maxBody: 10)
    #expect(r == .done(consumed: 25))
    #expect(out.count == 10)
}

@Test func chunked_trailerOverLimit_is431() {
    #expect(status("0\r\nX-T: \(String(repeating: "a", count: 50))\r\n\r\n", maxTrailer: 32) == 431)
    #expect(status("0\r\nX-T: abc\r\n\r\n", maxTrailer: 12) == nil)
}

@Test func chunked_sizeLineTooLong_is400() {
    let ext = ";" + String(repeating: "a", count: 5000)
    #expect(status("5\(ext)\r\nhello\r\n0\r\n\r\n") == 400)
}

@Test func chunked_manyLeadingZeros_withinLineLimit_accepted() {
    let (r, out) = S.dechunk(S.bytes(String(repeating: "0", count: 100) + "3\r\nabc\r\n0\r\n\r\n"))
    guard case .done = r else { Issue.record("not done"); return }
    #expect(out == S.bytes("abc"))
}
