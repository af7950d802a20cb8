/// The kinds the hand-written matchers find (PII and secrets), with their finding names.
enum GuardrailBuiltinKind: Int, Sendable, CaseIterable {
    case email, phone, creditCard, ssn, iban, ipv4, apiKey, privateKey, jwt

    /// `GuardrailFinding.kind`.
    var name: String {
        switch self {
        case .email: "EMAIL"
        case .phone: "PHONE"
        case .creditCard: "CREDIT_CARD"
        case .ssn: "SSN"
        case .iban: "IBAN"
        case .ipv4: "IPV4"
        case .apiKey: "API_KEY"
        case .privateKey: "PRIVATE_KEY"
        case .jwt: "JWT"
        }
    }

    /// `GuardrailFinding.detector`.
    var detector: String {
        switch self {
        case .apiKey, .privateKey, .jwt: "secrets"
        default: "pii"
        }
    }

    /// The kind of a configured PII kind.
    init(_ k: DetectorConfig.PIIKind) {
        switch k {
        case .email: self = .email
        case .phone: self = .phone
        case .creditCard: self = .creditCard
        case .ssn: self = .ssn
        case .iban: self = .iban
        case .ipv4: self = .ipv4
        }
    }
}
