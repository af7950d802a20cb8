import Foundation
import Testing

/// `https://` backends: verification, host names, mTLS, credentials (SPEC §2, §3).
@Suite(.serialized) struct EgressTLSTests {
    static func config(port: Int, tls: String, credentials: Bool = true) -> String {
        """
        version: 1
        listen: {address: 127.0.0.1:0}
        admin: {address: 127.0.0.1:0}
        logging: {level: warn, access_log: off}
        auth:
          mode: api_key
          keys: [{name: client, tenant: t, value: "sk-client-key"}]
        backends:
          - name: egress
            endpoints: ["https://localhost:\(port)"]
            timeouts: {connect: 2s, first_byte: 5s}
            tls: \(tls)
        \(credentials ? "    credentials: {headers: {Authorization: \"Bearer ${PROVIDER_KEY}\"}}" : "")
        routes:
          - {name: gpt, models: ["gpt-*"], backends: [{backend: egress}]}
        """
    }

    static func chat(_ gw: GatewayServer) throws -> HTTPClient.Response {
        try HTTPClient.chat(port: gw.port, model: "gpt-4o-mini", headers: [("Authorization", "Bearer sk-client-key")])
    }

    @Test func verifiedUpstream_getsCredentials_andNeverTheClientKey() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        let up = try TLSUpstream(certs: certs)
        defer { up.stop() }
        let gw = try GatewayServer(yaml: Self.config(port: up.port, tls: "{ca_file: \"\(certs.caCert)\"}"),
                                   environment: ["PROVIDER_KEY": "sk-provider-secret"])
        defer { gw.stop() }
        let r = try Self.chat(gw)
        #expect(r.status == 200)
        #expect(r.text.contains("over tls"))
        // A second request reuses the pooled TLS connection.
        #expect(try Self.chat(gw).status == 200)
        let seen = up.requests()
        #expect(seen.count == 2)
        let h = try #require(seen.first?["headers"] as? [String: String])
        #expect(h["authorization"] == "Bearer sk-provider-secret")
        let sentBody = seen.first?["body"] as? String ?? ""
        #expect(sentBody.contains("sk-client-key") == false)
        #expect(h.values.contains { $0.contains("sk-client-key") } == false)
        #expect(h["host"] == "localhost:\(up.port)")
        let config = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/config").text
        #expect(!config.contains("sk-provider-secret"))
    }

    @Test func wrongCA_is502_andNothingIsSent() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        let up = try TLSUpstream(certs: certs)
        defer { up.stop() }
        let gw = try GatewayServer(yaml: Self.config(port: up.port, tls: "{ca_file: \"\(certs.otherCACert)\"}"),
                                   environment: ["PROVIDER_KEY": "x"])
        defer { gw.stop() }
        let r = try Self.chat(gw)
        #expect(r.status == 502)
        #expect(r.errorCode == "upstream_unavailable")
        #expect(up.requests().isEmpty)
    }

    @Test func wrongHostName_is502() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        let up = try TLSUpstream(certs: certs)
        defer { up.stop() }
        let gw = try GatewayServer(yaml: Self.config(port: up.port, tls: "{ca_file: \"\(certs.caCert)\", sni: api.example.com}"),
                                   environment: ["PROVIDER_KEY": "x"])
        defer { gw.stop() }
        #expect(try Self.chat(gw).status == 502)
        #expect(up.requests().isEmpty)
    }

    @Test func mutualTLS_requiredAndGiven_passes_missing_fails() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        let up = try TLSUpstream(certs: certs, requireClientCert: true)
        defer { up.stop() }
        let without = try GatewayServer(yaml: Self.config(port: up.port, tls: "{ca_file: \"\(certs.caCert)\"}"),
                                        environment: ["PROVIDER_KEY": "x"])
        defer { without.stop() }
        #expect(try Self.chat(without).status == 502)
        let with = try GatewayServer(yaml: Self.config(port: up.port, tls: """
            {ca_file: "\(certs.caCert)", client_cert_file: "\(certs.clientCert)", client_key_file: "\(certs.clientKey)"}
            """), environment: ["PROVIDER_KEY": "x"])
        defer { with.stop() }
        #expect(try Self.chat(with).status == 200)
    }
}
