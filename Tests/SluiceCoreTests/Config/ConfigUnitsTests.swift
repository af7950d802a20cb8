import Testing
@testable import SluiceCore

@Suite struct ConfigUnitsTests {
    @Test func durations_parse() {
        #expect(ConfigUnits.parseDuration("250ms") == .milliseconds(250))
        #expect(ConfigUnits.parseDuration("2s") == .seconds(2))
        #expect(ConfigUnits.parseDuration("5m") == .seconds(300))
        #expect(ConfigUnits.parseDuration("1h") == .seconds(3600))
        #expect(ConfigUnits.parseDuration("1m30s") == .seconds(90))
        #expect(ConfigUnits.parseDuration("1.5s") == .milliseconds(1500))
        #expect(ConfigUnits.parseDuration("0s") == .zero)
    }

    @Test func badDurations_areRejected() {
        for bad in ["", "10", "s", "2 s", "2sec", "-1s", "1.s", "2d", "1s2", "99999999999999999999h"] {
            #expect(ConfigUnits.parseDuration(bad) == nil, "\(bad)")
        }
    }

    @Test func sizes_parse() {
        #expect(ConfigUnits.parseSize("512") == 512)
        #expect(ConfigUnits.parseSize("64KiB") == 65536)
        #expect(ConfigUnits.parseSize("2MiB") == 2 * 1024 * 1024)
        #expect(ConfigUnits.parseSize("1GiB") == 1 << 30)
        #expect(ConfigUnits.parseSize("1Mi") == 1 << 20)
        #expect(ConfigUnits.parseSize("2KB") == 2000)
        #expect(ConfigUnits.parseSize("3MB") == 3_000_000)
    }

    @Test func badSizes_areRejected() {
        for bad in ["", "KiB", "1.5MiB", "-1", "2 MiB", "1TiB", "1kib", "99999999999999999999GiB"] {
            #expect(ConfigUnits.parseSize(bad) == nil, "\(bad)")
        }
    }

    @Test func format_roundTrips() {
        #expect(ConfigUnits.format(.milliseconds(250)) == "250ms")
        #expect(ConfigUnits.format(.seconds(90)) == "1m30s")
        #expect(ConfigUnits.format(.seconds(3600)) == "1h")
        #expect(ConfigUnits.format(.zero) == "0s")
        #expect(ConfigUnits.formatSize(2 * 1024 * 1024) == "2MiB")
        #expect(ConfigUnits.formatSize(1000) == "1000")
    }

    @Test func durationField_bareInteger_isRejectedWithUnitHint() {
        let errors = ConfigTestSupport.errors(ConfigTestSupport.withMinimal("server:\n  header_timeout: 10\n"))
        #expect(errors.count == 1)
        #expect(errors.first?.line == 12 && errors.first?.column == 19)
        #expect(errors.first?.message.contains("needs a unit") == true)
    }

    @Test func sizeField_badUnit_isRejectedNamingExpectedType() {
        let errors = ConfigTestSupport.errors(ConfigTestSupport.withMinimal("server:\n  max_body_bytes: 2MegaBytes\n"))
        #expect(errors.first?.message.contains("must be a size") == true)
    }
}
