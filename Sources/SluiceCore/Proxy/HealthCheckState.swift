/// The active health state of one endpoint (SPEC §2 `health_check`): healthy until
/// `unhealthy_after` checks in a row fail, then unhealthy until `healthy_after` checks in a row
/// pass. An endpoint starts healthy (a new endpoint takes traffic at once; a dead one is found
/// after `unhealthy_after` checks, the first of which runs immediately). Pure.
struct HealthCheckState: Equatable, Sendable {
    private(set) var healthy = true
    private(set) var passes = 0
    private(set) var failures = 0

    /// Records one check; returns the new health when it changed, else nil.
    mutating func record(passed: Bool, unhealthyAfter: Int, healthyAfter: Int) -> Bool? {
        if passed {
            failures = 0
            passes = passes < Int.max ? passes + 1 : passes
            if !healthy && passes >= healthyAfter {
                healthy = true
                return true
            }
        } else {
            passes = 0
            failures = failures < Int.max ? failures + 1 : failures
            if healthy && failures >= unhealthyAfter {
                healthy = false
                return false
            }
        }
        return nil
    }
}
