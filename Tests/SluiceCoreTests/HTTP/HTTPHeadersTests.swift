import Testing
@testable import SluiceCore

private func headers(_ pairs: [(String, String)]) -> HTTPHeaders {
    var h = HTTPHeaders()
    for (n, v) in pairs { h.add(n, v) }
    return h
}

private func names(_ h: HTTPHeaders) -> [String] {
    (0..<h.count).map { String(decoding: h.name(at: $0), as: UTF8.self) }
}

@Test func headers_lookup_isCaseInsensitive() {
    let h = headers([("Content-Type", "application/json"), ("X-Request-Id", "abc")])
    #expect(h.count == 2)
    #expect(h.firstString("content-type") == "application/json")
    #expect(h.firstString("CONTENT-TYPE") == "application/json")
    #expect(h.contains("x-request-id"))
    #expect(!h.contains("x-request"))
    #expect(!h.contains("x-request-idd"))
    #expect(h.first("missing") == nil)
    #expect(h.nameEquals(at: 1, "x-request-id"))
    #expect(!h.nameEquals(at: 0, "x-request-id"))
}

@Test func headers_all_returnsEveryValueInOrder() {
    let h = headers([("Set-Cookie", "a=1"), ("X", "y"), ("set-cookie", "b=2")])
    #expect(h.all("set-cookie").map { Array($0) } == [Array("a=1".utf8), Array("b=2".utf8)])
    #expect(h.all("nope").isEmpty)
}

@Test func headers_removeAndSet() {
    var h = headers([("A", "1"), ("B", "2"), ("a", "3")])
    h.remove("A")
    #expect(names(h) == ["B"])
    h.set("b", "9")
    #expect(names(h) == ["b"])
    #expect(h.firstString("B") == "9")
    h.remove("zzz")
    #expect(h.count == 1)
}

@Test func headers_manySets_keepStorageBounded() {
    var h = headers([("Keep", "me")])
    for i in 0..<10_000 { h.set("x-counter", String(i)) }
    #expect(h.count == 2)
    #expect(h.firstString("x-counter") == "9999")
    #expect(h.firstString("keep") == "me")
    #expect(h.storage.count < 16 * 1024)
}

@Test func headers_addBytes_keepsCase() {
    var h = HTTPHeaders()
    h.add(name: Array("X-MiXeD".utf8), value: Array("v".utf8)[...])
    #expect(Array(h.name(at: 0)) == Array("X-MiXeD".utf8))
    #expect(Array(h.value(at: 0)) == Array("v".utf8))
}

@Test func headers_write_emitsFieldLines() {
    let h = headers([("Host", "h"), ("X-Empty", "")])
    var out: [UInt8] = Array("pre".utf8)
    h.write(into: &out)
    #expect(String(decoding: out, as: UTF8.self) == "preHost: h\r\nX-Empty: \r\n")
}

@Test func headers_validity_helpers() {
    #expect(HTTPHeaders.isValidName(Array("x-api-key".utf8)))
    #expect(!HTTPHeaders.isValidName(Array("x api".utf8)))
    #expect(!HTTPHeaders.isValidName([UInt8]()))
    #expect(HTTPHeaders.isValidValue(Array("a b".utf8)))
    #expect(HTTPHeaders.isValidValue([UInt8]()))
    #expect(!HTTPHeaders.isValidValue(Array("a\r\nX: y".utf8)))
    #expect(!HTTPHeaders.isValidValue(Array(" a".utf8)))
}

@Test func removingHopByHop_dropsFixedAndListedFields() {
    let h = headers([
        ("Host", "h"), ("Connection", "keep-alive, X-Custom-Hop , Close"), ("Keep-Alive", "timeout=5"),
        ("TE", "trailers"), ("Trailer", "x"), ("Transfer-Encoding", "chunked"), ("Upgrade", "h2c"),
        ("Proxy-Authorization", "secret"), ("proxy-connection", "keep-alive"), ("X-Custom-Hop", "1"),
        ("x-custom-hop", "2"), ("Content-Type", "application/json"), ("Authorization", "Bearer k"),
        ("Proxyish", "stays"), ("Tex", "stays"),
    ])
    let out = h.removingHopByHop()
    #expect(names(out) == ["Host", "Content-Type", "Authorization", "Proxyish", "Tex"])
    #expect(out.firstString("content-type") == "application/json")
    #expect(out.storage.count == (0..<out.count).reduce(0) { $0 + out.name(at: $1).count + out.value(at: $1).count })
}

@Test func removingHopByHop_connectionListNamingEndToEndHeader_removesIt() {
    let h = headers([("Connection", "x-request-id"), ("X-Request-Id", "r"), ("Accept", "*/*")])
    #expect(names(h.removingHopByHop()) == ["Accept"])
}

@Test func removingHopByHop_onParsedHead_works() throws {
    let raw = "POST / HTTP/1.1\r\nHost: h\r\nConnection: close\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
    let (head, _) = try #require(HTTPTestSupport.head(HTTPTestSupport.request(raw)))
    #expect(names(head.headers.removingHopByHop()) == ["Host", "X-A"])
}

@Test func byteClass_tokenMask_matchesRFCDefinition() {
    let extra = Set("!#$%&'*+-.^_`|~".utf8)
    for b in 0...255 {
        let u = UInt8(b)
        let isAlnum = (u >= 48 && u <= 57) || (u >= 65 && u <= 90) || (u >= 97 && u <= 122)
        #expect(HTTPByteClass.isToken(u) == (isAlnum || extra.contains(u)), "byte \(b)")
        let target = isAlnum || Set("-._~!$&'()*+,;=:@/?%".utf8).contains(u)
        #expect(HTTPByteClass.isTargetChar(u) == target, "target byte \(b)")
        let host = isAlnum || Set("-._~!$&'()*+,;=%:[]".utf8).contains(u)
        #expect(HTTPByteClass.isHostChar(u) == host, "host byte \(b)")
    }
}
