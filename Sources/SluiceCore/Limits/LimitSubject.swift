/// What the limiter needs to know about a request to find its buckets. Built once per request by the
/// proxy after authentication and routing.
struct LimitSubject: Sendable {
    /// The tenant (from the API key's config, or `auth.tenant_header` with auth mode none).
    var tenant: String?
    /// The API key's config `name` — never the raw key.
    var apiKeyName: String?
    /// The client address as decided by `server.trusted_proxies`.
    var clientIP: String?
    /// The model the client asked for.
    var model: String?
    /// The name of the route the request took.
    var route: String?
    /// Request headers referenced by `header:<name>` key parts, names lower-cased.
    var headers: [String: String]

    init(tenant: String? = nil, apiKeyName: String? = nil, clientIP: String? = nil, model: String? = nil,
         route: String? = nil, headers: [String: String] = [:]) {
        self.tenant = tenant
        self.apiKeyName = apiKeyName
        self.clientIP = clientIP
        self.model = model
        self.route = route
        self.headers = headers
    }
}

/// A request's estimated cost at admission (SPEC §5 step 1).
struct LimitCost: Sendable, Equatable {
    /// Estimated prompt tokens.
    var inputTokens: Int
    /// Output tokens to reserve (max_tokens or the default, already capped).
    var outputTokens: Int
    /// Embeddings reserve and are charged no output tokens.
    var isEmbeddings: Bool

    init(inputTokens: Int, outputTokens: Int, isEmbeddings: Bool = false) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.isEmbeddings = isEmbeddings
    }
}
