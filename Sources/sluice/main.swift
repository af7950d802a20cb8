import Glibc
import SluiceCore

// Block signals before anything can start a thread, so every thread inherits the mask and the
// main thread alone reads them from the signalfd.
let signalFD = Sluice.blockSignals()
exit(Sluice.main(arguments: CommandLine.arguments, signalFD: signalFD))
