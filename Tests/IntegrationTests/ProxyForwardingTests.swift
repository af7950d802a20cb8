import Foundation
import Testing

/// Real `sluice` in front of a real `sluice-mock`, over loopback.
@Suite(.serialized) struct ProxyForwardingTests {
    @Test func plainChat_isForwarded_withRewrittenModelAndGatewayHeaders() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let r = try HTTPClient.chat(port: gw.port, extra: #","max_tokens":5"#)
        #expect(r.status == 200)
        #expect(r.header("x-sluice-route") == "llama")
        #expect(r.header("x-sluice-backend") == "mock")
        #expect(r.header("x-request-id")?.count == 32)
        #expect(r.header("server-timing")?.hasPrefix("gateway;dur=") == true)
        let j = try r.json()
        let usage = j["usage"] as? [String: Any]
        #expect(usage?["completion_tokens"] as? Int == 5)
        let seen = try mock.receivedRequests()
        let last = try #require(seen.last)
        let body = try #require((last["body"] as? String)?.data(using: .utf8))
        let sent = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(sent["model"] as? String == "meta-llama/Llama-3.1-8B-Instruct")
        let h = try #require(last["headers"] as? [String: Any])
        let lower = Dictionary(uniqueKeysWithValues: h.map { ($0.key.lowercased(), $0.value) })
        #expect(lower["x-gateway-model-name"] as? String == "meta-llama/Llama-3.1-8B-Instruct")
        #expect(lower["x-forwarded-for"] as? String == "127.0.0.1")
        #expect(lower["x-forwarded-proto"] as? String == "http")
        #expect(lower["accept-encoding"] as? String == "identity")
        #expect(lower["x-request-id"] as? String == r.header("x-request-id"))
        #expect(lower["connection"] == nil)
    }

    @Test func clientRequestID_isKept_whenValid_andReplacedOtherwise() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let kept = try HTTPClient.chat(port: gw.port, headers: [("x-request-id", "abc.DEF_123-x")])
        #expect(kept.header("x-request-id") == "abc.DEF_123-x")
        let replaced = try HTTPClient.chat(port: gw.port, headers: [("x-request-id", "bad id with spaces")])
        #expect(replaced.header("x-request-id") != "bad id with spaces")
        #expect(replaced.header("x-request-id")?.count == 32)
    }

    @Test func hopByHopHeaders_areNotForwarded() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let r = try HTTPClient.chat(port: gw.port, headers: [("Connection", "close, X-Secret-Hop"), ("X-Secret-Hop", "1"),
                                                            ("Keep-Alive", "timeout=5"), ("Proxy-Authorization", "x"),
                                                            ("X-Custom", "kept")])
        #expect(r.status == 200)
        let last = try #require(try mock.receivedRequests().last)
        let h = try #require(last["headers"] as? [String: Any])
        let names = Set(h.keys.map { $0.lowercased() })
        #expect(!names.contains("x-secret-hop"))
        #expect(!names.contains("keep-alive"))
        #expect(!names.contains("proxy-authorization"))
        #expect(names.contains("x-custom"))
    }

    @Test func streamedChat_isRelayedEventByEvent_withoutInjectedUsageChunk() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let r = try HTTPClient.chat(port: gw.port, stream: true, extra: #","max_tokens":4"#)
        #expect(r.status == 200)
        #expect(r.complete)
        #expect(r.header("content-type")?.contains("text/event-stream") == true)
        // One HTTP chunk per SSE event: never coalesced.
        for c in r.chunks { #expect(String(decoding: c, as: UTF8.self).components(separatedBy: "\n\n").count == 2) }
        #expect(r.text.contains("data: [DONE]"))
        #expect(!r.text.contains("\"usage\""))
        let sent = try #require(try mock.receivedRequests().last?["body"] as? String)
        #expect(sent.contains("include_usage"))
    }

    @Test func streamedChat_withIncludeUsage_keepsUsageChunk() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let r = try HTTPClient.chat(port: gw.port, stream: true, extra: #","max_tokens":3,"stream_options":{"include_usage":true}"#)
        #expect(r.status == 200)
        #expect(r.text.contains("\"usage\""))
    }

    @Test func embeddings_bodyPassesThroughUntouched() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let body = #"{"model":"text-embedding-3-small","input":["hello","world"],"encoding_format":"base64"}"#
        let viaGateway = try HTTPClient.request(port: gw.port, method: "POST", path: "/v1/embeddings", body: body)
        let direct = try HTTPClient.request(port: mock.port, method: "POST", path: "/v1/embeddings", body: body)
        #expect(viaGateway.status == 200)
        #expect(viaGateway.body == direct.body)
        let sent = try #require(try mock.receivedRequests().last?["body"] as? String)
        #expect(sent == body)
    }

    @Test func unknownModel_is404_modelNotFound() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let r = try HTTPClient.chat(port: gw.port, model: "no-such-model")
        #expect(r.status == 404)
        #expect(r.errorCode == "model_not_found")
        #expect(r.header("content-type") == "application/json")
        #expect(try mock.receivedRequests().isEmpty)
    }

    @Test func badBodies_getSpecErrors() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let invalid = try HTTPClient.request(port: gw.port, method: "POST", path: "/v1/chat/completions", body: #"{"model":"x",}"#)
        #expect(invalid.status == 400)
        #expect(invalid.errorCode == "invalid_json")
        let missing = try HTTPClient.request(port: gw.port, method: "POST", path: "/v1/chat/completions", body: #"{"messages":[]}"#)
        #expect(missing.status == 400)
        #expect(missing.errorCode == "missing_model")
        let header = try HTTPClient.request(port: gw.port, method: "POST", path: "/v1/chat/completions",
                                            headers: [("x-gateway-model-name", "gpt-4o-mini")], body: #"{"messages":[]}"#)
        #expect(header.status == 200)
        let wrongMethod = try HTTPClient.request(port: gw.port, method: "GET", path: "/v1/chat/completions")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.errorCode == "method_not_allowed")
        let unknownPath = try HTTPClient.request(port: gw.port, method: "GET", path: "/admin/config")
        #expect(unknownPath.status == 404)
        let gz = try HTTPClient.request(port: gw.port, method: "POST", path: "/v1/chat/completions",
                                        headers: [("Content-Encoding", "gzip")], body: "{}")
        #expect(gz.status == 415)
        #expect(gz.errorCode == "unsupported_content_encoding")
        let messages = try HTTPClient.request(port: gw.port, method: "POST", path: "/v1/messages", body: #"{"model":"nope"}"#)
        #expect(messages.status == 404)
        let anthropic = try messages.json()
        #expect(anthropic["type"] as? String == "error")
        #expect(try mock.receivedRequests().count == 1)
    }

    @Test func modelsList_comesFromRoutes() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let r = try HTTPClient.request(port: gw.port, method: "GET", path: "/v1/models")
        #expect(r.status == 200)
        let data = try #require(try r.json()["data"] as? [[String: Any]])
        let ids = data.compactMap { $0["id"] as? String }
        #expect(ids == ["llama-3.1-8b", "gpt-4o-mini", "text-embedding-3-small"])
    }
}
