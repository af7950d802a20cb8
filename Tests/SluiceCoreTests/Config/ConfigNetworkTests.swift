import Testing
@testable import SluiceCore

@Suite struct ConfigNetworkTests {
    @Test func socketAddress_parsesHostPortForms() throws {
        #expect(try SocketAddressConfig.parse("127.0.0.1:8080").get() == SocketAddressConfig(host: "127.0.0.1", port: 8080))
        #expect(try SocketAddressConfig.parse("[::1]:0").get() == SocketAddressConfig(host: "::1", port: 0))
        #expect(try SocketAddressConfig.parse("redis.platform.svc:6379").get().host == "redis.platform.svc")
        #expect(try SocketAddressConfig.parse("[::1]:9").get().description == "[::1]:9")
    }

    @Test func socketAddress_rejectsBadForms() {
        for bad in ["127.0.0.1", "127.0.0.1:65536", ":80", "::1:80", "[::1]80", "host:-1", "ho st:1", "[zz]:1", "h:"] {
            if case .success = SocketAddressConfig.parse(bad) { Issue.record("accepted \(bad)") }
        }
    }

    @Test func socketAddress_loopbackDetection() {
        #expect(SocketAddressConfig(host: "127.0.0.1", port: 1).isLoopback)
        #expect(SocketAddressConfig(host: "::1", port: 1).isLoopback)
        #expect(SocketAddressConfig(host: "localhost", port: 1).isLoopback)
        #expect(!SocketAddressConfig(host: "0.0.0.0", port: 1).isLoopback)
    }

    @Test func endpointURL_parsesWithDefaultsAndPrefix() throws {
        let a = try EndpointURL.parse("http://vllm-0.vllm:8000").get()
        #expect(a == EndpointURL(scheme: .http, host: "vllm-0.vllm", port: 8000, path: ""))
        let b = try EndpointURL.parse("https://api.openai.com").get()
        #expect(b.port == 443 && b.usesTLS && b.hostHeader == "api.openai.com")
        let c = try EndpointURL.parse("https://x.example/openai/v1/").get()
        #expect(c.path == "/openai/v1")
        let d = try EndpointURL.parse("http://[::1]:81").get()
        #expect(d.host == "::1" && d.port == 81 && d.hostHeader == "[::1]:81")
        #expect(try EndpointURL.parse("http://h").get().port == 80)
    }

    @Test func endpointURL_rejectsBadForms() {
        for bad in ["ftp://h", "h:80", "http://", "http://h:99999", "http://u@h", "http://h/x?y=1", "http://h:x"] {
            if case .success = EndpointURL.parse(bad) { Issue.record("accepted \(bad)") }
        }
    }

    @Test func cidr_parsesAndMatches() throws {
        let net = try #require(CIDRConfig.parse("10.1.2.3/8"))
        #expect(net.network == [10, 0, 0, 0] && net.prefixLength == 8)
        #expect(net.contains([10, 200, 1, 1]))
        #expect(!net.contains([11, 0, 0, 1]))
        let v6 = try #require(CIDRConfig.parse("fd00::/8"))
        #expect(v6.contains(try #require(ConfigIPAddress.parseIPv6("fd12::1"))))
        #expect(CIDRConfig.parse("192.168.0.1")?.prefixLength == 32)
        #expect(CIDRConfig.parse("10.0.0.0/33") == nil)
        #expect(CIDRConfig.parse("10.0.0/8") == nil)
    }

    @Test func ipv6_parsesCompressedAndEmbeddedV4() {
        #expect(ConfigIPAddress.parseIPv6("::") == [UInt8](repeating: 0, count: 16))
        #expect(ConfigIPAddress.parseIPv6("::ffff:1.2.3.4")?.suffix(4) == [1, 2, 3, 4])
        #expect(ConfigIPAddress.parseIPv6("1:2:3:4:5:6:7:8")?.count == 16)
        #expect(ConfigIPAddress.parseIPv6("1::2::3") == nil)
        #expect(ConfigIPAddress.parseIPv6("12345::") == nil)
    }
}
