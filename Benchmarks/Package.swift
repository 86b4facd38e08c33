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
        // A plain release driver to run under valgrind --tool=callgrind (instruction counts).
        .executableTarget(
            name: "SIPCoreProfile",
            dependencies: ["BenchmarkMessages", .product(name: "SIPCore", package: "switchboard")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
