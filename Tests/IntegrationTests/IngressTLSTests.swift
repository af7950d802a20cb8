import Foundation
import Testing

/// TLS termination on the data listener (`listen.tls`, SPEC §2): the same HTTP/1.1 behaviour over
/// TLS, handshake limits, plaintext on the TLS port, certificate rotation on reload.
@Suite(.serialized) struct IngressTLSTests {
    /// The basic config with `listen.tls` on `cert`/`key`.
    static func config(cert: String, key: String, extra: String = "") -> String {
        GatewayServer.basicConfig(extra: extra).replacingOccurrences(
            of: "listen: {address: 127.0.0.1:0}",
            with: "listen: {address: 127.0.0.1:0, tls: {cert_file: \"\(cert)\", key_file: \"\(key)\"}}")
    }

    /// sluice-mock and a TLS gateway in front of it; `body` runs with both and stops them after.
    static func withGateway(_ certs: TestCertificates, extra: String = "",
                            _ body: (GatewayServer, MockServer) throws -> Void) throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: config(cert: certs.serverCert, key: certs.serverKey, extra: extra), mockPort: mock.port)
        defer { gw.stop() }
        try body(gw, mock)
    }

    static func statuses(_ lines: [[String: Any]]) -> [Int] { lines.compactMap { $0["status"] as? Int } }

    @Test func chat_overTLS_plainAndStreamed_forwardsProtoHTTPS() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        try Self.withGateway(certs) { gw, mock in
            let plain = try Curl.chat(port: gw.port, ca: certs.caCert)
            #expect(plain.status == 0, "\(plain.stderr)")
            #expect(plain.stdout.contains(#""object":"chat.completion""#))
            let stream = try Curl.chat(port: gw.port, ca: certs.caCert, stream: true)
            #expect(stream.status == 0, "\(stream.stderr)")
            #expect(stream.stdout.contains("chat.completion.chunk"))
            #expect(stream.stdout.hasSuffix("data: [DONE]\n\n"))
            let seen = try mock.receivedRequests()
            let headers = seen.last?["headers"] as? [String: Any] ?? [:]
            let proto = headers.first { $0.key.lowercased() == "x-forwarded-proto" }?.value as? String
            #expect(proto == "https")
        }
    }

    @Test func keepAlive_requestsShareOneConnection_withALPN() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        try Self.withGateway(certs) { gw, _ in
            let url = "https://localhost:\(gw.port)/v1/models"
            let r = try Curl.run(["--cacert", certs.caCert, "-v", "-o", "/dev/null", "-o", "/dev/null",
                                  "-w", "%{http_code}:%{num_connects} ", url, url])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout == "200:1 200:0 ")
            #expect(r.stderr.contains("Re-using existing connection"))
            #expect(r.stderr.contains("ALPN: server accepted http/1.1"))
            let lines = try TLSClientFixture.run(port: gw.port, ca: certs.caCert, ["--sequential", "3"])
            #expect(lines.first?["alpn"] as? String == "http/1.1")
            #expect(lines.first?["version"] as? String == "TLSv1.3")
            #expect(Self.statuses(lines) == [200, 200, 200])
            #expect(lines.compactMap { $0["request_id"] as? String } == ["r1", "r2", "r3"])
        }
    }

    @Test func pipelining_beyondTheReadBuffer_isAnsweredInOrder() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        try Self.withGateway(certs) { gw, _ in
            // ~70 KB of requests in one write: more than the 16 KiB read buffer, so the gateway stops
            // reading while OpenSSL still holds decrypted bytes, and must resume without epoll.
            let lines = try TLSClientFixture.run(port: gw.port, ca: certs.caCert, ["--pipeline", "60", "--pad", "1100"])
            #expect(Self.statuses(lines) == Array(repeating: 200, count: 60), "\(lines.last ?? [:])")
            #expect(lines.compactMap { $0["request_id"] as? String } == (1...60).map { "r\($0)" })
        }
    }

    @Test func longStream_toASlowReader_arrivesWhole_andTheConnectionIsReused() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        try Self.withGateway(certs) { gw, _ in
            // Megabytes of events while the client does not read: backpressure holds the stream.
            let lines = try TLSClientFixture.run(port: gw.port, ca: certs.caCert,
                                                 ["--sequential", "2", "--stream", "20000", "--slow", "1"])
            let answers = lines.filter { $0["status"] != nil }
            #expect(answers.count == 2, "\(lines.last ?? [:])")
            for a in answers {
                #expect(a["status"] as? Int == 200)
                #expect((a["events"] as? Int ?? 0) >= 20000)
                #expect(a["done"] as? Bool == true)
            }
        }
    }

    @Test func plainHTTP_onTheTLSPort_gets400AndIsClosed() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        try Self.withGateway(certs) { gw, _ in
            let c = try RawConnection(port: gw.port, timeout: 5)
            try c.send("GET /v1/models HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let answer = String(decoding: try c.readToEOF(), as: UTF8.self)
            #expect(answer.hasPrefix("HTTP/1.1 400 "))
            #expect(answer.contains("plain HTTP request sent to the HTTPS port"))
            #expect(answer.lowercased().contains("connection: close"))
            // The gateway is unharmed.
            #expect(try Curl.chat(port: gw.port, ca: certs.caCert).status == 0)
        }
    }

    @Test func clientThatNeverHandshakes_isCutAtHeaderTimeout() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        try Self.withGateway(certs, extra: "server: {header_timeout: 1s}") { gw, _ in
            let silent = try RawConnection(port: gw.port, timeout: 6)
            // A second client stalls inside its handshake: a record header, then nothing.
            let stalled = try RawConnection(port: gw.port, timeout: 6)
            try stalled.send([0x16, 0x03, 0x01])
            let start = Date()
            #expect(try silent.readToEOF().isEmpty)
            #expect(try stalled.readToEOF().isEmpty)
            let elapsed = Date().timeIntervalSince(start)
            #expect(elapsed > 0.7 && elapsed < 4, "cut after \(elapsed)s")
            #expect(try Curl.chat(port: gw.port, ca: certs.caCert).status == 0)
        }
    }

    @Test func clientTrustingAnotherCA_refusesTheCertificate() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        try Self.withGateway(certs) { gw, _ in
            let r = try Curl.chat(port: gw.port, ca: certs.otherCACert)
            #expect(r.status == 60, "\(r.stderr)")   // CURLE_PEER_FAILED_VERIFICATION
            #expect(try Curl.chat(port: gw.port, ca: certs.caCert).status == 0)
        }
    }

    @Test func reload_rotatesTheCertificate_forNewConnections_heldOnesKeepWorking() throws {
        let first = try TestCertificates.make()
        defer { first.remove() }
        let second = try TestCertificates.make()
        defer { second.remove() }
        // The gateway reads fixed paths (as from a mounted Secret); rotation replaces their content.
        let dir = first.dir + "/live"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let cert = dir + "/tls.crt"
        let key = dir + "/tls.key"
        func install(_ c: TestCertificates) throws {
            for (from, to) in [(c.serverCert, cert), (c.serverKey, key)] {
                try? FileManager.default.removeItem(atPath: to)
                try FileManager.default.copyItem(atPath: from, toPath: to)
            }
        }
        try install(first)
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(cert: cert, key: key), mockPort: mock.port)
        defer { gw.stop() }
        let held = try TLSClientFixture(port: gw.port, ca: first.caCert, ["--sequential", "1", "--hold"])
        defer { held.stop() }
        try held.waitFor("held")

        // A certificate that does not load: 400 naming the line, the old one stays in service.
        try "not a certificate\n".write(toFile: cert, atomically: false, encoding: .utf8)
        let bad = try HTTPClient.request(port: gw.adminPort, method: "POST", path: "/reload")
        #expect(bad.status == 400)
        let errors = (try? bad.json())?["errors"] as? [String] ?? []
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("\(gw.configPath):2:") == true, "\(errors)")
        #expect(errors.first?.contains("listen.tls: cannot load certificate chain \(cert)") == true, "\(errors)")
        #expect(try Curl.chat(port: gw.port, ca: first.caCert).status == 0)

        try install(second)
        let ok = try HTTPClient.request(port: gw.adminPort, method: "POST", path: "/reload")
        #expect(ok.status == 200)
        #expect((try ok.json())["restart_required"] as? [String] == [])
        #expect(try Curl.chat(port: gw.port, ca: second.caCert).status == 0)
        #expect(try Curl.chat(port: gw.port, ca: first.caCert).status == 60)

        held.proceed()
        let lines = try held.finish()
        #expect(Self.statuses(lines) == [200, 200], "\(lines)")
    }

    @Test func check_reportsAKeyThatDoesNotMatch_atItsLine() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        let path = certs.dir + "/sluice.yaml"
        try Self.config(cert: certs.serverCert, key: certs.clientKey).replacingOccurrences(of: "{MOCK}", with: "127.0.0.1:9")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let r = try runCommand(Binaries.sluice, ["--config", path, "--check"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(path):2:"), "\(r.stderr)")
        #expect(r.stderr.contains("listen.tls: cannot load private key \(certs.clientKey)"), "\(r.stderr)")
    }
}
