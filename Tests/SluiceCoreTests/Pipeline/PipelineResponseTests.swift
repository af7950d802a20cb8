import Testing
@testable import SluiceCore

/// The response's shared body index: handed on by the proxy, scanned at most once, dropped when a hook
/// changes the body.
@Suite struct PipelineResponseTests {
    private static func response(_ body: String, index: Bool) -> PipelineResponse {
        let bytes = Array(body.utf8)
        var idx: JSONObjectIndex?
        if index, case .success(let i) = bytes.withUnsafeBytes({ JSONScanner.scanObject($0) }) { idx = i }
        return PipelineResponse(status: 200, headers: HTTPHeaders(), body: bytes, isLocal: false, bodyIndex: idx)
    }

    @Test func givenIndex_isUsedUntilTheBodyChanges() {
        var res = Self.response(#"{"a":1,"usage":{"prompt_tokens":3}}"#, index: true)
        #expect(res.bodyIndex?.members.count == 2)
        #expect(res.scannedBody()?.members.count == 2)
        res.body = Array(#"{"b":2}"#.utf8)
        #expect(res.bodyIndex == nil)
        #expect(res.scannedBody()?.members.count == 1)
        #expect(res.bodyIndex?.members.count == 1)
    }

    @Test func noIndex_scannedOnFirstUse_nonObjectIsNil() {
        var res = Self.response(#"{"x":[1,2]}"#, index: false)
        #expect(res.bodyIndex == nil)
        #expect(res.scannedBody()?.members.count == 1)
        var text = Self.response("not json", index: false)
        #expect(text.scannedBody() == nil)
    }
}
