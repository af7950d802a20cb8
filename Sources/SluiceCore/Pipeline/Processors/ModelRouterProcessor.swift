/// `model_router`: resolves the route from the model name (SPEC §3). Routes are matched in
/// config order, exact names or globs; no route is 404 `model_not_found`.
final class ModelRouterProcessor: Processor {
    let name: String
    let failureMode: ProcessorFailureMode
    let table: RouteTable
    let routeNames: [String]
    /// The model the first primary target of each route sends upstream (nil: unchanged).
    let firstTargetModels: [String?]

    var typeName: String { "model_router" }

    init(name: String, failureMode: ProcessorFailureMode, routes: [RouteConfig]) {
        self.name = name
        self.failureMode = failureMode
        table = RouteTable(routes: routes.map(\.models))
        routeNames = routes.map(\.name)
        firstTargetModels = routes.map { $0.backends.first?.model }
    }

    func handleRequest(_ r: inout PipelineRequest, scratch: inout ProcessorScratch, env: PipelineEnvironment) -> ProcessorDecision {
        guard let i = table.route(for: r.model) else { return .reject(.modelNotFound(r.model)) }
        r.routeIndex = i
        r.routeName = routeNames[i]
        r.upstreamModel = firstTargetModels[i] ?? r.model
        return .proceed
    }

    func explain(_ r: inout PipelineRequest, env: PipelineEnvironment) -> ProcessorVerdict {
        guard let i = table.route(for: r.model) else {
            return ProcessorVerdict(processor: name, type: typeName, verdict: "reject", detail: "no route for model '\(r.model)'")
        }
        r.routeIndex = i
        r.routeName = routeNames[i]
        r.upstreamModel = firstTargetModels[i] ?? r.model
        return ProcessorVerdict(processor: name, type: typeName, verdict: "continue", detail: "route '\(routeNames[i])'")
    }
}
