// swift-tools-version:6.1
// Benchmarks for Switchboard (ordo-one/benchmark). A separate package so the main package does not
// depend on the benchmark tooling. Run from this directory:
//   swift package --disable-sandbox benchmark
// Results and how to read them: ../docs/PERFORMANCE.md.
import PackageDescription

let package = Package(
    name: "switchboard-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "switchboard", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", .upToNextMinor(from: "2.101.0")),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // Naming the trait explicitly turns off the default RuntimeInterposer trait, whose package
        // is not available here (see ../docs/PERFORMANCE.md).
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The messages every benchmark and the profiling driver parse.
        .target(name: "BenchmarkMessages"),
        .executableTarget(
            name: "SIPCoreBenchmarks",
            dependencies: [
                "BenchmarkMessages",
                .product(name: "SIPCore", package: "switchboard"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SIPCoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The registrar path without sockets: parse → essentials → transaction → chain → registrar.
        .target(
            name: "RegistrarPath",
            dependencies: [
                .product(name: "SIPCore", package: "switchboard"),
                .product(name: "SIPAuth", package: "switchboard"),
                .product(name: "SIPStorage", package: "switchboard"),
                .product(name: "SIPTransport", package: "switchboard"),
                .product(name: "SIPTransaction", package: "switchboard"),
                .product(name: "SIPRegistrar", package: "switchboard"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Release driver: CPU per REGISTER on the registrar path; run under perf or callgrind.
        .executableTarget(name: "RegistrarPathProfile", dependencies: ["RegistrarPath"]),
        // Resident memory of the location index per binding.
        .executableTarget(
            name: "LocationMemoryProfile",
            dependencies: [
                .product(name: "SIPCore", package: "switchboard"), .product(name: "SIPStorage", package: "switchboard"),
            ]
        ),
        // A plain release driver to run under valgrind --tool=callgrind (instruction counts).
        .executableTarget(
            name: "SIPCoreProfile",
            dependencies: ["BenchmarkMessages", .product(name: "SIPCore", package: "switchboard")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
