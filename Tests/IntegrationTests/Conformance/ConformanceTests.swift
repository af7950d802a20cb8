import Foundation
import Testing

/// SPEC §8 conformance over real sockets: malformed and ambiguous raw requests (the tables in
/// `*ConformanceCases.swift`), each sent on a fresh connection to one gateway + mock pair per test.
/// Every case must get exactly one JSON error with the status and code of SPEC §3, `Connection: close`,
/// then the close, and sluice-mock must have received nothing at the end of the table.
///
/// Known gateway issues (cases wrapped in `withKnownIssue`; remove the marker once fixed):
/// - `hostGrammar`: the Host value is only checked byte by byte (`HTTPByteClass.isHostChar`), not
///   against `uri-host [":" port]`, so `Host:` (empty), `x:abc`, `x:80:90`, `[::1`, `%zz` are accepted
///   and forwarded (RFC 9112 §3.2 requires 400).
/// - `absoluteFormWithoutHost`: an HTTP/1.0 absolute-form request without Host is accepted whatever
///   its authority (`HTTPRequestTarget.parse` compares only when a Host exists).
/// - `longLineIs431`: a request line longer than `max_header_bytes` that arrives whole is answered
///   431, not 414: `HTTPHeadScanner.scan` checks the head size before the start-line length.
@Suite(.serialized) struct ConformanceTests {
    static let hostGrammar = "Host value not checked against uri-host [\":\" port]; accepted and forwarded"
    static let absoluteFormWithoutHost = "absolute-form authority not checked when there is no Host (HTTP/1.0); forwarded"
    static let longLineIs431 = "over-long request line answered 431 when it arrives whole (head-size check runs first)"

    /// `max_body_bytes` small enough for the 413 cases; `header_timeout` short so that a case the
    /// gateway wrongly waits on fails in seconds (as a 408) instead of hanging.
    static let yaml = GatewayServer.basicConfig(extra: "server: {max_body_bytes: 1KiB, header_timeout: 2s}")

    static var allCases: [ConformanceCase] {
        FramingConformanceCases.all + SyntaxConformanceCases.all + SmugglingConformanceCases.all
    }

    /// Starts one mock and one gateway, runs `cases` against them and checks the mock saw nothing;
    /// the known-issue cases run last, so that what they let through cannot hide a regression.
    private func runTable(_ cases: [ConformanceCase]) throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.yaml, mockPort: mock.port)
        defer { gw.stop() }
        ConformanceRunner.run(cases.filter { $0.knownIssue == nil }, port: gw.port)
        try expectNothingForwarded(mock)
        let known = cases.filter { $0.knownIssue != nil }
        if !known.isEmpty {
            ConformanceRunner.run(known, port: gw.port)
            withKnownIssue("known-issue cases may be forwarded", isIntermittent: true) { try expectNothingForwarded(mock) }
        }
        #expect(gw.child.process.isRunning, "gateway died; stderr:\n\(gw.child.stderr)")
    }

    private func expectNothingForwarded(_ mock: MockServer) throws {
        let seen = try mock.receivedRequests()
        #expect(seen.isEmpty, "sluice-mock received \(seen.count): \(seen.map { "\($0["method"] ?? "") \($0["path"] ?? "") \($0["headers"] ?? "")" })")
    }

    @Test func tables_holdAtLeastSixtyUniquelyNamedCases() {
        let names = Self.allCases.map(\.name)
        #expect(names.count >= 60)
        #expect(Set(names).count == names.count, "duplicate case names")
    }

    @Test func framingErrors_areRefused_thenClosed_andNeverForwarded() throws {
        try runTable(FramingConformanceCases.all)
    }

    @Test func syntaxErrors_areRefused_thenClosed_andNeverForwarded() throws {
        try runTable(SyntaxConformanceCases.all)
    }

    @Test func smugglingAttempts_areRefused_thenClosed_andHiddenRequestNeverForwarded() throws {
        try runTable(SmugglingConformanceCases.all)
    }
}
