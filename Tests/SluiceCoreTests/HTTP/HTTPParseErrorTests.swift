import Testing
@testable import SluiceCore

@Test func parseErrors_mapToSpecTable() {
    let cases: [(HTTPParseError.Kind, Int, String)] = [
        (.badRequest, 400, "bad_request"), (.uriTooLong, 414, "uri_too_long"),
        (.headersTooLarge, 431, "headers_too_large"),
        (.unsupportedTransferEncoding, 501, "unsupported_transfer_encoding"),
        (.bodyTooLarge, 413, "request_too_large"),
    ]
    for (kind, status, code) in cases {
        let e = HTTPParseError(kind, "x")
        #expect(e.status == status)
        #expect(e.code == code)
    }
}
