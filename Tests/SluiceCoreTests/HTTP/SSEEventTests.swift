import Testing
@testable import SluiceCore

private func data(_ s: String) -> String? {
    SSEEvent.data(of: Array(s.utf8)[...]).map { String(decoding: $0, as: UTF8.self) }
}

@Test func sseData_singleLine_stripsOneSpace() {
    #expect(data("data: {\"a\":1}\n\n") == "{\"a\":1}")
    #expect(data("data:  two spaces\n\n") == " two spaces")
    #expect(data("data:nospace\n\n") == "nospace")
}

@Test func sseData_multipleLines_joinedWithLF() {
    #expect(data("event: x\ndata: one\r\ndata: two\rid: 5\n\n") == "one\ntwo")
}

@Test func sseData_commentsAndOtherFields_ignored() {
    #expect(data(": comment\n\n") == nil)
    #expect(data("event: ping\nid: 1\nretry: 10\n\n") == nil)
    #expect(data(": c\ndata: x\n\n") == "x")
    #expect(data("dataX: y\n\n") == nil)
    #expect(data("Data: y\n\n") == nil)
}

@Test func sseData_fieldWithoutColon_isEmptyValue() {
    #expect(data("data\n\n") == "")
    #expect(data("data:\n\n") == "")
}

@Test func sseData_fromSliceWithOffset() {
    let bytes = Array("xxdata: y\n\n".utf8)
    #expect(SSEEvent.data(of: bytes[2...]) == Array("y".utf8))
}

@Test func sseEncode_singleAndMultiline() {
    var out: [UInt8] = []
    SSEEvent.encode(data: Array("{\"error\":{}}".utf8), into: &out)
    #expect(String(decoding: out, as: UTF8.self) == "data: {\"error\":{}}\n\n")
    out.removeAll()
    SSEEvent.encode(data: Array("a\nb\r\nc".utf8), into: &out)
    #expect(String(decoding: out, as: UTF8.self) == "data: a\ndata: b\ndata: c\n\n")
    #expect(SSEEvent.data(of: out[...]) == Array("a\nb\nc".utf8))
}
