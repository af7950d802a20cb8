import Glibc
@testable import SluiceCore

// Block signals before any thread starts, so every loop thread inherits the mask and only the
// main thread reads SIGTERM/SIGINT from the signalfd.
let signalFD = Gateway.blockSignals()

switch MockArguments.parse(CommandLine.arguments) {
case .help:
    print(MockArguments.usage)
    exit(0)
case .invalid(let reason):
    Logger.announce("sluice-mock: \(reason) (\(MockArguments.usage))")
    exit(2)
case .run(let arguments):
    exit(MockServer.run(arguments, signalFD: signalFD))
}
