import Glibc
import SluiceCore

// Block signals before any thread starts, so every loop thread inherits the mask and only the
// main thread reads SIGTERM/SIGINT from the signalfd.
let signalFD = SluiceMock.blockSignals()
exit(SluiceMock.main(arguments: CommandLine.arguments, signalFD: signalFD))
