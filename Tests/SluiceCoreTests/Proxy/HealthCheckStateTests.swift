import Testing
@testable import SluiceCore

/// The active health state machine (`health_check: unhealthy_after, healthy_after`).
@Suite struct HealthCheckStateTests {
    @Test func startsHealthy_andTurnsUnhealthyAfterThatManyFailuresInARow() {
        var s = HealthCheckState()
        #expect(s.healthy)
        #expect(s.record(passed: false, unhealthyAfter: 3, healthyAfter: 2) == nil)
        #expect(s.record(passed: false, unhealthyAfter: 3, healthyAfter: 2) == nil)
        #expect(s.record(passed: false, unhealthyAfter: 3, healthyAfter: 2) == false)
        #expect(!s.healthy)
        // Further failures report no change.
        #expect(s.record(passed: false, unhealthyAfter: 3, healthyAfter: 2) == nil)
    }

    @Test func aPassBetweenFailures_restartsTheCount() {
        var s = HealthCheckState()
        _ = s.record(passed: false, unhealthyAfter: 2, healthyAfter: 2)
        _ = s.record(passed: true, unhealthyAfter: 2, healthyAfter: 2)
        #expect(s.record(passed: false, unhealthyAfter: 2, healthyAfter: 2) == nil)
        #expect(s.healthy)
        #expect(s.record(passed: false, unhealthyAfter: 2, healthyAfter: 2) == false)
    }

    @Test func turnsHealthyAgainAfterThatManyPassesInARow() {
        var s = HealthCheckState()
        _ = s.record(passed: false, unhealthyAfter: 1, healthyAfter: 3)
        #expect(!s.healthy)
        #expect(s.record(passed: true, unhealthyAfter: 1, healthyAfter: 3) == nil)
        #expect(s.record(passed: true, unhealthyAfter: 1, healthyAfter: 3) == nil)
        // A failure in between: the passes count again from zero.
        #expect(s.record(passed: false, unhealthyAfter: 1, healthyAfter: 3) == nil)
        #expect(s.record(passed: true, unhealthyAfter: 1, healthyAfter: 3) == nil)
        #expect(s.record(passed: true, unhealthyAfter: 1, healthyAfter: 3) == nil)
        #expect(s.record(passed: true, unhealthyAfter: 1, healthyAfter: 3) == true)
        #expect(s.healthy)
    }

    @Test func passesWhileHealthy_reportNoChange() {
        var s = HealthCheckState()
        for _ in 0..<5 { #expect(s.record(passed: true, unhealthyAfter: 1, healthyAfter: 1) == nil) }
    }
}
