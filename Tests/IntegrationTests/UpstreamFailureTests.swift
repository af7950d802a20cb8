import Foundation
import Testing

/// What the client gets when the upstream is down, slow, or cuts a stream.
@Suite(.serialized) struct UpstreamFailureTests {
    @Test func upstreamDown_is502() throws {
        // A port with nothing listening: bind, read the port, close.
        let probe = try MockServer()
        let deadPort = probe.port
        probe.stop()
        usleep(100_000)
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: deadPort)
        defer { gw.stop() }
        let r = try HTTPClient.chat(port: gw.port)
        #expect(r.status == 502)
        #expect(r.errorCode == "upstream_unavailable")
        let j = try r.json()
        #expect((j["error"] as? [String: Any])?["type"] as? String == "upstream_error")
    }

    @Test func upstreamSlowerThanFirstByteTimeout_is504() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let yaml = GatewayServer.basicConfig().replacingOccurrences(of: "first_byte: 2s", with: "first_byte: 300ms")
        let gw = try GatewayServer(yaml: yaml, mockPort: mock.port)
        defer { gw.stop() }
        let r = try HTTPClient.chat(port: gw.port, headers: [("x-mock-delay-ms", "1500")])
        #expect(r.status == 504)
        #expect(r.errorCode == "upstream_timeout")
    }

    @Test func upstreamErrorStatus_isPassedThroughUnchanged() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let r = try HTTPClient.chat(port: gw.port, headers: [("x-mock-status", "503")])
        #expect(r.status == 503)
        let direct = try HTTPClient.chat(port: mock.port, headers: [("x-mock-status", "503")])
        #expect(r.body == direct.body)
    }

    @Test func streamCutByUpstream_endsWithErrorEvent_andNoTerminatingChunk() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let r = try HTTPClient.chat(port: gw.port, stream: true, extra: #","max_tokens":10"#,
                                    headers: [("x-mock-drop-after-chunks", "3")])
        #expect(r.status == 200)
        #expect(!r.complete)
        #expect(r.text.contains(#""code":"stream_interrupted""#))
        #expect(!r.text.contains("[DONE]"))
    }

    @Test func streamSplitAtAwkwardPlaces_isReassembledIntoWholeEvents() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let r = try HTTPClient.chat(port: gw.port, stream: true, extra: #","max_tokens":6"#,
                                    headers: [("x-mock-chunk-bytes", "7")])
        #expect(r.status == 200)
        #expect(r.complete)
        for c in r.chunks {
            let s = String(decoding: c, as: UTF8.self)
            #expect(s.hasPrefix("data: ") && s.hasSuffix("\n\n"))
        }
        #expect(r.text.contains("[DONE]"))
    }
}
