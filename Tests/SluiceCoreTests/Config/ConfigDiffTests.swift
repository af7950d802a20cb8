import Testing
@testable import SluiceCore

@Suite struct ConfigDiffTests {
    private func config(_ yaml: String) throws -> GatewayConfig { try #require(ConfigTestSupport.config(yaml)) }

    @Test func identicalConfigs_needNoRestart() throws {
        let a = try config(ConfigTestSupport.minimal)
        #expect(ConfigDiff.restartRequired(old: a, new: a).isEmpty)
    }

    @Test func listenAdminAndWorkers_changes_areListed() throws {
        let a = try config(ConfigTestSupport.minimal)
        let b = try config(ConfigTestSupport.minimal
            .replacing("127.0.0.1:8080", with: "127.0.0.1:8081")
            .replacing("127.0.0.1:9901", with: "127.0.0.1:9902") + "server: {workers: 2}\n")
        #expect(ConfigDiff.restartRequired(old: a, new: b) == ["listen", "admin", "server.workers"])
    }

    @Test func listenTLS_changes_areLive_butTheListenAddressIsNot() throws {
        let files = ["/a.crt", "/a.key", "/b.crt", "/b.key"]
        let plain = try config(ConfigTestSupport.minimal)
        func tls(_ name: String, port: Int = 8080) throws -> GatewayConfig {
            try #require(ConfigTestSupport.config(ConfigTestSupport.minimal.replacing(
                "listen: {address: 127.0.0.1:8080}",
                with: "listen: {address: 127.0.0.1:\(port), tls: {cert_file: /\(name).crt, key_file: /\(name).key}}"), files: files))
        }
        #expect(ConfigDiff.restartRequired(old: plain, new: try tls("a")).isEmpty)
        #expect(ConfigDiff.restartRequired(old: try tls("a"), new: try tls("b")).isEmpty)
        #expect(ConfigDiff.restartRequired(old: try tls("a"), new: plain).isEmpty)
        #expect(ConfigDiff.restartRequired(old: try tls("a"), new: try tls("a", port: 8443)) == ["listen"])
    }

    @Test func liveChanges_needNoRestart() throws {
        let a = try config(ConfigTestSupport.minimal)
        let b = try config(ConfigTestSupport.minimal.replacing("models: [\"*\"]", with: "models: [\"x-*\"]")
            .replacing("admin: {address: 127.0.0.1:9901}", with: "admin: {address: 127.0.0.1:9901, token: t}") + "server: {max_connections: 5}\n")
        #expect(ConfigDiff.restartRequired(old: a, new: b).isEmpty)
    }
}
