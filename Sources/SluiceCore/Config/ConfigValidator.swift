/// Cross-checks between sections that single-field decoding cannot see: unique names,
/// references to backends and routes, pipeline shape, cluster requirements.
enum ConfigValidator {
    /// Reports every problem into `d`; `pipelineWritten` is false when the default pipeline
    /// applies (which is valid by construction).
    static func validate(_ c: GatewayConfig, _ d: inout ConfigDecoder, pipelineWritten: Bool) {
        checkUnique(c.backends.map { ($0.name, $0.location) }, what: "backend", &d)
        checkUnique(c.routes.map { ($0.name, $0.location) }, what: "route", &d)
        checkUnique(c.pipeline.map { ($0.name, $0.location) }, what: "processor", &d)
        checkUnique(c.rateLimits.map { ($0.name, $0.location) }, what: "rate limit", &d)
        checkUnique(c.auth.keys.map { ($0.name, $0.location) }, what: "auth key", &d)

        let backendNames = Set(c.backends.map(\.name))
        for route in c.routes {
            for target in route.backends where !backendNames.contains(target.backend) {
                d.report("route '\(route.name)' names unknown backend '\(target.backend)'\(ConfigKeySuggester.hint(for: target.backend, among: Array(backendNames)))", at: target.location)
            }
            for target in route.fallbacks where !backendNames.contains(target.backend) {
                d.report("route '\(route.name)' has unknown fallback backend '\(target.backend)'\(ConfigKeySuggester.hint(for: target.backend, among: Array(backendNames)))", at: target.location)
            }
        }
        if pipelineWritten { validatePipeline(c.pipeline, &d) }
        let routeNames = Set(c.routes.map(\.name))
        for limit in c.rateLimits {
            for r in limit.match?.routes ?? [] where !routeNames.contains(r) {
                d.report("rate limit '\(limit.name)' matches unknown route '\(r)'", at: limit.location)
            }
            if limit.scope == .global, c.cluster == nil {
                d.report("rate limit '\(limit.name)' has scope: global, which needs cluster.redis", at: limit.location)
            }
        }
        for p in c.pipeline {
            if case .promptCache(let cache) = p.kind, cache.shared, c.cluster == nil {
                d.report("processor '\(p.name)' has shared: true, which needs cluster.redis", at: p.location)
            }
        }
    }

    private static func validatePipeline(_ pipeline: [ProcessorConfig], _ d: inout ConfigDecoder) {
        let routers = pipeline.enumerated().filter { if case .modelRouter = $0.element.kind { return true } else { return false } }
        if routers.isEmpty, let first = pipeline.first {
            d.report("the pipeline needs exactly one processor of type model_router, found none", at: first.location)
        }
        for extra in routers.dropFirst() {
            d.report("the pipeline needs exactly one model_router; '\(extra.element.name)' is a second one", at: extra.element.location)
        }
        guard let routerIndex = routers.first?.offset else { return }
        for (i, p) in pipeline.enumerated() where i < routerIndex {
            if case .promptCache = p.kind {
                d.report("prompt_cache '\(p.name)' must come after the model_router (its key needs the route)", at: p.location)
            }
        }
    }

    private static func checkUnique(_ items: [(String, ConfigLocation)], what: String, _ d: inout ConfigDecoder) {
        var seen: [String: ConfigLocation] = [:]
        for (name, location) in items where !name.isEmpty {
            if let first = seen[name] {
                d.report("duplicate \(what) name '\(name)' (first defined at line \(first.line))", at: location)
            } else {
                seen[name] = location
            }
        }
    }
}
