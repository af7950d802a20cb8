import Testing
@testable import SluiceCore

@Test func singleDataLine_matchesDataOf_forOneLineEvents() {
    for text in ["data: {\"a\":1}\n\n", "data:{\"a\":1}\r\n\r\n", "data: [DONE]\n\n", "data: x\r\r"] {
        let e = Array(text.utf8)[...]
        let r = SSEEvent.singleDataLine(e)
        #expect(r != nil, "\(text)")
        if let r { #expect(Array(e[r]) == SSEEvent.data(of: e), "\(text)") }
    }
}

@Test func singleDataLine_declinesOtherEvents() {
    for text in ["event: x\ndata: y\n\n", "data: a\ndata: b\n\n", ": comment\n\n", "id: 1\n\n"] {
        #expect(SSEEvent.singleDataLine(Array(text.utf8)[...]) == nil, "\(text)")
    }
}
