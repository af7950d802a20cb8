/// The `sluice-mock` command line (SPEC §1, §9). Its `main.swift` only calls into here, so the
/// mock is compiled with the module it is built on (and needs no `@testable` import).
public enum SluiceMock {
    public static func blockSignals() -> Int32 { Gateway.blockSignals() }

    /// Runs the command line; returns the exit status.
    public static func main(arguments: [String], signalFD: Int32) -> Int32 {
        switch MockArguments.parse(arguments) {
        case .help:
            print(MockArguments.usage)
            return 0
        case .invalid(let reason):
            Logger.announce("sluice-mock: \(reason) (\(MockArguments.usage))")
            return 2
        case .run(let parsed):
            return MockServer.run(parsed, signalFD: signalFD)
        }
    }
}
