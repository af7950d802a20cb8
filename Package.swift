// swift-tools-version:6.0
// Sluice depends on the Swift toolchain and the system OpenSSL only: no `.package` dependencies.
import PackageDescription

let package = Package(
    name: "Sluice",
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
        .executable(name: "sluice-mock", targets: ["sluice-mock"]),
    ],
    targets: [
        .target(name: "CSluiceLinux"),
        .systemLibrary(name: "CSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "SluiceCore",
            dependencies: ["CSluiceLinux", "CSSL"],
            // Loop-confined state is never accessed concurrently by design; the dynamic exclusivity
            // checks cost ~2% of the request path in release builds.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(name: "sluice", dependencies: ["SluiceCore"]),
        .executableTarget(name: "sluice-mock", dependencies: ["SluiceCore"]),
        .testTarget(name: "SluiceCoreTests", dependencies: ["SluiceCore"]),
        .testTarget(name: "IntegrationTests", dependencies: ["SluiceCore"]),
    ]
)
