import Dispatch

/// Runs blocking work (config parsing, DNS) off the event loops.
enum DispatchOffLoop {
    private static let queue = DispatchQueue(label: "sluice.offloop")

    static func run(_ body: @escaping @Sendable () -> Void) {
        queue.async(execute: body)
    }
}
