/// Resolves a model name to a route: routes are tried in config order and the first whose
/// patterns (exact names or globs) match wins (SPEC §2). Built once per config generation.
struct RouteTable: Sendable {
    struct Entry: Sendable {
        var index: Int
        var patterns: [Glob]
    }

    private let entries: [Entry]
    /// Exact names mapped to the first route that lists them, for the common case without globs
    /// before them.
    private let exactFirst: [String: Int]

    /// `routes`: each route's model patterns, in config order.
    init(routes: [[String]]) {
        var entries: [Entry] = []
        var exact: [String: Int] = [:]
        var sawGlob = false
        for (i, patterns) in routes.enumerated() {
            let globs = patterns.map(Glob.init)
            entries.append(Entry(index: i, patterns: globs))
            for g in globs {
                if g.isLiteral {
                    // Valid only while no earlier glob could have claimed the name first.
                    if !sawGlob, exact[String(decoding: g.pattern, as: UTF8.self)] == nil {
                        exact[String(decoding: g.pattern, as: UTF8.self)] = i
                    }
                } else {
                    sawGlob = true
                }
            }
        }
        self.entries = entries
        self.exactFirst = exact
    }

    /// Index of the route serving `model`, or nil (404 model_not_found).
    func route(for model: String) -> Int? {
        if let i = exactFirst[model] { return i }
        var m = model
        return m.withUTF8 { buf -> Int? in
            let raw = UnsafeRawBufferPointer(buf)
            for e in entries where e.patterns.contains(where: { $0.matches(raw) }) { return e.index }
            return nil
        }
    }
}
