/// The ordered payload-processor pipeline of one config generation (SPEC §4).
///
/// ```
///            request hooks, config order                      response hooks, reverse order
///   client ─▶ P0 ─▶ P1 (router) ─▶ P2 ─▶ … ─▶ limiter ─▶ upstream ─▶ … ─▶ P2 ─▶ P1 ─▶ P0 ─▶ client
///                              │ answer (block, cache hit)
///                              └──────────▶ response hooks of P1, P0 only ─▶ client
/// ```
/// A processor returns an explicit `ProcessorDecision` (continue, answer, call a webhook, wait for
/// a coalesced cache leader, fail), never a Bool. The first answer stops the request chain.
/// A failing processor under `fail_open` is skipped and counted; under `fail_closed` the request
/// gets 503 `processor_unavailable`. Processors before the `model_router` see no route.
/// Built once per config generation; immutable and shared by every loop. The proxy
/// (`ProxyExchange+Pipeline`) drives it and performs the I/O the decisions ask for.
final class Pipeline: Sendable {
    let processors: [any Processor]
    /// Index of the model_router.
    let routerPosition: Int
    /// True when some processor has a response hook (else responses skip the pipeline).
    let hasResponseHooks: Bool
    /// True when some processor filters streamed responses.
    let hasStreamFilters: Bool

    init(processors: [any Processor]) {
        self.processors = processors
        routerPosition = processors.firstIndex { $0 is ModelRouterProcessor } ?? 0
        hasResponseHooks = processors.contains { $0.hasResponseHook }
        hasStreamFilters = processors.contains { $0.filtersStreams }
    }

    /// The default pipeline: just the router.
    static func routerOnly(_ router: ModelRouterProcessor) -> Pipeline { Pipeline(processors: [router]) }
}
