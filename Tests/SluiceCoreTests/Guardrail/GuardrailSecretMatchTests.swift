import Testing
@testable import SluiceCore

private typealias K = GuardrailTestKit

@Suite struct GuardrailSecretMatchTests {
    @Test(arguments: ["sk-abcdefghijklmnopqrstuvwxyz012345", "sk-proj-AbCdEf_GhIjKl-MnOpQrStUv1234",
                      "AKIAIOSFODNN7EXAMPLE", "ghp_0123456789abcdefghijABCDEFGHIJ012345",
                      "gho_0123456789abcdefghijABCDEFGHIJ012345", "ghs_0123456789abcdefghijABCDEFGHIJ012345",
                      "ghu_0123456789abcdefghijABCDEFGHIJ012345", "xoxb-123456789012-abcdefABCDEF",
                      "xoxp-1234-5678-abcdef1234"])
    func apiKey_valid_matches(_ s: String) {
        #expect(K.texts(K.secrets, "key=\(s) end", kind: "API_KEY") == [s])
    }

    @Test(arguments: ["sk-short", "ask-abcdefghijklmnopqrstuvwxyz", "AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLEX",
                      "ghp_short", "ghx_0123456789abcdefghijABCDEFGHIJ012345", "xoxz-123456789012-abcdef",
                      "xoxb-123", "task-list-item-number-one-two-three"])
    func apiKey_nearMiss_noMatch(_ s: String) {
        #expect(K.texts(K.secrets, "value \(s) end", kind: "API_KEY").isEmpty)
    }

    @Test func jwt_threeSegments_matches() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
        #expect(K.texts(K.secrets, "Bearer \(jwt)", kind: "JWT") == [jwt])
    }

    @Test func jwt_unsigned_matches() {
        let jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."
        #expect(K.texts(K.secrets, "t=\(jwt) ", kind: "JWT") == [jwt])
    }

    @Test(arguments: ["eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.abc", "eyJ.abc.def", "keyJhbGciOiJIUzI1NiJ9.eyJzdWIi.x"])
    func jwt_nearMiss_noMatch(_ s: String) {
        #expect(K.texts(K.secrets, "t \(s) x", kind: "JWT").isEmpty)
    }

    @Test func privateKey_block_matchesWholeBlock() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234\nabcd+/==\n-----END RSA PRIVATE KEY-----"
        #expect(K.texts(K.secrets, "here:\n\(pem)\nthanks", kind: "PRIVATE_KEY") == [pem])
    }

    @Test func privateKey_plainAndOpenSSH_match() {
        let a = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"
        let b = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----"
        #expect(K.texts(K.secrets, a, kind: "PRIVATE_KEY") == [a])
        #expect(K.texts(K.secrets, b, kind: "PRIVATE_KEY") == [b])
    }

    @Test func privateKey_truncated_matchesHeaderAndBody() {
        let text = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrY\nxyz= and more"
        #expect(K.texts(K.secrets, text, kind: "PRIVATE_KEY") == ["-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrY\nxyz="])
    }

    @Test func publicKeyOrCertificate_noMatch() {
        #expect(K.texts(K.secrets, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", kind: "PRIVATE_KEY").isEmpty)
        #expect(K.texts(K.secrets, "-----BEGIN CERTIFICATE-----\nAAAA", kind: "PRIVATE_KEY").isEmpty)
    }
}
